import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inputError } from './helpers/input-error.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIni } from '../src/config/ini-file.js';
import { findConfigFile, loadConfig, type ConfigEnv } from '../src/config/load.js';
import { resolveSettings } from '../src/cli/settings.js';
import { pyValue } from '../src/inventory/py-literal.js';
import { haveAnsible } from './helpers/ansible.js';

/** The config file and the environment: which file, which keys, which wins, and as Ansible reads them. */
const root = mkdtempSync(join(tmpdir(), 'lbprov-config-'));
const home = join(root, 'home');
const cwd = join(root, 'work');
mkdirSync(home);
mkdirSync(cwd);
chmodSync(cwd, 0o755);
const ce = (env: Record<string, string> = {}, dir = cwd): ConfigEnv => ({ env, cwd: dir, home });

const ANSIBLE_CFG = `# a typical ansible.cfg
[defaults]
inventory = hosts.ini
forks = 7
remote_user = deploy   ; inline comment
private_key_file = keys/id
host_key_checking = False
timeout = 12
roles_path = roles:/opt/roles
retry_files_enabled = yes
retry_files_save_path = retries
gathering = smart

[privilege_escalation]
become = True
become_user = admin
become_method = su
become_ask_pass = false
become_flags = -l

[ssh_connection]
ssh_args = -o ProxyJump=bastion
  -o ServerAliveInterval=5
pipelining = True
`;

test('configparser syntax: sections, = and :, comments, continuation lines, errors with file:line', () => {
  const e = parseIni('f.cfg', '[a]\nx = 1 ; c\n# no\ny: two\n  more\n\n[b]\nz=\n');
  assert.equal(
    e.map((x) => [x.section, x.key, x.value, x.line]),
    [
      ['a', 'x', '1', 2],
      ['a', 'y', 'two\nmore', 4],
      ['b', 'z', '', 8],
    ],
  );
  assert.match(
    inputError(() => parseIni('f.cfg', '[a]\nnot a pair\n')),
    /^f\.cfg:2:1: expected "key = value"/,
  );
  assert.match(
    inputError(() => parseIni('f.cfg', 'x = 1\n')),
    /^f\.cfg:1:1: "x" comes before any \[section\]/,
  );
});

test('an ansible.cfg: known keys typed, paths relative to its folder, unknown keys warned about', () => {
  writeFileSync(join(cwd, 'ansible.cfg'), ANSIBLE_CFG);
  const c = loadConfig(ce());
  assert.is(c.file, join(cwd, 'ansible.cfg'));
  const v = Object.fromEntries(Object.entries(c.settings).map(([k, s]) => [k, s.value]));
  assert.equal(v, {
    inventory: [join(cwd, 'hosts.ini')],
    forks: 7,
    remote_user: 'deploy',
    private_key_file: join(cwd, 'keys/id'),
    host_key_checking: false,
    timeout: 12,
    roles_path: [join(cwd, 'roles'), '/opt/roles'],
    retry_files_enabled: true,
    retry_files_save_path: join(cwd, 'retries'),
    become: true,
    become_user: 'admin',
    become_method: 'su',
    become_ask_pass: false,
    become_flags: '-l',
    ssh_args: '-o ProxyJump=bastion\n-o ServerAliveInterval=5',
  });
  assert.is(c.settings.forks!.origin, `${join(cwd, 'ansible.cfg')}:4`);
  assert.equal(c.warnings, [
    `${join(cwd, 'ansible.cfg')}:12: [defaults] gathering is not a setting lbprov knows: ignored`,
    `${join(cwd, 'ansible.cfg')}:24: [ssh_connection] pipelining is not a setting lbprov knows: ignored`,
  ]);
});

if (haveAnsible('config against ansible-config', 'ansible-config')) {
  test('the same file and environment read by ansible-config dump give the same values', () => {
    writeFileSync(join(cwd, 'ansible.cfg'), ANSIBLE_CFG);
    const env = { ANSIBLE_FORKS: '9', ANSIBLE_BECOME_USER: 'envuser' };
    const r = spawnSync('ansible-config', ['dump', '--only-changed'], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH!, HOME: home, ...env },
    });
    assert.is(r.status, 0, r.stderr);
    const theirs: Record<string, unknown> = {};
    for (const m of r.stdout.matchAll(/^(\w+)\(([^)]*)\) = (.*)$/gm))
      theirs[m[1]] = m[3] === 'True' ? true : m[3] === 'False' ? false : pyValue(m[3]);
    const ours = loadConfig(ce(env)).settings;
    const names: Record<string, string> = {
      DEFAULT_HOST_LIST: 'inventory',
      DEFAULT_FORKS: 'forks',
      DEFAULT_REMOTE_USER: 'remote_user',
      DEFAULT_PRIVATE_KEY_FILE: 'private_key_file',
      HOST_KEY_CHECKING: 'host_key_checking',
      DEFAULT_TIMEOUT: 'timeout',
      DEFAULT_ROLES_PATH: 'roles_path',
      RETRY_FILES_ENABLED: 'retry_files_enabled',
      RETRY_FILES_SAVE_PATH: 'retry_files_save_path',
      DEFAULT_BECOME: 'become',
      DEFAULT_BECOME_USER: 'become_user',
      DEFAULT_BECOME_METHOD: 'become_method',
      DEFAULT_BECOME_ASK_PASS: 'become_ask_pass',
      DEFAULT_BECOME_FLAGS: 'become_flags',
    };
    for (const [a, l] of Object.entries(names))
      assert.equal(ours[l as keyof typeof ours]?.value, theirs[a], `${a} / ${l}`);
  });
}

test('precedence: LBPROV_* over ANSIBLE_* over the file; the command line over all', () => {
  writeFileSync(join(cwd, 'ansible.cfg'), ANSIBLE_CFG);
  const c = loadConfig(ce({ ANSIBLE_FORKS: '9', LBPROV_FORKS: '11', ANSIBLE_REMOTE_USER: 'envuser' }));
  assert.is(c.settings.forks!.value, 11);
  assert.is(c.settings.forks!.origin, 'env LBPROV_FORKS');
  assert.is(c.settings.remote_user!.value, 'envuser');
  const s = resolveSettings({ forks: '3', user: 'cliuser' }, c);
  assert.is(s.forks, 3);
  assert.is(s.baseVars.ansible_user, 'cliuser');
  const f = resolveSettings({}, c);
  assert.is(f.forks, 11);
  assert.is(f.baseVars.ansible_user, 'envuser');
  assert.equal(f.baseVars, {
    ansible_user: 'envuser',
    ansible_ssh_private_key_file: join(cwd, 'keys/id'),
    ansible_become: true,
    ansible_become_user: 'admin',
    ansible_become_method: 'su',
    ansible_become_flags: '-l',
    ansible_ssh_common_args: '-o ProxyJump=bastion\n-o ServerAliveInterval=5',
    lbprov_host_key_checking: 'off',
  });
  assert.is(f.connectTimeoutMs, 12_000);
  assert.equal(f.inventory, [join(cwd, 'hosts.ini')]);
  assert.equal(resolveSettings({ inventory: ['x.yml'] }, c).inventory, ['x.yml']);
});

test('flags map onto the lowest-precedence host variables', () => {
  const empty = loadConfig(ce({}, home));
  assert.is(empty.file, undefined);
  const r = resolveSettings(
    {
      connection: 'local',
      become: true,
      becomeUser: 'u',
      becomeMethod: 'su',
      privateKey: 'keys/k',
      user: 'me',
      timeout: '2.5',
      askBecomePass: true,
    },
    empty,
  );
  assert.equal(r.baseVars, {
    ansible_user: 'me',
    ansible_ssh_private_key_file: join(process.cwd(), 'keys/k'),
    ansible_connection: 'local',
    ansible_become: true,
    ansible_become_user: 'u',
    ansible_become_method: 'su',
  });
  assert.is(r.connectTimeoutMs, 2500);
  assert.is(r.askBecomePass, true);
  assert.is(r.forks, 50);
});

test('bad values: exit-5 errors naming file:line or the variable or the flag', () => {
  writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\nforks = many\n');
  assert.match(
    inputError(() => loadConfig(ce())),
    new RegExp(`^${join(cwd, 'ansible.cfg')}:2:1: \\[defaults\\] forks = "many": expected a whole number >= 1`),
  );
  writeFileSync(join(cwd, 'ansible.cfg'), '[privilege_escalation]\nbecome = maybe\n');
  assert.match(
    inputError(() => loadConfig(ce())),
    /ansible\.cfg:2:1: \[privilege_escalation\] become = "maybe": expected a boolean/,
  );
  rmSync(join(cwd, 'ansible.cfg'));
  assert.match(
    inputError(() => loadConfig(ce({ ANSIBLE_TIMEOUT: '0' }))),
    /environment variable ANSIBLE_TIMEOUT = "0": expected a number > 0/,
  );
  assert.match(
    inputError(() => loadConfig(ce({ LBPROV_BECOME_METHOD: 'doas' }))),
    /LBPROV_BECOME_METHOD = "doas": expected sudo or su/,
  );
  const empty = loadConfig(ce());
  assert.match(
    inputError(() => resolveSettings({ timeout: '0' }, empty)),
    /-T\/--timeout 0: expected a number of seconds > 0/,
  );
  assert.match(
    inputError(() => resolveSettings({ timeout: 'soon' }, empty)),
    /-T\/--timeout soon/,
  );
  assert.match(
    inputError(() => resolveSettings({ becomeMethod: 'pbrun' }, empty)),
    /--become-method pbrun: expected sudo or su/,
  );
  assert.match(
    inputError(() => resolveSettings({ connection: 'winrm' }, empty)),
    /-c\/--connection winrm: expected ssh or local/,
  );
});

test('which file: LBPROV_CONFIG, ./lbprov.cfg, ~/.lbprov.cfg, ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg', () => {
  const put = (p: string): string => {
    writeFileSync(p, '[defaults]\n');
    return p;
  };
  const homeAnsible = put(join(home, '.ansible.cfg'));
  assert.is(findConfigFile(ce()), homeAnsible);
  const cwdAnsible = put(join(cwd, 'ansible.cfg'));
  assert.is(findConfigFile(ce()), cwdAnsible);
  const envAnsible = put(join(root, 'env-ansible.cfg'));
  assert.is(findConfigFile(ce({ ANSIBLE_CONFIG: envAnsible })), envAnsible);
  const homeLbprov = put(join(home, '.lbprov.cfg'));
  assert.is(findConfigFile(ce({ ANSIBLE_CONFIG: envAnsible })), homeLbprov);
  const cwdLbprov = put(join(cwd, 'lbprov.cfg'));
  assert.is(findConfigFile(ce()), cwdLbprov);
  const envLbprov = put(join(root, 'env-lbprov.cfg'));
  assert.is(findConfigFile(ce({ LBPROV_CONFIG: envLbprov })), envLbprov);
  assert.match(
    inputError(() => findConfigFile(ce({ LBPROV_CONFIG: join(root, 'nope.cfg') }))),
    /LBPROV_CONFIG=.*nope\.cfg: no readable config file/,
  );
  // a world-writable working directory's files are not read (anyone could have put them there)
  chmodSync(cwd, 0o777);
  const warnings: string[] = [];
  assert.is(findConfigFile(ce(), warnings), homeLbprov);
  assert.match(warnings.join('\n'), /lbprov\.cfg: not read: the working directory is world-writable/);
  chmodSync(cwd, 0o755);
  for (const f of [homeAnsible, cwdAnsible, envAnsible, homeLbprov, cwdLbprov, envLbprov]) rmSync(f);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
