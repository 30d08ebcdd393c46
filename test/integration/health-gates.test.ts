import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { applyJson, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** Issue #9 health gates on a real lab host: until/retries/delay, wait_for, uri. */
const test = suite('health gates: until, wait_for, uri');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-health-'));
const D = '/opt/lbtest/health';
let lab: LabState;

async function play(tasks: string, ...args: string[]): Promise<{ code: number; run: JsonRun; stderr: string }> {
  const f = join(tmp, `pb-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(f, `- hosts: h1\n  gather_facts: false\n  tasks:\n${tasks}`);
  return applyJson([f, '-i', lab.inventory, ...args]);
}
const task = (r: { run: JsonRun }, name: string) => r.run.plays[0].tasks.find((t) => t.name === name)?.hosts.h1;

if (requireRoot('health gates: until, wait_for, uri', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    await sh(
      lab,
      'h1',
      `rm -rf ${D}; mkdir -p ${D}/www; echo 'hello lbprov' > ${D}/www/index.html; systemctl stop lbtest-http 2>/dev/null; systemctl reset-failed lbtest-http 2>/dev/null; systemd-run --collect --unit=lbtest-http python3 -m http.server 18080 --bind 127.0.0.1 --directory ${D}/www >/dev/null`,
    );
  });
  test.after(async () => {
    if (lab) await sh(lab, 'h1', 'systemctl stop lbtest-http', true);
  });

  const counter = (file: string) =>
    `shell: { cmd: "n=$(cat ${D}/${file} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${D}/${file}; [ $n -ge 3 ]" }`;

  test('until retries a task that succeeds on its 3rd try; register holds attempts', async () => {
    const r = await play(`    - name: third time lucky
      ${counter('c1')}
      register: r
      until: r.rc == 0
      retries: 5
      delay: 0
    - name: attempts
      assert: { that: "r.attempts == 3 and r.rc == 0" }
`);
    assert.is(r.code, 0, JSON.stringify(r.run.plays[0].tasks, null, 1));
    assert.is((await sh(lab, 'h1', `cat ${D}/c1`)).out.trim(), '3');
  });

  test('until never true: the host fails after retries + 1 attempts (Ansible counts so); without retries, 3 attempts', async () => {
    const r = await play(`    - name: never
      shell: { cmd: "echo x >> ${D}/c2; exit 1" }
      register: r
      until: r.rc == 0
      retries: 2
      delay: 0.2
`);
    assert.is(r.code, 2);
    assert.match(task(r, 'never')!.msg!, /until "r\.rc == 0" still false after 3 attempts/);
    assert.is((await sh(lab, 'h1', `wc -l < ${D}/c2`)).out.trim(), '3');
    const d = await play(`    - name: default retries
      shell: { cmd: "echo x >> ${D}/c3; exit 1" }
      register: r
      until: r is succeeded
      delay: 0
`);
    assert.is(d.code, 2);
    assert.is((await sh(lab, 'h1', `wc -l < ${D}/c3`)).out.trim(), '3');
  });

  test('wait_for: ports open and closed, a path that appears, search_regex; timeouts fail the host', async () => {
    await sh(
      lab,
      'h1',
      `rm -f ${D}/appears; systemd-run --on-active=4 --timer-property=AccuracySec=100ms /bin/sh -c 'echo ready=yes > ${D}/appears' >/dev/null`,
    );
    const ok = await play(`    - name: sshd listens
      wait_for: { port: 22, host: "{{ ansible_host }}", timeout: 5 }
    - name: nothing on port 1
      wait_for: { port: 1, state: stopped, timeout: 5 }
    - name: the file appears
      wait_for: { path: ${D}/appears, search_regex: "^ready=yes$", timeout: 15, sleep: 0.2 }
      register: w
    - name: it waited
      assert: { that: "w.elapsed > 0.5" }
    - name: a path that is absent
      wait_for: { path: ${D}/nothing, state: absent, timeout: 1 }
`);
    assert.is(ok.code, 0, JSON.stringify(ok.run.plays[0].tasks, null, 1));
    for (const [name, args, why] of [
      [
        'a port nobody opens',
        '{ port: 1, timeout: 1, sleep: 0.2 }',
        /timeout \(1 s\) waiting for port 1 on 127\.0\.0\.1 to be started/,
      ],
      [
        'a file that stays',
        `{ path: ${D}/appears, state: absent, timeout: 1, sleep: 0.2 }`,
        /timeout \(1 s\) waiting for .*appears to be absent/,
      ],
      [
        'a regex that never matches',
        `{ path: ${D}/appears, search_regex: "^nope", timeout: 1, sleep: 0.2 }`,
        /timeout \(1 s\) waiting for .*appears to be present \(matching \/\^nope\/\)/,
      ],
    ] as const) {
      const bad = await play(`    - name: ${name}\n      wait_for: ${args}\n`);
      assert.is(bad.code, 2, name);
      assert.match(task(bad, name)!.msg!, why);
    }
  });

  test('uri: status and body from the host itself (curl, and the bash /dev/tcp client); failures say why', async () => {
    const ok = await play(`    - name: curl
      uri: { url: "http://127.0.0.1:18080/", body_contains: "hello lbprov" }
      register: u
    - name: the body is registered
      assert: { that: "u.status == 200 and 'hello' in u.content" }
    - name: bash client
      uri: { url: "http://127.0.0.1:18080/index.html", body_regex: "^hello", client: bash }
    - name: a 404 that is expected
      uri: { url: "http://127.0.0.1:18080/missing", status_code: [404] }
`);
    assert.is(ok.code, 0, JSON.stringify(ok.run.plays[0].tasks, null, 1));
    for (const [name, args, why] of [
      ['wrong status', '{ url: "http://127.0.0.1:18080/missing" }', /status 404, expected 200/],
      [
        'wrong body',
        '{ url: "http://127.0.0.1:18080/", body_regex: "^goodbye" }',
        /the body does not match \/\^goodbye\//,
      ],
      ['nobody listens', '{ url: "http://127.0.0.1:1/", timeout: 2 }', /no HTTP answer/],
      ['nobody listens (bash)', '{ url: "http://127.0.0.1:1/", timeout: 2, client: bash }', /no HTTP answer/],
    ] as const) {
      const bad = await play(`    - name: ${name}\n      uri: ${args}\n`);
      assert.is(bad.code, 2, name);
      assert.match(task(bad, name)!.msg!, why);
    }
    const check = await play('    - name: curl\n      uri: { url: "http://127.0.0.1:1/" }\n', '--check');
    assert.is(check.code, 0, 'check mode sends no request');
    assert.is(task(check, 'curl')!.status, 'skipped');
  });
}

test.run();
