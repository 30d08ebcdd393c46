import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labNet, type LabState } from '../../src/lab/lab.js';
import { inLabHost, labOnlyFrom } from '../../src/lab/bastion.js';
import { applyJson, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { requireRoot } from '../helpers/skip.js';
import { packageRoot } from '../../src/util/paths.js';
import { shellJoin } from '../../src/util/quote.js';

/**
 * Reaching hosts the way operators do, each a real `lbprov apply` over real sshd on the lab: an
 * ssh_config alias from the ~/.ssh/config of a temporary HOME, ProxyJump through one and two
 * bastions to hosts that refuse direct logins, ProxyCommand, a passphrase-protected key, a real
 * ssh-agent, the default identity files, connect retries and a host that drops mid-run.
 */
const test = suite('reaching hosts over ssh on the lab');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-ssh-'));
let lab: LabState;
const addr = (n: number): string => lab.hosts[n - 1].address;

const PLAY = join(tmp, 'who.yml');
writeFileSync(
  PLAY,
  `- hosts: all
  gather_facts: false
  tasks:
    - name: who
      command: hostname
      register: who
      changed_when: false
    - name: say
      debug: { msg: "{{ inventory_hostname }}={{ who.stdout }}" }
`,
);

/** A HOME of its own (ssh config, keys): nothing of the machine's ~/.ssh is read. */
function home(name: string, config?: string): string {
  const h = join(tmp, name);
  mkdirSync(join(h, '.ssh'), { recursive: true, mode: 0o700 });
  if (config !== undefined) writeFileSync(join(h, '.ssh', 'config'), config);
  return h;
}

function inventory(name: string, body: string): string {
  const f = join(tmp, `${name}.yml`);
  writeFileSync(f, body);
  return f;
}

/** The lab hosts as ssh_config aliases: h2 only through h1, h3 through h2 (the chain is in the file). */
const labConfig = (): string => `Host lab-h1
  HostName ${addr(1)}
Host lab-h2
  HostName ${addr(2)}
  ProxyJump lab-h1
Host lab-h3
  HostName ${addr(3)}
  ProxyJump lab-h2
Host lab-*
  User root
  IdentityFile ${lab.key}
  UserKnownHostsFile ${lab.knownHosts}
  StrictHostKeyChecking yes
`;

const said = (run: JsonRun, host: string): string | undefined =>
  run.plays[0]?.tasks.find((t) => t.name === 'say')?.hosts[host]?.msg;
const firstMsg = (run: JsonRun, host: string): string =>
  run.plays[0]?.tasks.map((t) => t.hosts[host]?.msg).find(Boolean) ?? '';

async function apply(
  inv: string,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<{ code: number; run: JsonRun; stderr: string }> {
  return applyJson([PLAY, '-i', inv, ...extra], { env: { SSH_AUTH_SOCK: '', LBPROV_SSH_PASSPHRASE: '', ...env } });
}

/** A fresh key pair; its public half is authorized for root on the given lab hosts. */
function newKey(name: string, passphrase: string, hosts: string[]): string {
  const f = join(tmp, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', f]);
  for (const h of hosts)
    inLabHost(lab, h, ['tee', '-a', '/root/.ssh/authorized_keys'], readFileSync(`${f}.pub`, 'utf8'));
  return f;
}

if (requireRoot('ssh on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test.after(() => {
    if (!lab) return;
    for (const h of ['h2', 'h3']) labOnlyFrom(lab, h, []);
  });

  test('a host alias resolved from ~/.ssh/config of HOME (HostName, User, IdentityFile, UserKnownHostsFile)', async () => {
    const h = home(
      'alias',
      `Host web-a\n  HostName ${addr(1)}\n  User root\n  IdentityFile ${lab.key}\n  UserKnownHostsFile ${lab.knownHosts}\n`,
    );
    const inv = inventory('alias', 'all:\n  hosts:\n    web-a: {}\n');
    const r = await apply(inv, { HOME: h });
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run));
    assert.is(said(r.run, 'web-a'), 'web-a=h1');
    // --ssh-config none: the alias is a name nobody resolves
    const none = await apply(inv, { HOME: h }, ['--ssh-config', 'none', '-e', 'lbprov_connect_retries=0']);
    assert.is(none.code, 4);
    assert.match(firstMsg(none.run, 'web-a'), /web-a/);
  });

  test('ProxyJump, one hop and two, to hosts that refuse direct logins; every host key checked', async () => {
    labOnlyFrom(lab, 'h2', ['h1']);
    labOnlyFrom(lab, 'h3', ['h2']);
    // direct: refused (sshd's AllowUsers), not retried
    const direct = await applyJson([PLAY, '-i', lab.inventory, '--limit', 'h2:h3'], { env: { SSH_AUTH_SOCK: '' } });
    assert.is(direct.code, 4, JSON.stringify(direct.run.stats));
    assert.match(firstMsg(direct.run, 'h3'), /authentication as root .* failed/);

    const h = home('jump', labConfig());
    const inv = inventory('jump', 'all:\n  hosts:\n    lab-h2: {}\n    lab-h3: {}\n');
    const r = await apply(inv, { HOME: h });
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run));
    assert.is(said(r.run, 'lab-h2'), 'lab-h2=h2', 'one hop');
    assert.is(said(r.run, 'lab-h3'), 'lab-h3=h3', 'two hops: h1, then h2, then h3');

    // the inventory's way: ansible_host an address, the jump in ansible_ssh_common_args
    const inv2 = inventory(
      'jump-args',
      `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${lab.key}\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    t3: { ansible_host: ${addr(3)}, ansible_ssh_common_args: "-o ProxyJump=lab-h1,lab-h2" }\n`,
    );
    const r2 = await apply(inv2, { HOME: h });
    assert.is(r2.code, 0, r2.stderr + JSON.stringify(r2.run));
    assert.is(said(r2.run, 't3'), 't3=h3');

    // the target's key is verified too, not only the bastions': h3 known with h1's key
    const lines = readFileSync(lab.knownHosts, 'utf8').trim().split('\n');
    const h1Key = lines
      .find((l) => l.startsWith(`${addr(1)} `))!
      .split(' ')
      .slice(1)
      .join(' ');
    const forged = join(tmp, 'forged_known_hosts');
    writeFileSync(
      forged,
      lines.map((l) => (l.startsWith(`${addr(3)} `) ? `${addr(3)} ${h1Key}` : l)).join('\n') + '\n',
    );
    const bad = await apply(inv, { HOME: h }, ['-e', `lbprov_known_hosts=${forged}`]);
    assert.is(bad.code, 4);
    assert.is(said(bad.run, 'lab-h2'), 'lab-h2=h2', 'the hops were fine');
    assert.match(firstMsg(bad.run, 'lab-h3'), new RegExp(`HOST KEY MISMATCH for ${addr(3).replace(/\./g, '\\.')}`));
    // and a bastion's: h1 forged, both hosts behind it unreachable, the message says which hop
    const forged1 = join(tmp, 'forged1_known_hosts');
    const h2Key = lines
      .find((l) => l.startsWith(`${addr(2)} `))!
      .split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(
      forged1,
      lines.map((l) => (l.startsWith(`${addr(1)} `) ? `${addr(1)} ${h2Key}` : l)).join('\n') + '\n',
    );
    const badHop = await apply(inv, { HOME: h }, ['-e', `lbprov_known_hosts=${forged1}`]);
    assert.is(badHop.code, 4);
    assert.match(firstMsg(badHop.run, 'lab-h3'), /jump host lab-h1 .*HOST KEY MISMATCH/);
  });

  test('ProxyCommand through a local process (OpenSSH ssh -W) to a host that refuses direct logins', async () => {
    labOnlyFrom(lab, 'h2', ['h1']);
    const proxy = `ssh -F none -i ${lab.key} -o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes -W %h:%p root@${addr(1)}`;
    const h = home(
      'proxycmd',
      `Host behind\n  HostName ${addr(2)}\n  User root\n  IdentityFile ${lab.key}\n  UserKnownHostsFile ${lab.knownHosts}\n  ProxyCommand ${proxy}\n`,
    );
    const r = await apply(inventory('proxycmd', 'all:\n  hosts:\n    behind: {}\n'), { HOME: h });
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run));
    assert.is(said(r.run, 'behind'), 'behind=h2');
  });

  test('a passphrase-protected key: from the inventory var, from LBPROV_SSH_PASSPHRASE; missing or wrong says so', async () => {
    const secret = 'correct-horse-7';
    const key = newKey('enc_key', secret, ['h1']);
    const h = home('enc');
    const base = `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${key}\n    lbprov_known_hosts: ${lab.knownHosts}\n`;
    const plain = inventory('enc', `${base}  hosts:\n    enc1: { ansible_host: ${addr(1)} }\n`);
    const missing = await apply(plain, { HOME: h });
    assert.is(missing.code, 4);
    assert.ok(
      firstMsg(missing.run, 'enc1').includes(`key ${key}: encrypted and no passphrase given`),
      JSON.stringify(missing.run) + missing.stderr,
    );
    const viaEnv = await apply(plain, { HOME: h, LBPROV_SSH_PASSPHRASE: secret });
    assert.is(viaEnv.code, 0, JSON.stringify(viaEnv.run));
    const wrong = await apply(plain, { HOME: h, LBPROV_SSH_PASSPHRASE: 'nope' });
    assert.is(wrong.code, 4);
    assert.match(firstMsg(wrong.run, 'enc1'), /wrong passphrase from LBPROV_SSH_PASSPHRASE/);
    // a templated inventory var (from -e here); the passphrase is nowhere in the output
    const templ = inventory(
      'enc-var',
      `${base}    ansible_ssh_private_key_passphrase: "{{ pp }}"\n  hosts:\n    enc1: { ansible_host: ${addr(1)} }\n`,
    );
    const viaVar = await apply(templ, { HOME: h }, ['-e', `pp=${secret}`]);
    assert.is(viaVar.code, 0, JSON.stringify(viaVar.run));
    assert.not.ok(JSON.stringify(viaVar.run).includes(secret) || viaVar.stderr.includes(secret));
  });

  test('a passphrase typed at the prompt when stdin is a terminal (a real pty, script(1)), never echoed', async () => {
    const secret = 'typed-at-the-tty-9';
    const key = newKey('tty_key', secret, ['h1']);
    const h = home('tty');
    const inv = inventory(
      'tty',
      `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${key}\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    tty1: { ansible_host: ${addr(1)} }\n`,
    );
    const cmd = shellJoin([
      process.execPath,
      join(packageRoot, 'bin', 'lbprov.js'),
      'apply',
      '--json',
      PLAY,
      '-i',
      inv,
    ]);
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      env: { ...process.env, HOME: h, SSH_AUTH_SOCK: '', LBPROV_SSH_PASSPHRASE: '', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let asked = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!asked && out.includes(`Enter passphrase for key '${key}': `)) {
        asked = true;
        child.stdin.write(`${secret}\r`);
      }
    });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.ok(asked, out);
    assert.is(code, 0, out);
    assert.ok(out.includes('"tty1=h1"'), out);
    assert.not.ok(out.includes(secret), 'the passphrase is not echoed');
  });

  test('a real ssh-agent is asked first; with no key accepted, the error names what was tried', async () => {
    const key = newKey('agent_key', '', ['h1']);
    const sock = join(tmp, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const h = home('agent'); // no key files: only the agent can get in
      const inv = inventory(
        'agent',
        `all:\n  vars:\n    ansible_user: root\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    a1: { ansible_host: ${addr(1)} }\n    a2: { ansible_host: ${addr(2)} }\n`,
      );
      labOnlyFrom(lab, 'h2', []);
      const r = await apply(inv, { HOME: h, SSH_AUTH_SOCK: sock });
      assert.is(said(r.run, 'a1'), 'a1=h1', JSON.stringify(r.run));
      // h2 does not know the agent's key
      assert.is(r.code, 4);
      assert.match(
        firstMsg(r.run, 'a2'),
        new RegExp(
          `tried the agent at ${sock.replace(/[.]/g, '\\.')}: none was accepted; no IdentityFile set and none of ~/.ssh/\\{id_rsa,id_ecdsa,id_ed25519\\} exists`,
        ),
      );
      // IdentitiesOnly: the agent is not asked
      const only = await apply(inv, { HOME: h, SSH_AUTH_SOCK: sock }, [
        '--limit',
        'a1',
        '-e',
        'ansible_ssh_common_args="-o IdentitiesOnly=yes"',
      ]);
      assert.is(only.code, 4);
      assert.match(firstMsg(only.run, 'a1'), /not asked \(IdentitiesOnly yes\)/);
    } finally {
      agent.kill('SIGTERM');
    }
  });

  test('default identity files: ~/.ssh/id_ed25519 of HOME is tried when no key is set', async () => {
    const h = home('defaults');
    copyFileSync(lab.key, join(h, '.ssh', 'id_ed25519'));
    const inv = inventory(
      'defaults',
      `all:\n  vars:\n    ansible_user: root\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    d1: { ansible_host: ${addr(1)} }\n`,
    );
    const r = await apply(inv, { HOME: h });
    assert.is(r.code, 0, JSON.stringify(r.run));
    assert.is(said(r.run, 'd1'), 'd1=h1');
  });

  test('a refused connect is retried with backoff; sshd back in time lets the run go on', async () => {
    const h = home('retry');
    const inv = inventory(
      'retry',
      `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${lab.key}\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    closed: { ansible_host: ${addr(1)}, ansible_port: 2299, lbprov_connect_retries: 2 }\n`,
    );
    const t0 = Date.now();
    const r = await apply(inv, { HOME: h });
    assert.is(r.code, 4);
    assert.match(firstMsg(r.run, 'closed'), /ECONNREFUSED.*after 3 attempts/);
    assert.ok(Date.now() - t0 >= 3000, 'waited 1 s then 2 s between attempts');

    labOnlyFrom(lab, 'h2', []);
    inLabHost(lab, 'h2', ['systemctl', 'stop', 'ssh']);
    const inv2 = inventory(
      'retry2',
      `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${lab.key}\n    lbprov_known_hosts: ${lab.knownHosts}\n  hosts:\n    back: { ansible_host: ${addr(2)}, lbprov_connect_retries: 3 }\n`,
    );
    const run = apply(inv2, { HOME: h });
    await new Promise((res) => setTimeout(res, 1500));
    inLabHost(lab, 'h2', ['systemctl', 'start', 'ssh']);
    const back = await run;
    assert.is(back.code, 0, JSON.stringify(back.run));
    assert.is(said(back.run, 'back'), 'back=h2');
  });

  test('a host that drops mid-run is unreachable while the others finish (keepalives)', async () => {
    for (const h of ['h2', 'h3']) labOnlyFrom(lab, h, []);
    const play = join(tmp, 'long.yml');
    writeFileSync(
      play,
      `- hosts: all
  gather_facts: false
  tasks:
    - name: first
      command: "true"
    - name: long
      command: sleep 8
    - name: after
      debug: { msg: "{{ inventory_hostname }} finished" }
`,
    );
    const inv = inventory(
      'drop',
      `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${lab.key}\n    lbprov_known_hosts: ${lab.knownHosts}\n    lbprov_keepalive_interval: 1\n  hosts:\n    d1: { ansible_host: ${addr(1)} }\n    d2: { ansible_host: ${addr(2)} }\n    d3: { ansible_host: ${addr(3)} }\n`,
    );
    const veth = labNet().veth(2);
    const run = applyJson([play, '-i', inv], { env: { SSH_AUTH_SOCK: '' } });
    await new Promise((res) => setTimeout(res, 3000));
    execFileSync('ip', ['link', 'set', veth, 'down']);
    let r: Awaited<typeof run>;
    try {
      r = await run;
    } finally {
      execFileSync('ip', ['link', 'set', veth, 'up']);
    }
    assert.is(r.code, 4, JSON.stringify(r.run));
    assert.is(r.run.stats.d2.unreachable, 1);
    const after = r.run.plays[0].tasks.find((t) => t.name === 'after')!;
    assert.is(after.hosts.d1?.msg, 'd1 finished');
    assert.is(after.hosts.d3?.msg, 'd3 finished');
    assert.is(after.hosts.d2, undefined);
  });
}

test.run();
