import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { applyJson, lbprov, withStatus } from './helpers/cli.js';

/** The executor end to end on `connection: local` (no root, no SSH): the CLI as a user runs it. */
const pb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'local-ops.yml');
const base = mkdtempSync(join(tmpdir(), 'lbprov-local-'));
const SECRET = 's3cr3t-value-never-shown';
const vars = ['-e', `base=${base}`, '-e', `secret_value=${SECRET}`];

test('check mode on a fresh target changes nothing and predicts what apply then changes', async () => {
  const check = await applyJson([pb, '--check', '--diff', ...vars]);
  assert.is(check.code, 0, check.stderr);
  assert.not.ok(existsSync(join(base, 'files')), 'check mode wrote nothing');
  const first = await applyJson([pb, ...vars]);
  assert.is(first.code, 0, first.stderr);
  // the command has `creates` (not there yet): check mode says it would run, as Ansible's does
  const predicted = withStatus(check.run, 'changed');
  const changed = withStatus(first.run, 'changed');
  assert.ok(changed.includes('command with creates @ localhost'));
  assert.equal(predicted, changed);
  assert.ok(changed.length >= 7, changed.join('\n'));
});

test('the files are what the playbook says', () => {
  const d = join(base, 'files');
  assert.is((statSync(d).mode & 0o777).toString(8), '750');
  assert.is(
    readFileSync(join(d, 'app.conf'), 'utf8'),
    '# rendered by lbprov\nworkers = 4\nport = 8080\nupstream = 10.0.0.1\nupstream = 10.0.0.2\n',
  );
  assert.is((statSync(join(d, 'app.conf')).mode & 0o777).toString(8), '600');
  assert.is(readlinkSync(join(d, 'link')), join(d, 'literal.txt'));
  assert.is(readFileSync(join(d, 'item-b.txt'), 'utf8'), 'item b\n');
  assert.ok(existsSync(join(d, 'created')));
  assert.is(readFileSync(join(d, 'handler-ran'), 'utf8'), 'yes\n', 'the notified handler ran');
});

test('a second apply reports changed=0 and runs no handler', async () => {
  const again = await applyJson([pb, ...vars]);
  assert.is(again.code, 0);
  assert.is(again.run.stats.localhost.changed, 0, JSON.stringify(withStatus(again.run, 'changed')));
  assert.equal(
    again.run.plays[0].tasks.filter((t) => t.name === 'conf changed'),
    [],
  );
});

test('a drifted file is found by check --diff and put back by apply', async () => {
  const conf = join(base, 'files', 'app.conf');
  writeFileSync(conf, 'edited by hand\n');
  const check = await applyJson([pb, '--check', '--diff', ...vars]);
  assert.equal(withStatus(check.run, 'changed'), ['conf from template @ localhost']);
  assert.ok(
    check.run.plays[0].tasks.some((x) => x.name === 'conf changed'),
    'the handler is notified in check mode too',
  );
  const t = check.run.plays[0].tasks.find((x) => x.name === 'conf from template')!;
  assert.is(t.hosts.localhost.diff?.[0].before, 'edited by hand\n');
  assert.is(readFileSync(conf, 'utf8'), 'edited by hand\n', 'check mode left it alone');
  const plain = await lbprov(['apply', pb, '--check', '--diff', ...vars]);
  assert.match(
    plain.stdout,
    /--- before: .*app\.conf\n\+\+\+ after: .*app\.conf\n@@ .* @@\n-edited by hand\n\+# rendered by lbprov/,
  );
  const fix = await applyJson([pb, ...vars]);
  assert.is(fix.run.stats.localhost.changed, 1);
  assert.match(readFileSync(conf, 'utf8'), /^# rendered by lbprov/);
});

test('no_log hides the secret everywhere: plain output, JSON, diffs', async () => {
  writeFileSync(join(base, 'files', 'secret.txt'), 'old\n');
  const plain = await lbprov(['apply', pb, '--check', '--diff', ...vars]);
  const json = await lbprov(['apply', pb, '--check', '--diff', '--json', ...vars]);
  for (const out of [plain.stdout + plain.stderr, json.stdout + json.stderr]) assert.not.match(out, SECRET);
  assert.match(plain.stdout, /TASK \[secret\][^\n]*\nchanged: \[localhost\]/);
  const real = await lbprov(['apply', pb, '--diff', ...vars]);
  assert.not.match(real.stdout + real.stderr, SECRET);
  assert.is(readFileSync(join(base, 'files', 'secret.txt'), 'utf8'), `${SECRET}\n`);
});

test('--tags and --skip-tags select tasks', async () => {
  const only = await applyJson([pb, '--tags', 'setup', ...vars]);
  assert.equal(
    only.run.plays[0].tasks.map((t) => t.name),
    ['dir'],
  );
  const skip = await applyJson([pb, '--skip-tags', 'setup', ...vars]);
  assert.not.ok(skip.run.plays[0].tasks.some((t) => t.name === 'dir'));
});

test('a failing task fails the host (exit 2) with the task and message; ignore_errors carries on', async () => {
  const f = join(base, 'fail.yml');
  writeFileSync(
    f,
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: ignored\n      command: "false"\n      ignore_errors: true\n    - name: boom\n      command: ls /nonexistent-dir-lbprov\n    - name: never reached\n      debug: { msg: x }\n`,
  );
  const r = await lbprov(['apply', f]);
  assert.is(r.code, 2);
  assert.match(r.stdout, /failed: \[localhost\] => non-zero return code 1.*\.\.\.ignoring/);
  assert.match(
    r.stdout,
    /TASK \[boom\][^\n]*\nfailed: \[localhost\] => non-zero return code 2: .*nonexistent-dir-lbprov/,
  );
  assert.not.match(r.stdout, /never reached/);
  assert.match(r.stdout, /localhost : ok=1 changed=1 unreachable=0 failed=1 skipped=0 rescued=0 ignored=1/);
});

test('a missing variable fails that host and task clearly', async () => {
  const f = join(base, 'missing.yml');
  writeFileSync(
    f,
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: uses a typo\n      debug: { msg: "{{ lb_prot }}" }\n`,
  );
  const r = await lbprov(['apply', f]);
  assert.is(r.code, 2);
  assert.match(r.stdout, /failed: \[localhost\] => undefined variable "lb_prot"/);
});

test("a command over its timeout fails that task; the host's next task still runs in a fresh remote shell", async () => {
  const f = join(base, 'timeout.yml');
  writeFileSync(
    f,
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: slow\n      command: sleep 5\n      timeout: 1\n      ignore_errors: true\n    - name: after\n      command: echo still here\n      register: after\n    - assert: { that: "after.stdout == 'still here'" }\n`,
  );
  const t0 = Date.now();
  const r = await applyJson([f]);
  assert.ok(Date.now() - t0 < 4500, 'did not wait for the sleep');
  assert.is(r.code, 0, JSON.stringify(r.run));
  assert.match(r.run.plays[0].tasks[0].hosts.localhost.msg ?? '', /timed out after 1s/);
});

test('SIGINT stops the run after the running task: exit 99, recap printed', async () => {
  const f = join(base, 'interrupt.yml');
  writeFileSync(
    f,
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 1\n    - command: sleep 1\n    - command: sleep 1\n`,
  );
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), 'apply', f], {
    cwd: packageRoot,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let sent = false;
  // interrupt once the first task runs (a fixed delay races node's start-up on a busy machine)
  child.stdout.on('data', (d) => {
    out += d;
    if (!sent && out.includes('TASK [')) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 300);
    }
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.is(code, 99);
  const done = /localhost : ok=(\d) changed=(\d) unreachable=0 failed=0 skipped=0/.exec(out);
  assert.ok(done, out);
  assert.ok(Number(done[1]) < 3 && done[1] === done[2], `stopped after the running task, before the last: ${done[0]}`);
});

test('the shipped examples dry-run on localhost without root or SSH', async () => {
  const r = await lbprov(['apply', 'playbooks/hello.yml', '--check', '--diff']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /localhost : ok=\d+ changed=\d+ unreachable=0 failed=0/);
});

test.run();
