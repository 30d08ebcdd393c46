import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lbprov } from '../helpers/cli.js';

/** no_log bypasses, end to end on `connection: local`: task headers, warnings, debug of a registered secret, Handlebars' log. */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-nolog-'));
const SECRET = 'pw-9f8e7d6c5b4a-never-shown';
const pb = join(dir, 'nolog.yml');
writeFileSync(
  pb,
  `- hosts: localhost
  gather_facts: true
  vars:
    secret: "${SECRET}"
  tasks:
    - command: echo --password={{ secret }}
      no_log: true
      register: out
    - debug: { var: out }
    - debug: { msg: "{{ out.stdout }}" }
    - debug: { var: out.stdout_lines }
    - nic_check: { interfaces: "{{ secret }}*", require: false }
      no_log: true
    - name: not a secret
      debug: { msg: "public {{ out.rc }}x" }
      when: false
    - name: plain message
      debug: { msg: "hello public" }
`,
);

test('a task without a name is named by its module (header, --json, --list-tasks), never by its arguments', async () => {
  const list = await lbprov(['apply', pb, '--list-tasks']);
  assert.is(list.code, 0, list.stderr);
  assert.not.ok(list.stdout.includes(SECRET), list.stdout);
  assert.not.ok(list.stdout.includes('--password'), list.stdout);
  assert.match(list.stdout, /\bcommand\b/);
  const plain = await lbprov(['apply', pb]);
  assert.is(plain.code, 0, plain.stdout + plain.stderr);
  assert.match(plain.stdout, /TASK \[command\]/);
  const json = await lbprov(['apply', pb, '--json']);
  assert.is(json.code, 0, json.stderr);
  const run = JSON.parse(json.stdout) as { plays: Array<{ tasks: Array<{ name: string }> }> };
  assert.is(run.plays[0].tasks.find((t) => t.name.startsWith('command'))?.name, 'command');
});

test("the secret is in no output: terminal lines, warnings, JSON; debug of a no_log task's registered result is censored too", async () => {
  for (const args of [[], ['--json']]) {
    const r = await lbprov(['apply', pb, ...args]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.not.ok((r.stdout + r.stderr).includes(SECRET), `secret shown (${args.join(' ')}):\n${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.includes('hello public'), 'debug output of other tasks is shown');
  }
  const plain = await lbprov(['apply', pb]);
  assert.match(
    plain.stdout,
    /\[WARNING\]: the output has been hidden/,
    "a no_log task's warning is replaced, not dropped",
  );
  assert.not.match(plain.stdout, /no NIC of model/);
});

test("Handlebars' log helper is refused at load time with its position", async () => {
  const bad = join(dir, 'log.yml');
  writeFileSync(
    bad,
    `- hosts: localhost\n  gather_facts: false\n  vars:\n    secret: x\n  tasks:\n    - debug:\n        msg: "{{log secret}}"\n    - copy: { dest: /tmp/x, content: "{{#if (log secret)}}y{{/if}}" }\n`,
  );
  const r = await lbprov(['validate', bad]);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.match(r.stderr + r.stdout, new RegExp(`${bad.replace(/[.]/g, '\\.')}:7:\\d+: .*"log" helper`));
  assert.match(r.stderr + r.stdout, /:8:\d+: .*"log" helper/);
  assert.not.match(r.stdout, /\bx\b/);
});

test.run();
