import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { InputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';
import { applyJson, lbprov } from './helpers/cli.js';
import { requireTools } from './helpers/skip.js';

/**
 * Loops end to end on a local host (connection local, no SSH): the load-time refusals, the item
 * lines of the plain output compared with Debian's ansible-playbook's for every loop form, pause,
 * labels in --json, nested loops through include_tasks.
 */
const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'loops', f);
const inventory = join(packageRoot, 'test', 'conformance', 'inventory.yml');

test('bad loops are refused at load time, each at its position', () => {
  let lines: string[] = [];
  try {
    loadPlaybook(fx('bad-loops.yml'));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    lines = e.message.split('\n');
  }
  const has = (re: RegExp): void =>
    assert.ok(
      lines.some((l) => re.test(l)),
      `no line matching ${re} in:\n${lines.join('\n')}`,
    );
  has(
    /bad-loops\.yml:7:7: 'with_foo' is not a valid attribute for a Task: no lookup "foo" \(loops: loop, with_items, .*with_sequence/,
  );
  has(/bad-loops\.yml:11:7: duplicate loop in task: loop, with_items/);
  has(/bad-loops\.yml:15:23: 'lable' is not a valid attribute for a LoopControl/);
  has(/bad-loops\.yml:15:51: loop_control\.pause must be a number of seconds >= 0, got "soon"/);
  has(/bad-loops\.yml:18:7: 'with_bar' is not a valid attribute for a Task/);
});

test('the CLI exits 5 on a bad loop before any host is contacted', async () => {
  const r = await lbprov(['apply', fx('bad-loops.yml'), '-i', inventory]);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.not.match(r.stdout, /TASK \[/);
});

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: fx(''), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** The status lines, cut after `(item=...)` (debug's output and failure details are each tool's own). */
const itemLines = (out: string): string[] =>
  out
    .split('\n')
    .filter((l) => /^(ok|changed|skipping|failed|fatal|unreachable): \[|^\.\.\.ignoring/.test(l))
    .map((l) =>
      l.replace(/(\(item=.*?\)) => .*$/, '$1').replace(/^(ok|changed|skipping|failed): \[(\w+)\] => \{$/, '$1: [$2]'),
    );

if (requireTools('loops against ansible-playbook', ['ansible-playbook'])) {
  test('every loop form prints the same item lines as ansible-playbook', async () => {
    const pb = fx('items.yml');
    const [a, l] = await Promise.all([
      run('ansible-playbook', ['-i', inventory, pb], { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' }),
      run(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), 'apply', pb, '-i', inventory], { NO_COLOR: '1' }),
    ]);
    const want = itemLines(a);
    assert.ok(want.length > 30, a);
    assert.equal(itemLines(l), want);
    // a few lines spelled out, so a change in both tools cannot pass unseen
    for (const line of [
      "ok: [h1] => (item={'x': 1})",
      'ok: [h1] => (item=https)',
      'ok: [h1] => (item=node07)',
      "ok: [h1] => (item=['c', None])",
      "ok: [h1] => (item=[{'name': 'bob'}, 'k3'])",
      'ok: [h1] => (item=1:bob)',
      'skipping: [h1] => (item=2) ',
      'failed: [h1] (item=2)',
      '...ignoring',
    ])
      assert.ok(want.includes(line), line);
  });
}

test('pause waits between items (not before the first); labels and loop vars reach --json', async () => {
  const r = await applyJson([fx('include-loop.yml'), '-i', inventory]);
  assert.is(r.code, 0, r.stderr);
  const tasks = r.run.plays[0].tasks as unknown as Array<{
    name: string;
    hosts: Record<
      string,
      { status: string; ms: number; items?: Array<{ status: string; label: string; shown?: string }> }
    >;
  }>;
  const paused = tasks.find((t) => t.name === 'paused loop')!.hosts.h1;
  assert.ok(paused.ms >= 800, `3 items with pause 0.4 took ${paused.ms} ms`);
  assert.equal(
    paused.items?.map((i) => i.label),
    ['n1', 'n2', 'n3'],
  );
  // one copy of the included task per outer item, each seeing the outer loop_var and index_var
  const inner = tasks
    .filter((t) => t.name === 'inner loop')
    .map((t) => t.hosts.h1.items?.map((i) => [i.label, i.shown]));
  assert.equal(inner, [
    [
      ['a1', '0-a-1'],
      ['a2', '0-a-2'],
    ],
    [
      ['b1', '1-b-1'],
      ['b2', '1-b-2'],
    ],
  ]);
  const secret = tasks.find((t) => t.name === 'secret loop')!.hosts.h1;
  assert.equal(
    secret.items?.map((i) => i.label),
    ['(censored due to no_log)'],
  );
  assert.not.match(JSON.stringify(r.run), /hidden-value/);
});

test.run();
