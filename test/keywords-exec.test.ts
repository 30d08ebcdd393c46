import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { Scope } from '../src/playbook/scope.js';
import type { Task } from '../src/playbook/types.js';
import { InputError } from '../src/util/errors.js';
import { mergeExec } from '../src/playbook/exec-keywords.js';
import { exportHead, taskEnvironment } from '../src/executor/environment.js';
import { RunOnce, runOnceMakesLinear, type Claim } from '../src/executor/run-once.js';
import { throttleLimit, Throttles } from '../src/executor/throttle.js';
import { Delegates, delegateTarget } from '../src/executor/delegate.js';
import { PlaybookRunner } from '../src/executor/play-runner.js';
import type { Inventory } from '../src/inventory/types.js';

/** Pure tests of the execution keywords: loading, inheritance, and the planning pieces the runner uses. */

const dir = mkdtempSync(join(tmpdir(), 'lbprov-kw-exec-'));
let n = 0;
function load(yaml: string): ReturnType<typeof loadPlaybook> {
  const f = join(dir, `pb${n++}.yml`);
  writeFileSync(f, yaml);
  return loadPlaybook(f);
}
function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  }
  return [];
}
const task = (pb: ReturnType<typeof loadPlaybook>, name: string): Task =>
  pb.plays.flatMap((p) => p.tasks).find((t) => t.name === name)!;

test('keywords are inherited from play and block, the innermost wins; environment merges outer first', () => {
  const pb = load(`
- hosts: all
  environment: { A: play, B: play }
  throttle: 3
  tasks:
    - name: plain
      command: "true"
    - block:
        - name: inner
          command: "true"
          environment: { B: task }
          throttle: 1
      environment: { C: block }
      delegate_to: localhost
      run_once: true
      ignore_unreachable: true
`);
  const plain = task(pb, 'plain');
  assert.equal(plain.exec, { throttle: 3, environment: [{ A: 'play', B: 'play' }] });
  const inner = task(pb, 'inner');
  assert.equal(inner.exec?.delegateTo, 'localhost');
  assert.equal(inner.exec?.runOnce, true);
  assert.equal(inner.exec?.ignoreUnreachable, true);
  assert.equal(inner.exec?.throttle, 1);
  assert.equal(inner.exec?.environment, [{ A: 'play', B: 'play' }, { C: 'block' }, { B: 'task' }]);
  const env = taskEnvironment(inner.exec?.environment, new Scope({}, {}));
  assert.equal(env, { A: 'play', B: 'task', C: 'block' });
});

test('local_action is the module delegated to localhost', () => {
  const pb = load(`
- hosts: all
  tasks:
    - name: short
      local_action: command echo hi
    - name: long
      local_action: { module: copy, content: x, dest: /tmp/x }
`);
  const s = task(pb, 'short');
  assert.is(s.module, 'command');
  assert.is(s.exec?.delegateTo, 'localhost');
  const l = task(pb, 'long');
  assert.is(l.module, 'copy');
  assert.equal(l.args, { content: 'x', dest: '/tmp/x' });
  assert.is(l.exec?.delegateTo, 'localhost');
});

test('bad keyword values are load-time errors at file:line:col', () => {
  const p = problems(`- hosts: all
  delegate_to: localhost
  tasks:
    - name: t
      command: "true"
      throttle: -1
      run_once: [1]
      environment: { "BAD-NAME": x }
    - name: u
      command: "true"
      environment: "not a template"
      ignore_unreachable: maybe
`);
  const has = (re: RegExp): void =>
    assert.ok(
      p.some((l) => re.test(l)),
      `expected ${re} in:\n${p.join('\n')}`,
    );
  has(/pb\d+\.yml:2:3: play "all": unknown key "delegate_to"/);
  has(/pb\d+\.yml:6:17: task "t": "throttle" must be >= 0/);
  has(/pb\d+\.yml:7:17: task "t": "run_once" must be boolean or string, not a list/);
  has(/pb\d+\.yml:8:22: environment: "BAD-NAME" is not a variable name/);
  has(/pb\d+\.yml:11:20: environment: "not a template" is neither a mapping nor a template of one/);
  has(/pb\d+\.yml:12:27: task "u": "ignore_unreachable" must be boolean/);
});

test('a block and a role entry accept the keywords', () => {
  assert.equal(
    problems(`- hosts: all
  tasks:
    - block:
        - command: "true"
      delegate_to: "{{ other }}"
      delegate_facts: true
      throttle: "{{ n }}"
`),
    [],
  );
});

test('environment: templates, Python-like strings, a template of a mapping, bad names at run time', () => {
  const scope = new Scope({ port: 8080, proxy: { HTTP_PROXY: 'http://p:3128' } }, { inventory_hostname: 'h1' });
  assert.equal(taskEnvironment([{ PORT: '{{ port }}', ON: true, NONE: null, H: '{{ inventory_hostname }}' }], scope), {
    PORT: '8080',
    ON: 'True',
    NONE: 'None',
    H: 'h1',
  });
  assert.equal(taskEnvironment(['{{ proxy }}'], scope), { HTTP_PROXY: 'http://p:3128' });
  assert.throws(() => taskEnvironment(['{{ port }}'], scope), /environment must be a mapping/);
  assert.throws(() => taskEnvironment([{ 'A B': 1 }], scope), /not a variable name/);
});

test('the environment head quotes every value and never runs it', () => {
  const head = exportHead({ A: "it's $(rm -rf /) `x` ; y", B: 'plain' });
  assert.is(head, "export A='it'\\''s $(rm -rf /) `x` ; y'\nexport B=plain\n");
  assert.throws(() => exportHead({ A: 'a\0b' }), /NUL/);
  assert.is(exportHead({}), '');
});

const fakeTask = (name: string, exec?: Task['exec']): Task => ({ name, exec }) as Task;

test('run_once: the first live host runs, the others get its result', async () => {
  const live = new Set(['a', 'b', 'c']);
  const once = new RunOnce(['a', 'b', 'c'], (h) => live.has(h));
  const t = fakeTask('t');
  // b arrives first but a is the first host of the batch
  const b = once.claim(t, 'b');
  const a = await once.claim(t, 'a');
  assert.ok(a.run);
  if (a.run) a.done({ runner: 'a', registered: { stdout: 'x' }, ok: true });
  const rb = await b;
  assert.equal(rb, { run: false, result: { runner: 'a', registered: { stdout: 'x' }, ok: true } });
  // a late claim takes the stored result
  const c = await once.claim(t, 'c');
  assert.not.ok(c.run);
});

test('run_once: a failed first host is skipped; a chosen host that moves on hands the task over', async () => {
  const live = new Set(['b', 'c']);
  const once = new RunOnce(['a', 'b', 'c'], (h) => live.has(h));
  const t = fakeTask('t');
  const c = once.claim(t, 'c');
  // b is chosen (a is out) but finishes its step on another task: c runs it
  once.passed('b');
  const got: Claim = await c;
  assert.ok(got.run);
});

test('run_once makes a play without a strategy linear, not one that says free', () => {
  const pb = load(`
- hosts: all
  tasks:
    - { command: "true", run_once: true }
- hosts: all
  strategy: free
  tasks:
    - { command: "true", run_once: true }
- hosts: all
  tasks:
    - command: "true"
`);
  assert.equal(
    pb.plays.map((p) => runOnceMakesLinear(p)),
    [true, false, false],
  );
  assert.equal(
    pb.plays.map((p) => PlaybookRunner.linear(p)),
    [true, false, false],
  );
});

test('throttle: never more than N jobs of one task at once', async () => {
  const th = new Throttles();
  const t = fakeTask('t');
  let now = 0;
  let max = 0;
  const job = async (): Promise<void> => {
    now++;
    max = Math.max(max, now);
    await new Promise((r) => setTimeout(r, 5));
    now--;
  };
  await Promise.all(Array.from({ length: 6 }, () => th.run(t, 2, job)));
  assert.is(max, 2);
  max = 0;
  await Promise.all(Array.from({ length: 4 }, () => th.run(t, 0, job)));
  assert.is(max, 4);
  assert.is(throttleLimit('3'), 3);
  assert.throws(() => throttleLimit('x'), /whole number/);
});

test('delegate_to: rendered with the delegating host, localhost is implicit and local', () => {
  const t = fakeTask('t', { delegateTo: '{{ target }}' });
  assert.is(delegateTarget(t, new Scope({ target: 'db1' }, {})), 'db1');
  assert.is(delegateTarget(fakeTask('u'), new Scope({}, {})), undefined);
  const inv: Inventory = {
    hosts: new Map([
      ['db1', { name: 'db1', vars: { ansible_host: '10.0.0.5', ansible_become_user: 'pg' }, groups: [] }],
    ]),
    groups: new Map(),
    files: [],
  };
  const d = new Delegates({ inv, extraVars: {}, connectTimeoutMs: 1000, hostVars: (h) => h.vars, libs: () => [] });
  assert.equal(d.host('localhost').vars.ansible_connection, 'local');
  assert.equal(d.host('127.0.0.1').vars.ansible_connection, 'local');
  assert.is(d.host('db1').vars.ansible_host, '10.0.0.5');
  assert.equal(d.becomeVars('db1'), { ansible_become_user: 'pg' });
  assert.equal(d.host('elsewhere').vars, {});
});

test('mergeExec keeps undefined for nothing set', () => {
  assert.is(mergeExec(undefined, {}), undefined);
  assert.equal(mergeExec({ throttle: 2 }, { runOnce: true }), { throttle: 2, runOnce: true });
});

test.run();
