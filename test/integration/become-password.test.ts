import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, lbprov, lbprovOnTty } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * become with a password over real SSH: ops logs in, its sudo asks for its password; right password
 * runs as root (and as deploy, and as svc through su), a wrong one fails the task with sudo's words;
 * the password never shows in lbprov's output, its JSON, the host's process list or its files.
 */
const test = suite('become with a password on the lab');
const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'playbooks', f);
const opsPw = `ops-${randomBytes(9).toString('hex')}`;
const svcPw = `svc-${randomBytes(9).toString('hex')}`;
let lab: LabState;
let dir: string;

/** A vars file with the become password (kept out of argv of lbprov itself too). */
function varsFile(name: string, vars: Record<string, string>): string {
  const f = join(dir, name);
  writeFileSync(
    f,
    Object.entries(vars)
      .map(([k, v]) => `${k}: "${v}"\n`)
      .join(''),
    { mode: 0o600 },
  );
  return f;
}

if (requireRoot('become with a password on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    dir = mkdtempSync(join(tmpdir(), 'lbprov-become-'));
    const r = await applyJson([
      fx('become-password-setup.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h2',
      '-e',
      `pubkey=${lab.key}.pub`,
      '-e',
      `@${varsFile('setup.yml', { ops_password: opsPw, svc_password: svcPw })}`,
    ]);
    if (r.code !== 0) process.stdout.write(`\n  setup failed: ${JSON.stringify(r.run)}\n`);
    assert.is(r.code, 0);
  });
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('the right password: root, a non-root become_user, su, a templated become; the password is nowhere', async () => {
    // watch the host's process list for the whole run
    await sh(
      lab,
      'h2',
      'rm -f /root/ps.log; nohup bash -c "for i in \\$(seq 1 150); do ps -eo user,args >> /root/ps.log; sleep 0.05; done" >/dev/null 2>&1 &',
    );
    const pw = varsFile('pw.yml', { ansible_become_password: opsPw, svc_password: svcPw, stay_me: 'no' });
    const args = [
      fx('become-password.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h2',
      '-e',
      'ansible_user=ops',
      '-e',
      `@${pw}`,
    ];
    const json = await lbprov(['apply', '--json', ...args]);
    assert.is(json.code, 0, json.stdout + json.stderr);
    const run = JSON.parse(json.stdout) as { stats: Record<string, { ok: number; failed: number }> };
    assert.is(run.stats.h2.failed, 0);
    const verbose = await lbprov(['apply', '-vvvv', ...args]);
    assert.is(verbose.code, 0, verbose.stdout + verbose.stderr);
    assert.match(
      verbose.stderr,
      /become: sudo -H -S -p \[sudo via lbprov, key=\w+\] password: -u root --/,
      '-vvv shows the become command',
    );
    assert.match(verbose.stderr, /become: su svc -c/);
    for (const out of [json.stdout, json.stderr, verbose.stdout, verbose.stderr]) {
      assert.not.ok(out.includes(opsPw), 'the password is not in the output');
      assert.not.ok(out.includes(svcPw));
    }
    const ps = (await sh(lab, 'h2', 'sleep 1; cat /root/ps.log')).out;
    assert.match(ps, /sudo -H -S -p/, 'ps saw sudo running');
    assert.not.ok(ps.includes(opsPw), 'the password is not in any argv on the host');
    const files = await sh(
      lab,
      'h2',
      `grep -rlF -- '${opsPw}' /tmp /var/tmp /home /root /run 2>/dev/null | grep -v '^/root/ps.log$'`,
      true,
    );
    assert.is(files.out.trim(), '', 'no file on the host holds the password');
    const env = await sh(lab, 'h2', `grep -lF -- '${opsPw}' /proc/[0-9]*/environ 2>/dev/null`, true);
    assert.is(env.out.trim(), '', 'no process environment holds it');
  });

  test('-K asks on the terminal, without echo, and the answer is the become password', async () => {
    const r = await lbprovOnTty(
      [
        'apply',
        fx('become-password.yml'),
        '-i',
        lab.inventory,
        '-e',
        'target=h2',
        '-e',
        'ansible_user=ops',
        '-e',
        'stay_me=no',
        '-e',
        `svc_password=${svcPw}`,
        '-K',
      ],
      'BECOME password: ',
      opsPw,
    );
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /h2 : ok=9 changed=0 unreachable=0 failed=0/);
    assert.not.ok(r.stdout.includes(opsPw), 'not echoed');
  });

  test("a wrong password fails the task (exit 2) with sudo's message, not unreachable", async () => {
    const pw = varsFile('bad.yml', { ansible_become_password: 'not-the-password', svc_password: svcPw, stay_me: 'no' });
    const r = await applyJson([
      fx('become-password.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h2',
      '-e',
      'ansible_user=ops',
      '-e',
      `@${pw}`,
    ]);
    assert.is(r.code, 2);
    const first = r.run.plays[0].tasks[0].hosts.h2;
    assert.is(first.status, 'failed');
    assert.match(first.msg ?? '', /sudo to root: the password was refused: .*Sorry, try again/);
    assert.is(r.run.stats.h2.unreachable, 0);
    assert.not.ok(JSON.stringify(r.run).includes('not-the-password'));
  });

  test("a user without sudo rights fails the task with sudo's message", async () => {
    const pw = varsFile('svc.yml', { ansible_become_password: svcPw, svc_password: svcPw, stay_me: 'no' });
    const r = await applyJson([
      fx('become-password.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h2',
      '-e',
      'ansible_user=svc',
      '-e',
      `@${pw}`,
    ]);
    assert.is(r.code, 2);
    assert.match(r.run.plays[0].tasks[0].hosts.h2.msg ?? '', /svc is not in the sudoers file/);
  });

  test('no password where sudo wants one: a clear failure, and -K without a terminal is exit 5', async () => {
    const r = await applyJson([
      fx('become-password.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h2',
      '-e',
      'ansible_user=ops',
      '-e',
      'stay_me=no',
      '-e',
      'svc_password=x',
    ]);
    assert.is(r.code, 2);
    assert.match(r.run.plays[0].tasks[0].hosts.h2.msg ?? '', /sudo to root failed: sudo: a password is required/);
    const k = await lbprov(['apply', fx('become-password.yml'), '-i', lab.inventory, '-e', 'target=h2', '-K']);
    assert.is(k.code, 5);
    assert.match(k.stderr, /-K\/--ask-become-pass needs a terminal/);
  });
}

test.run();
