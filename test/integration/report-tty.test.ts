import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { hasScript, onPty } from '../helpers/pty.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * The live terminal view (src/report/tty.ts) on a real pseudo-terminal (util-linux `script`)
 * against lab hosts, read as a person would read the screen: ANSI sequences stripped.
 */
const test = suite('live terminal view');
let lab: LabState;

if (
  requireRoot('live terminal view', [...labMissing(), ...(hasScript() ? [] : ['script (Debian package bsdutils)'])])
) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test('every host shows its task from the start, failures keep host and message, batches show progress', async () => {
    const r = await onPty([
      'apply',
      join(packageRoot, 'test', 'fixtures', 'playbooks', 'tty-view.yml'),
      '-i',
      lab.inventory,
    ]);
    const s = r.screen;
    assert.is(r.code, 2, s);
    // the log streams above the view: batch 1 runs until batch 2's header
    const batch1 = s.slice(s.indexOf('batch 1/2: h1, h2'), s.indexOf('batch 2/2: h3'));
    assert.ok(batch1.length > 0, s);
    // from the first frames on, each host's row names the task it is on: facts first
    for (const h of ['h1', 'h2']) {
      const facts = batch1.indexOf(`${h}: Gathering Facts`);
      assert.ok(facts >= 0 && facts < batch1.indexOf(`${h}: nap`), `${h}: facts row before the first task:\n${batch1}`);
    }
    assert.match(batch1, /batch 1\/2: 0\/2 hosts done/);
    assert.match(batch1, /batch 1\/2: 1\/2 hosts done/);
    // the view left on screen when the batch is over: the header, h1 done, h2's failure with its message
    const last = batch1.slice(batch1.lastIndexOf('batch 1/2: 2/2 hosts done'));
    assert.match(
      last,
      /^batch 1\/2: 2\/2 hosts done, 1 failed\n {2}✔ h1: done\n {2}✖ h2: probe: failed: non-zero return code 1\n/,
    );
    // the failure shows as it happens: one frame has it while h1 is still on a later task
    assert.match(batch1, /\n {2}\S h1: linger\n {2}✖ h2: probe: failed: non-zero return code 1\n/);
    const batch2 = s.slice(s.indexOf('batch 2/2: h3'));
    assert.match(batch2, /batch 2\/2: 0\/1 hosts done/);
    assert.match(batch2, /h3: Gathering Facts[^]*h3: nap[^]*batch 2\/2: 1\/1 hosts done\n {2}✔ h3: done\n/);
    // the Ansible-style log, streamed above the view: h2's failure is printed while h1 is still on
    // linger (a frame of the view follows it), and the recap
    assert.match(batch1, /TASK \[probe\] \*+\n[^]*failed: \[h2\] => non-zero return code 1\n[^]*\S h1: linger\n/);
    assert.match(batch1, /TASK \[probe\] \*+\n[^]*skipping: \[h1\]\n/);
    assert.match(s, /^h2 : ok=2 changed=1 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0$/m);
  });
}

test.run();
