import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { matchPatternList, newOptions, resolveSshConfig } from '../src/transport/ssh-config.js';
import { resolveDestination, parseJump } from '../src/transport/ssh-destination.js';
import { parseSshArgs } from '../src/transport/ssh-args.js';
import { connectionSpec } from '../src/executor/connection.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { skipped } from './helpers/skip.js';
import { lbprov } from './helpers/cli.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * ssh_config resolution compared with the real OpenSSH: `ssh -G -F FILE [OPTIONS] ALIAS` prints
 * what ssh would use without connecting. Same file, many aliases, the fields lbprov uses.
 */
const test = suite('ssh_config resolution against ssh -G');
const dir = mkdtempSync(join(tmpdir(), 'lbprov-sshcfg-'));
const me = userInfo().username;

writeFileSync(join(dir, 'inc-a.conf'), 'Host inc-*\n  Port 2201\n  User inc-user\n');
writeFileSync(join(dir, 'inc-b.conf'), 'Host inc-b\n  HostName b.included.example\n');
mkdirSync(join(dir, 'conf.d'));
writeFileSync(
  join(dir, 'conf.d', '10-x.conf'),
  'Host globbed\n  HostName globbed.example\n  IdentityFile ~/.ssh/globbed\n',
);
writeFileSync(join(dir, 'conf.d', 'skip.txt'), 'Host globbed\n  HostName wrong.example\n');
writeFileSync(join(dir, 'extra-key'), 'not a key\n');
writeFileSync(join(dir, 'inside.conf'), 'HostName inside.example\nHost other-in-include\n  Port 999\n');

const config = join(dir, 'config');
writeFileSync(
  config,
  `# a config with most of what operators write
Include ${dir}/inc-a.conf ${dir}/inc-b.conf
Include ${dir}/conf.d/*.conf

Host web1
  HostName 10.0.0.%h.example
  Port 2222

Host web* !web9
  User deploy
  IdentityFile ~/.ssh/k_%h_%u
  IdentityFile %d/.ssh/second_%r

Host WebUp
  User upper

Host db? db-*
  HostName %h.internal
  ProxyJump bastion-a,admin@bastion-b:2200

Match host *.internal user deploy
  Port 5432

Match originalhost db1
  User dbadmin

Match host 10.0.0.*
  ProxyJump bastion-a

Host exec-yes
  HostName exec.example
Match exec "test %h = exec.example"
  Port 7070

Host cmd
  ProxyCommand ssh -W %h:%p -l %r gate

Host jumpnone
  ProxyJump none
Host jumpnone
  ProxyCommand nc %h %p

Host cmdfirst
  ProxyCommand nc %h %p
  ProxyJump ignored

Host inside
  Include ${dir}/inside.conf

Host notme !notme
  User never

Host equals
  Port=2300
  User = eq
  IdentitiesOnly yes
  ServerAliveInterval 5
  ConnectTimeout 3

Host final
  HostName final.example
Match final host final.example
  User final-user

Host neg-*
  HostName %h.neg
Match !host neg-a.neg originalhost neg-*
  User not-a
Match localuser ${me} originalhost local-*
  Port 4444
Match all
  ConnectTimeout 9

Host *
  User fallback
  ServerAliveInterval 15
`,
);

const ALIASES = [
  'web1',
  'web2',
  'web9',
  'WebUp',
  'webup',
  'db1',
  'db2',
  'db-east',
  'dbx12',
  'exec-yes',
  'cmd',
  'jumpnone',
  'cmdfirst',
  'inside',
  'other-in-include',
  'inc-a',
  'inc-b',
  'globbed',
  'notme',
  'equals',
  'final',
  'plain.example',
  '10.1.2.3',
  'neg-a',
  'neg-b',
  'local-1',
];

interface G {
  hostname: string;
  user: string;
  port: string;
  identityfile: string[];
  proxyjump?: string;
  proxycommand?: string;
  connecttimeout: string;
  serveraliveinterval: string;
  identitiesonly: string;
}

function sshG(alias: string, args: string[] = []): G {
  const out = execFileSync('ssh', ['-G', '-F', config, ...args, alias], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const g: G = {
    hostname: '',
    user: '',
    port: '',
    identityfile: [],
    connecttimeout: '',
    serveraliveinterval: '',
    identitiesonly: '',
  };
  for (const line of out.split('\n')) {
    const i = line.indexOf(' ');
    const [k, v] = [line.slice(0, i), line.slice(i + 1)];
    if (k === 'identityfile') g.identityfile.push(v);
    else if (
      k === 'hostname' ||
      k === 'user' ||
      k === 'port' ||
      k === 'proxyjump' ||
      k === 'proxycommand' ||
      k === 'connecttimeout' ||
      k === 'serveraliveinterval' ||
      k === 'identitiesonly'
    )
      g[k] = v;
  }
  return g;
}

/** lbprov's answer in ssh -G's terms (raw IdentityFile values, as -G prints them). */
function mine(alias: string, options: Array<[string, string]> = []): G {
  const raw = resolveSshConfig(config, { alias }, newOptions(options));
  const d = resolveDestination({ alias, options, configFile: config });
  const g: G = {
    hostname: d.hostname,
    user: d.user,
    port: String(d.port),
    identityfile: raw.multi.get('identityfile') ?? [],
    connecttimeout: String(d.connectTimeoutS ?? 'none'),
    serveraliveinterval: String(d.serverAliveIntervalS ?? 0),
    identitiesonly: d.identitiesOnly ? 'yes' : 'no',
  };
  const jump = raw.single.get('proxyjump');
  if (jump && jump.toLowerCase() !== 'none') g.proxyjump = jump;
  else if (raw.single.get('proxycommand')) g.proxycommand = raw.single.get('proxycommand');
  return g;
}

const defaults = (g: G): G =>
  g.identityfile.some((f) => /k_|second|globbed|extra/.test(f)) ? g : { ...g, identityfile: [] };

const haveSsh = existsSync('/usr/bin/ssh');
if (!haveSsh) skipped.push('ssh_config against ssh -G: needs /usr/bin/ssh (openssh-client)');

if (haveSsh) {
  for (const alias of ALIASES) {
    test(`${alias}: hostname, user, port, identityfile, proxyjump/proxycommand as ssh -G`, () => {
      const want = defaults(sshG(alias));
      const got = mine(alias);
      // ssh -G lists the default identity files when none is set; lbprov reports none and tries the defaults itself
      assert.equal(got, want);
    });
  }

  test('command-line options (what the inventory gives) win over the file, as ssh -o / -p / -l / -i / -J', () => {
    const args: Array<[string, string]> = [
      ['User', 'inv-user'],
      ['Port', '2999'],
      ['IdentityFile', join(dir, 'extra-key')],
      ['ProxyJump', 'j1,j2'],
    ];
    for (const alias of ['web1', 'db1', 'cmd', 'plain.example']) {
      const want = sshG(alias, ['-o', 'User=inv-user', '-o', 'Port=2999', '-i', join(dir, 'extra-key'), '-J', 'j1,j2']);
      assert.equal(mine(alias, args), defaults(want), alias);
    }
  });

  test('Match user sees a user given on the command line', () => {
    assert.equal(mine('db2', [['User', 'deploy']]), defaults(sshG('db2', ['-l', 'deploy'])));
    assert.is(mine('db2', [['User', 'deploy']]).port, '5432');
  });
}

test('patterns: * ? and negation as ssh matches them', () => {
  assert.ok(matchPatternList(['web?'], 'web1'));
  assert.not.ok(matchPatternList(['web?'], 'web'), '? is exactly one character');
  assert.not.ok(matchPatternList(['web*', '!web9'], 'web9'));
  assert.ok(matchPatternList(['*.internal,!x.internal'], 'y.internal'));
  assert.not.ok(matchPatternList(['*.internal,!x.internal'], 'x.internal'));
});

test('tokens and ~ are expanded in IdentityFile, HostName and ProxyCommand', () => {
  const d = resolveDestination({ alias: 'web2', options: [], configFile: config });
  assert.equal(d.identityFiles, [join(homedir(), '.ssh', `k_web2_${me}`), join(homedir(), '.ssh', 'second_deploy')]);
  const c = resolveDestination({ alias: 'cmd', options: [['Port', '2022']], configFile: config });
  assert.is(c.proxyCommand, `ssh -W cmd:2022 -l fallback gate`);
  assert.is(c.serverAliveIntervalS, 15);
});

test('ProxyJump chains: the last hop is reached through the ones before it, the first with its own config', () => {
  const d = resolveDestination({ alias: 'db1', options: [], configFile: config });
  assert.is(d.hostname, 'db1.internal');
  assert.is(d.user, 'dbadmin');
  assert.is(d.via?.alias, 'bastion-b');
  assert.is(d.via?.user, 'admin');
  assert.is(d.via?.port, 2200);
  assert.is(d.via?.via?.alias, 'bastion-a');
  assert.is(d.via?.via?.via, undefined);
  assert.is(resolveDestination({ alias: 'jumpnone', options: [], configFile: config }).via, undefined);
  assert.equal(parseJump('ssh://u@[2001:db8::1]:2200', 'x'), { user: 'u', host: '2001:db8::1', port: 2200 });
  assert.throws(
    () => resolveDestination({ alias: 'loop', options: [['ProxyJump', 'loop']], configFile: join(dir, 'loop.conf') }),
    /ProxyJump|exist/,
  );
});

test('a host or user name with shell syntax never reaches ProxyCommand or Match exec', () => {
  const f = join(dir, 'inject.conf');
  const marker = join(dir, 'injected');
  writeFileSync(f, 'Host *\n  ProxyCommand nc %h %p\nMatch exec "test %h = x"\n  Port 1\n');
  assert.throws(
    () => resolveDestination({ alias: `x;touch ${marker}`, options: [], configFile: f }),
    /characters a shell would interpret/,
  );
  assert.throws(
    () => resolveDestination({ alias: 'ok', options: [['User', '$(id)']], configFile: join(dir, 'cmd-only.conf') }),
    /exist/,
  );
  writeFileSync(join(dir, 'cmd-only.conf'), 'Host *\n  ProxyCommand nc %h %p %r\n');
  assert.throws(
    () => resolveDestination({ alias: 'ok', options: [['User', '$(id)']], configFile: join(dir, 'cmd-only.conf') }),
    /user name "\$\(id\)"/,
  );
  assert.not.ok(existsSync(marker));
  assert.is(
    resolveDestination({
      alias: 'web-1.example',
      options: [['User', 'deploy']],
      configFile: join(dir, 'cmd-only.conf'),
    }).proxyCommand,
    'nc web-1.example 22 deploy',
  );
});

test('a ProxyJump loop in the file is an error, not a hang', () => {
  const f = join(dir, 'loop.conf');
  writeFileSync(f, 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
  assert.throws(() => resolveDestination({ alias: 'a', options: [], configFile: f }), /longer than/);
});

test('Include: relative paths live in ~/.ssh; inside an inactive Host block nothing is read', () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'extra.conf'), 'Host rel\n  HostName rel.example\n');
  const f = join(dir, 'relative.conf');
  writeFileSync(f, 'Include extra.conf\nHost nope\n  Include /does/not/exist/*.conf\n');
  assert.is(resolveDestination({ alias: 'rel', options: [], configFile: f, home }).hostname, 'rel.example');
});

test('StrictHostKeyChecking, UserKnownHostsFile, IdentitiesOnly, ConnectTimeout are read', () => {
  const f = join(dir, 'misc.conf');
  writeFileSync(
    f,
    'Host m\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ~/kh1 ~/kh2\n  IdentitiesOnly yes\n  ConnectTimeout 7\nHost n\n  StrictHostKeyChecking no\nHost o\n  StrictHostKeyChecking yes\n  ConnectTimeout soon\n',
  );
  const m = resolveDestination({ alias: 'm', options: [], configFile: f, home: '/h' });
  assert.is(m.strictHostKeyChecking, 'accept-new');
  assert.equal(m.knownHostsFiles, ['/h/kh1', '/h/kh2']);
  assert.is(m.identitiesOnly, true);
  assert.is(m.connectTimeoutS, 7);
  assert.is(resolveDestination({ alias: 'n', options: [], configFile: f }).strictHostKeyChecking, 'off');
  assert.throws(() => resolveDestination({ alias: 'o', options: [], configFile: f }), /ConnectTimeout for o: "soon"/);
});

test('ssh args: -o Key=Value, -oKey=Value, -o "Key Value", -J, -i, -p, -l; shell operators refused', () => {
  const a = parseSshArgs(
    `-o ProxyJump=b1 -oUser=u1 -o "Port 2201" -J 'b2,b3' -i ~/k -C -tt -l u2 -o ControlMaster=auto -F /cfg`,
    'x',
  );
  assert.equal(a.options, [
    ['ProxyJump', 'b1'],
    ['User', 'u1'],
    ['Port', '2201'],
    ['ProxyJump', 'b2,b3'],
    ['IdentityFile', '~/k'],
    ['User', 'u2'],
    ['ControlMaster', 'auto'],
  ]);
  assert.is(a.configFile, '/cfg');
  assert.throws(() => parseSshArgs('-o User=x; rm -rf /', 'x'), /shell operator/);
  assert.throws(() => parseSshArgs('-o', 'x'), /needs an argument/);
  assert.throws(() => parseSshArgs('target', 'x'), /unexpected argument/);
});

test('inventory vars win over the file; ssh args come after them; lbprov_ssh_config and none', () => {
  const inv = { files: [join(dir, 'inventory.yml')] } as unknown as Inventory;
  const host = { name: 'web1', vars: {}, groups: [] } as unknown as Host;
  const s = connectionSpec(
    host,
    { ansible_user: 'root', ansible_ssh_common_args: '-o User=ignored -o Port=2400 -J jx', lbprov_ssh_config: config },
    inv,
  );
  assert.is(s.problem, undefined);
  assert.is(s.address, '10.0.0.web1.example');
  assert.is(s.user, 'root', 'ansible_user first');
  assert.is(s.port, 2400, 'the args come before the file');
  assert.is(s.dest?.via?.alias, 'jx');
  const none = connectionSpec(host, { lbprov_ssh_config: 'none' }, inv, config);
  assert.is(none.address, 'web1', 'no file read');
  const flag = connectionSpec(host, {}, inv, config);
  assert.is(flag.port, 2222, '--ssh-config read');
  const bad = connectionSpec(host, {}, inv, join(dir, 'missing.conf'));
  assert.match(bad.problem ?? '', /missing\.conf does not exist/);
  const mk = connectionSpec(
    host,
    { ansible_host: '10.9.9.9', ansible_port: 2022, ansible_ssh_private_key_file: 'keys/k' },
    inv,
    config,
  );
  assert.is(mk.address, '10.9.9.9', 'ansible_host is the name looked up, as ssh is given it');
  assert.is(mk.port, 2022);
  assert.equal(mk.dest?.identityFiles, [join(dir, 'keys/k')]);
});

test('--ssh-config naming no file is bad input: exit 5, no host contacted', async () => {
  const r = await lbprov([
    'apply',
    join(packageRoot, 'playbooks', 'hello.yml'),
    '--ssh-config',
    join(dir, 'nope.conf'),
  ]);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.match(r.stderr, /--ssh-config .*nope\.conf: no such file/);
  const f = await lbprov(['facts', '--ssh-config', join(dir, 'nope.conf')]);
  assert.is(f.code, 5);
});

test('broken ssh settings are bad input: exit 5 naming the host, before any host is contacted', async () => {
  const pb = join(dir, 'pb.yml');
  writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: { msg: hi }\n');
  const inv = join(dir, 'bad-args.yml');
  writeFileSync(
    inv,
    'all:\n  hosts:\n    evil: { ansible_host: 127.0.0.9, ansible_ssh_common_args: "-o User=x; touch /tmp/nope" }\n    fine: { ansible_host: 127.0.0.10 }\n',
  );
  const r = await lbprov(['apply', pb, '-i', inv, '--ssh-config', 'none']);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.match(r.stderr, /host evil: ansible_ssh_common_args: .*shell operator/);
  const cfg = join(dir, 'bad-value.conf');
  writeFileSync(cfg, 'Host *\n  ConnectTimeout soon\n');
  const inv2 = join(dir, 'plain.yml');
  writeFileSync(inv2, 'all:\n  hosts:\n    plain1: { ansible_host: 127.0.0.9 }\n');
  const c = await lbprov(['apply', pb, '-i', inv2, '--ssh-config', cfg]);
  assert.is(c.code, 5, c.stdout + c.stderr);
  assert.match(c.stderr, /host plain1: ConnectTimeout for 127\.0\.0\.9: "soon"/);
});

test.run();
