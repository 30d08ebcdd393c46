import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { hasScript, onPty } from './helpers/pty.js';
import { skipped } from './helpers/skip.js';

/**
 * The live terminal view on a real pseudo-terminal (util-linux `script`) with two local hosts
 * (connection: local): the Ansible-style log streams above the view as each host's line is
 * written, not when the batch is over (listr2 holds stdout while it draws: src/report/log-above.ts).
 */
const dir = join(packageRoot, 'test', 'fixtures', 'tty-local');

if (!hasScript()) {
  if (process.env.CI) throw new Error('live view on a pty: needs script (Debian package bsdutils)');
  skipped.push('live view on a pty: needs script (Debian package bsdutils)');
} else {
  test("each host's log line is on screen as it finishes, above the live view", async () => {
    const r = await onPty(['apply', join(dir, 'site.yml'), '-i', join(dir, 'inventory.yml')]);
    const s = r.screen;
    assert.is(r.code, 0, s);
    // a frame of the view drawn while h2 still naps (not its last frame: that says `h2: done`)
    const napping = s.lastIndexOf('h2: nap\n');
    assert.ok(napping > 0, `no frame shows h2 on nap:\n${s}`);
    // by then h1's lines of both tasks are on screen, under their banners, above that frame
    const before = s.slice(0, napping);
    // (a frame of the view may sit between two lines: each is written with the next frame)
    assert.match(before, /TASK \[mark\] \*+\n[^]*changed: \[h1\]\n[^]*TASK \[nap\] \*+\n[^]*changed: \[h1\]\n/, s);
    assert.not.match(before, /changed: \[h2\]\n[^]*TASK \[after\]/);
    // then h2's line, the last task and the view's last frame, with the recap under it
    const after = s.slice(napping);
    assert.match(after, /changed: \[h2\]\n[^]*TASK \[after\] \*+\n[^]*ok: \[h1\]\n[^]*ok: \[h2\]\n/, s);
    assert.match(after, /\S h1: done\n {2}\S h2: done\n[^]*PLAY RECAP/);
    assert.match(s, /^h2 +: ok=3 changed=2 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0 *$/m);
  });
}

test.run();
