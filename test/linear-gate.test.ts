import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinearGate } from '../src/executor/linear-gate.js';

const tick = () => new Promise((r) => setImmediate(r));

test('no host passes the gate until every live host arrived; the rule is asked once per step', async () => {
  let asked = 0;
  const g = new LinearGate(['a', 'b', 'c'], () => (asked++, undefined));
  const seen: string[] = [];
  const pa = g.arrive('a').then((go) => seen.push(`a:${go}`));
  const pb = g.arrive('b').then((go) => seen.push(`b:${go}`));
  await tick();
  assert.equal(seen, [], 'c is still running its task');
  const pc = g.arrive('c').then((go) => seen.push(`c:${go}`));
  await Promise.all([pa, pb, pc]);
  await tick();
  assert.equal(seen.sort(), ['a:true', 'b:true', 'c:true']);
  assert.is(asked, 1);
});

test('a host that leaves (failed) releases the others; past the threshold they all stop, and stay stopped', async () => {
  let failed = 0;
  const g = new LinearGate(['a', 'b', 'c'], () => (failed ? 'too many failures' : undefined));
  const pa = g.arrive('a');
  const pc = g.arrive('c');
  failed = 1;
  g.leave('b');
  assert.equal(await Promise.all([pa, pc]), [false, false]);
  assert.is(g.stopped, 'too many failures');
  assert.is(await g.arrive('a'), false);
});

test('a host that finished leaves; the rest go on without it', async () => {
  const g = new LinearGate(['a', 'b'], () => undefined);
  const pa = g.arrive('a');
  g.leave('b');
  assert.is(await pa, true);
});

test.run();
