import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { lbprov, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** Issue #9: a retry file after a run with failed hosts, `--limit @FILE`, `--start-at-task`. */
const test = suite('retry files and --start-at-task');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-retry-'));
const env = { LBPROV_RETRY_FILES_SAVE_PATH: join(tmp, 'retry') };
const DIR = '/opt/lbtest/retry';
const pb = join(tmp, 'rolling.yml');
let lab: LabState;

writeFileSync(
  pb,
  `- hosts: lab
  gather_facts: false
  tasks:
    - name: first
      shell: { cmd: "mkdir -p ${DIR} && touch ${DIR}/t1" }
    - name: broken on h2 and h3 unless fixed
      assert: { that: "fixed is defined or inventory_hostname == 'h1'" }
    - name: third
      shell: { cmd: "touch ${DIR}/t3" }
`,
);

const run = async (...args: string[]): Promise<{ code: number; run: JsonRun; stderr: string }> => {
  const r = await lbprov(['apply', '--json', pb, '-i', lab.inventory, ...args], { env });
  return { code: r.code, run: JSON.parse(r.stdout) as JsonRun, stderr: r.stderr };
};

if (requireRoot('retry files and --start-at-task', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    for (const h of ['h1', 'h2', 'h3']) await sh(lab, h, `rm -rf ${DIR}`);
  });

  test('a run with failed hosts writes them to a retry file; --limit @file reruns exactly those', async () => {
    const first = await run();
    assert.is(first.code, 2);
    const file = join(tmp, 'retry', 'rolling.retry');
    assert.ok(existsSync(file), first.stderr);
    assert.is(readFileSync(file, 'utf8'), 'h2\nh3\n');
    assert.match(first.stderr, new RegExp(`--limit @${file}`));
    const again = await run('--limit', `@${file}`, '-e', 'fixed=1');
    assert.is(again.code, 0, again.stderr);
    assert.equal(Object.keys(again.run.stats).sort(), ['h2', 'h3'], 'exactly the failed hosts');
    for (const h of ['h2', 'h3']) assert.is((await sh(lab, h, `ls ${DIR}`)).out, 't1\nt3\n');
  });

  test('--start-at-task skips the tasks before it (a glob matches too)', async () => {
    await sh(lab, 'h1', `rm -f ${DIR}/t1 ${DIR}/t3`);
    const r = await run('--start-at-task', 'thi*', '-l', 'h1');
    assert.is(r.code, 0, r.stderr);
    assert.equal(
      r.run.plays[0].tasks.map((t) => t.name),
      ['third'],
    );
    assert.is((await sh(lab, 'h1', `ls ${DIR}`)).out, 't3\n');
  });

  test('bad input, before any host is contacted: an unknown --start-at-task, a missing retry file, a retry file naming an unknown host (exit 5)', async () => {
    const a = await lbprov(['apply', pb, '-i', lab.inventory, '--start-at-task', 'no such task'], { env });
    assert.is(a.code, 5);
    assert.match(a.stderr, /--start-at-task no such task: no task of .* has that name/);
    const b = await lbprov(['apply', pb, '-i', lab.inventory, '--limit', `@${join(tmp, 'none.retry')}`], { env });
    assert.is(b.code, 5);
    assert.match(b.stderr, /cannot read/);
    writeFileSync(join(tmp, 'ghost.retry'), 'h1\nghost9\n');
    const c = await lbprov(['apply', pb, '-i', lab.inventory, '--limit', `@${join(tmp, 'ghost.retry')}`], { env });
    assert.is(c.code, 5);
    assert.match(c.stderr, /unknown: ghost9/);
  });
}

test.run();
