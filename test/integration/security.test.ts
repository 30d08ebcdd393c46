import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, lbprov } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { onHost, sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * Security on real lab hosts over real SSH: nothing of lbprov stays on a host (normal run, task
 * timeout, SIGKILLed controller), a no_log secret never shows in argv or environment of a process
 * on the host nor in lbprov's output, setuid modes survive the first write, and known_hosts
 * entries for a port other than 22 are honoured.
 */
const test = suite('security on the lab');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-sec-'));
let lab: LabState;
const secret = `S3cr3t-${randomBytes(8).toString('hex')}`;

// files named by lbprov; its remote shells (agent and janitor) and the commands of the tests' tasks
const RESIDUE = [
  // the host lock (/run/lock/lbprov.lock and its .owner line) stays by design: flock needs the file
  "find /tmp /var/tmp /run /root /opt/lbsec \\( -name 'lbprov.*' -o -name '.lbprov.*' \\) ! -path /run/lock/lbprov.lock ! -path /run/lock/lbprov.lock.owner -print 2>/dev/null",
  "ps -eo pid=,args= | grep -E 'lbprov-janitor /tmp/lbprov\\.[A-Za-z0-9]+$|LC_ALL=C.*[m]ktemp -d -t lbprov|^ *[0-9]+ sleep 3[0-9]$' | cut -c1-80",
  'true',
].join('; ');

/** What lbprov left on a host: its files and processes, once whatever is still ending has ended. */
async function residue(host: string, waitMs = 8000): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    const left = (await sh(lab, host, RESIDUE)).out.trim();
    if (!left || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function playbook(name: string, text: string): string {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
}

/** A host's processes whose argv or environment hold the secret (the secret goes in on stdin, not argv). */
const secretHolders = async (host: string): Promise<string> =>
  (
    await onHost(lab, host, ['bash', '-c', 'grep -alsF -f - /proc/[0-9]*/cmdline /proc/[0-9]*/environ || true'], {
      stdin: secret,
    })
  ).out.trim();

if (requireRoot('security on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    await sh(lab, 'h1', 'rm -rf /opt/lbsec; mkdir -p /opt/lbsec');
  });

  test('a normal run: no_log secret absent from ps/environ on the host and from the output; nothing left; setuid kept on the first write', async () => {
    const pb = playbook(
      'normal.yml',
      `- hosts: h1
  gather_facts: false
  vars:
    secret: "${secret}"
  tasks:
    - name: secret config
      copy: { dest: /opt/lbsec/secret.conf, content: "password={{ secret }}\\n", mode: "0600" }
      no_log: true
    - command: sleep 2.5
    - name: setuid helper
      copy: { dest: /opt/lbsec/suid, content: "#!/bin/sh\\n", mode: "4755", owner: root, group: root }
    - name: secret again
      copy: { dest: /opt/lbsec/secret2.conf, content: "{{ secret }}", mode: "0600" }
      no_log: true
`,
    );
    const run = lbprov(['apply', pb, '-i', lab.inventory, '--json']);
    const holders = new Set<string>();
    let done = false;
    void run.then(() => (done = true));
    while (!done) {
      const h = await secretHolders('h1');
      if (h) holders.add(h);
      await new Promise((r) => setTimeout(r, 150));
    }
    const r = await run;
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.equal([...holders], [], 'no process on the host had the secret in its argv or environment');
    assert.not.ok((r.stdout + r.stderr).includes(secret), "the secret is not in lbprov's output");
    const json = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ name: string }> }> };
    assert.ok(
      json.plays[0].tasks.some((t) => t.name === 'command'),
      'a task without a name is named by its module',
    );
    assert.is((await sh(lab, 'h1', 'cat /opt/lbsec/secret.conf')).out, `password=${secret}\n`);
    assert.is(
      (await sh(lab, 'h1', 'stat -c %a /opt/lbsec/suid')).out.trim(),
      '4755',
      'setuid survives the first write',
    );
    assert.is(await residue('h1'), '');
  });

  test('a task timeout leaves no temp file beside the destination, no temp dir, no process', async () => {
    const pb = playbook(
      'timeout.yml',
      `- hosts: h1
  gather_facts: false
  tasks:
    - name: slow validator
      copy: { dest: /opt/lbsec/t.conf, content: "x\\n", validate: "bash -c 'sleep 37' %s" }
      timeout: 2
`,
    );
    const r = await applyJson([pb, '-i', lab.inventory]);
    assert.is(r.code, 2, JSON.stringify(r.run));
    assert.match(r.run.plays[0].tasks[0].hosts.h1.msg ?? '', /timed out/);
    assert.is(await residue('h1'), '');
    assert.is((await sh(lab, 'h1', 'test -e /opt/lbsec/t.conf', true)).rc, 1, 'nothing half-applied');
  });

  test('a SIGKILLed controller: the host cleans up after itself', async () => {
    const pb = playbook(
      'killed.yml',
      `- hosts: h1
  gather_facts: false
  tasks:
    - copy: { dest: /opt/lbsec/k.conf, content: "k\\n" }
    - name: long
      command: sleep 36
`,
    );
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), 'apply', pb, '-i', lab.inventory], {
      stdio: 'ignore',
    });
    const until = Date.now() + 20_000;
    while ((await sh(lab, 'h1', 'pgrep -fx "sleep 36"', true)).rc !== 0) {
      assert.ok(Date.now() < until, 'the long task started');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(
      (await sh(lab, 'h1', "find /tmp -maxdepth 1 -name 'lbprov.*'")).out.trim(),
      'the remote shell has its temp dir while it runs',
    );
    process.kill(child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.is(await residue('h1', 10_000), '');
    assert.is((await sh(lab, 'h1', 'pgrep -fx "sleep 36"', true)).rc, 1, 'the running command was ended');
  });

  test('option injection through a package name: refused at load time (exit 5), or before any read when it comes from a variable', async () => {
    await sh(lab, 'h2', 'rm -f /tmp/pwned');
    const literal = playbook(
      'inject.yml',
      `- hosts: h2\n  gather_facts: false\n  tasks:\n    - package: { name: "-oDPkg::Pre-Invoke::=touch /tmp/pwned" }\n`,
    );
    const r = await lbprov(['apply', literal, '-i', lab.inventory]);
    assert.is(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /inject\.yml:4:\d+: .*is not a package name/);
    const templated = playbook('inject-var.yml', `- hosts: h2\n  tasks:\n    - package: { name: "{{ pkg }}" }\n`);
    const j = await applyJson([templated, '-i', lab.inventory, '-e', 'pkg=-oDPkg::Pre-Invoke::=touch /tmp/pwned']);
    assert.is(j.code, 2);
    assert.match(
      j.run.plays[0].tasks.find((t) => t.module === 'package')!.hosts.h2.msg ?? '',
      /not a Debian package name|is not a package name/,
    );
    assert.is((await sh(lab, 'h2', 'test -e /tmp/pwned', true)).rc, 1, 'nothing ran');
  });

  test('known_hosts [host]:port: a host reached on port 2222 is checked against its [addr]:2222 line (strict, mismatch, accept-new hashed)', async () => {
    const h3 = lab.hosts[2];
    await sh(
      lab,
      'h3',
      'printf "Port 22\\nPort 2222\\n" > /etc/ssh/sshd_config.d/lbprov-2222.conf && systemctl reload ssh',
    );
    try {
      const keyOf = (addr: string): string =>
        readFileSync(lab.knownHosts, 'utf8')
          .split('\n')
          .find((l) => l.startsWith(`${addr} `))!
          .split(' ')
          .slice(1)
          .join(' ');
      const inv = join(tmp, 'port-inventory.yml');
      writeFileSync(
        inv,
        `all:\n  vars: { ansible_user: root, ansible_ssh_private_key_file: ${lab.key}, nic_required: false }\n  hosts:\n    h3: { ansible_host: ${h3.address}, ansible_port: 2222 }\n`,
      );
      const pb = playbook('port.yml', '- hosts: h3\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
      const kh = join(tmp, 'kh-port');
      const run = (checking: string, extra: string[] = []) =>
        applyJson([
          pb,
          '-i',
          inv,
          '-e',
          `lbprov_known_hosts=${kh}`,
          '-e',
          `lbprov_host_key_checking=${checking}`,
          ...extra,
        ]);
      await new Promise((r) => setTimeout(r, 500));
      // the right key under [addr]:2222 (upper case in the file: names are case-insensitive)
      writeFileSync(
        kh,
        `${h3.address} ${keyOf(lab.hosts[0].address)}\n[${h3.address.toUpperCase()}]:2222 ${keyOf(h3.address)}\n`,
      );
      let r = await run('strict');
      assert.is(r.code, 0, r.stderr + JSON.stringify(r.run));
      assert.equal(readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 2, 'nothing appended');
      // another host's key under [addr]:2222: refused, also with accept-new
      writeFileSync(
        kh,
        `${h3.address} ${keyOf(h3.address)}\n[${h3.address}]:2222 ${keyOf(lab.hosts[0].address)}\n[broken ${keyOf(h3.address)}\n`,
      );
      for (const mode of ['strict', 'accept-new']) {
        r = await run(mode);
        assert.is(r.code, 4, mode);
        assert.match(
          r.run.plays[0].tasks[0].hosts.h3.msg ?? '',
          new RegExp(`HOST KEY MISMATCH for \\[${h3.address.replace(/\./g, '\\.')}\\]:2222`),
        );
      }
      assert.is(readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 3, 'accept-new appended nothing');
      // only the port-22 line: strict refuses; accept-new records [addr]:2222, hashed when asked
      writeFileSync(kh, `${h3.address} ${keyOf(h3.address)}\n`);
      r = await run('strict');
      assert.is(r.code, 4);
      assert.match(r.run.plays[0].tasks[0].hosts.h3.msg ?? '', /is not in/);
      r = await run('accept-new', ['-e', 'lbprov_hash_known_hosts=true']);
      assert.is(r.code, 0, r.stderr);
      const lines = readFileSync(kh, 'utf8').split('\n').filter(Boolean);
      assert.is(lines.length, 2);
      assert.match(lines[1], /^\|1\|/);
      assert.match(
        execFileSync('ssh-keygen', ['-F', `[${h3.address}]:2222`, '-f', kh], { encoding: 'utf8' }),
        /found: line 2/,
      );
      r = await run('strict');
      assert.is(r.code, 0, 'the recorded key is trusted');
    } finally {
      await sh(lab, 'h3', 'rm -f /etc/ssh/sshd_config.d/lbprov-2222.conf && systemctl reload ssh');
    }
  });
}

test.run();
