import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { applyJson, lbprov } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * Issue #9: max_fail_percentage and any_errors_fatal act at task granularity (Ansible's linear
 * strategy). A batch of h1..h3 and a second batch of h4 (another name for h1's machine, so a fourth
 * host costs no boot): h2 fails its second task slowly, so under a free strategy h1 and h3 would be
 * at their third task long before; under linear none of them starts it, and h4 never starts.
 */
const test = suite('failure semantics: linear strategy');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-linear-'));
const DIR = '/opt/lbtest/linear';
let lab: LabState;
let inv: string[];

function playbook(head: string): string {
  const f = join(tmp, `pb-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(
    f,
    `- hosts: fs
  gather_facts: false
${head}
  tasks:
    - name: first
      shell: { cmd: "mkdir -p ${DIR} && touch ${DIR}/{{ inventory_hostname }}-t1" }
    - name: h2 fails, slowly
      shell: { cmd: "if [ {{ inventory_hostname }} = h2 ]; then sleep 1.5; exit 3; fi" }
    - name: third
      shell: { cmd: "touch ${DIR}/{{ inventory_hostname }}-t3" }
`,
  );
  return f;
}

/** The marker files on the three machines (h4's land on h1's disk). */
async function markers(): Promise<string[]> {
  const out: string[] = [];
  for (const h of ['h1', 'h2', 'h3'])
    out.push(...(await sh(lab, h, `ls ${DIR} 2>/dev/null || true`)).out.split('\n').filter(Boolean));
  return out.sort();
}

if (requireRoot('failure semantics: linear strategy', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    const f = join(tmp, 'fs-inventory.yml');
    writeFileSync(f, `fs:\n  hosts:\n    h1:\n    h2:\n    h3:\n    h4: { ansible_host: ${lab.hosts[0].address} }\n`);
    inv = ['-i', lab.inventory, '-i', f];
  });
  test.before.each(async () => {
    for (const h of ['h1', 'h2', 'h3']) await sh(lab, h, `rm -rf ${DIR}`);
  });

  test('max_fail_percentage 0: h2 fails; h1 and h3 stop before their next task; batch 2 never starts; exit 2', async () => {
    const r = await applyJson([playbook('  serial: [3, 1]\n  max_fail_percentage: 0'), ...inv]);
    assert.is(r.code, 2, r.stderr);
    assert.equal(await markers(), ['h1-t1', 'h2-t1', 'h3-t1'], 'no third-task marker anywhere, nothing from h4');
    const stopped = (r.run as unknown as { stopped: Record<string, string> }).stopped;
    assert.equal(Object.keys(stopped).sort(), ['h1', 'h3', 'h4']);
    assert.match(
      stopped.h1,
      /stopped before its next task: 1 of 3 hosts failed \(h2 at "h2 fails, slowly"\), more than max_fail_percentage 0%/,
    );
    assert.match(stopped.h4, /not started/);
    assert.is(r.run.stats.h2.failed, 1);
    assert.is(r.run.stats.h4, undefined, 'h4 was never contacted');
  });

  test('the plain output has batch headers and the recap says who was stopped and why', async () => {
    const r = await lbprov(['apply', playbook('  serial: [3, 1]\n  max_fail_percentage: 0'), ...inv]);
    assert.is(r.code, 2);
    assert.match(r.stdout, /^batch 1\/2: h1, h2, h3$/m);
    assert.not.match(r.stdout, /^batch 2\/2/m);
    assert.match(r.stdout, /PLAY RECAP[^]*^h1, h3: stopped before its next task: 1 of 3 hosts failed/m);
    assert.match(r.stdout, /^h4: not started: the rollout stopped at an earlier batch$/m);
  });

  test('any_errors_fatal (one batch): the same stop at the failing task', async () => {
    const r = await applyJson([playbook('  any_errors_fatal: true'), ...inv, '-l', 'h1,h2,h3']);
    assert.is(r.code, 2);
    assert.equal(await markers(), ['h1-t1', 'h2-t1', 'h3-t1']);
    const stopped = (r.run as unknown as { stopped: Record<string, string> }).stopped;
    assert.match(stopped.h3, /any_errors_fatal: h2 at "h2 fails, slowly" failed/);
  });

  test('within the threshold (max_fail_percentage 50, 1 of 3 failed) the batch goes on, and so does the next', async () => {
    const r = await applyJson([playbook('  serial: [3, 1]\n  max_fail_percentage: 50'), ...inv]);
    assert.is(r.code, 2);
    assert.equal(await markers(), ['h1-t1', 'h1-t3', 'h2-t1', 'h3-t1', 'h3-t3', 'h4-t1', 'h4-t3']);
  });

  test('strategy: free keeps hosts independent: h1 and h3 run ahead, the rule applies between batches', async () => {
    const r = await applyJson([playbook('  serial: [3, 1]\n  max_fail_percentage: 0\n  strategy: free'), ...inv]);
    assert.is(r.code, 2);
    assert.equal(await markers(), ['h1-t1', 'h1-t3', 'h2-t1', 'h3-t1', 'h3-t3']);
  });
}

test.run();
