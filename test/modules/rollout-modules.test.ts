import { test } from 'uvu';
import * as assert from 'uvu/assert';
import waitFor from '../../modules/wait_for.js';
import uri, { parseAnswer } from '../../modules/uri.js';
import bpfRollback from '../../modules/bpf_rollback.js';
import { FixtureHost, planOn } from '../helpers/fixture-host.js';

const out = (stdout: string, rc = 0) => ({ rc, stdout, stderr: '' });

test('wait_for: one step with every value as an argument; rc 0 ok, rc 1 a timeout that says what it waited for', () => {
  const p = planOn(waitFor, { port: 8080, timeout: 2 }, new FixtureHost());
  assert.is(p.steps.length, 1);
  const s = p.steps[0];
  assert.ok(s.op === 'exec' && s.argv.join(' ') === 'lbprov_wait_for port 127.0.0.1 8080 started 2000 0 1 ');
  assert.ok(p.checkSkip, 'check mode does not wait');
  assert.is(p.interpret!([out('120\n')]).failed, undefined);
  assert.is(p.interpret!([out('120\n')]).changed, false);
  assert.match(p.interpret!([out('2000\n', 1)]).failed ?? '', /timeout \(2 s\) waiting for port 8080 on 127\.0\.0\.1 to be started/);
  assert.match(planOn(waitFor, { path: '/x', state: 'stopped' }, new FixtureHost()).failed ?? '', /state stopped goes with port, not path/);
  assert.throws(() => planOn(waitFor, { port: 1, path: '/x' }, new FixtureHost()));
});

test('uri: status and body checks on the answer', () => {
  assert.equal(parseAnswer('worker 3\n\n@@STATUS 200\n'), { status: 200, content: 'worker 3\n' });
  assert.equal(parseAnswer('curl: (7) refused'), { status: 0, content: 'curl: (7) refused' });
  const p = planOn(uri, { url: 'http://127.0.0.1:8080/', body_regex: '^worker [0-9]+$' }, new FixtureHost());
  assert.is(p.interpret!([out('worker 1\n\n@@STATUS 200\n')]).failed, undefined);
  assert.match(p.interpret!([out('nope\n\n@@STATUS 200\n')]).failed ?? '', /does not match/);
  assert.match(p.interpret!([out('\n@@STATUS 503\n')]).failed ?? '', /status 503, expected 200/);
  assert.match(p.interpret!([out('', 7)]).failed ?? '', /no HTTP answer \(rc 7\)/);
  assert.match(planOn(uri, { url: 'http://x/', body_regex: '(' }, new FixtureHost()).failed ?? '', /body_regex/);
  assert.throws(() => planOn(uri, { url: 'file:///etc/passwd' }, new FixtureHost()), 'only http(s) URLs');
});

test('bpf_rollback: swaps when the state file does not name this pair; nothing to do when it does; fails without a _prev', () => {
  const h = new FixtureHost({});
  h.execs['bpftool -j prog show pinned /sys/fs/bpf/lb_hash'] = { stdout: '{"id":2,"tag":"bbbb","type":"sk_reuseport"}' };
  h.execs['bpftool -j prog show pinned /sys/fs/bpf/lb_hash_prev'] = { stdout: '{"id":1,"tag":"aaaa","type":"sk_reuseport"}' };
  const args = { pin: '/sys/fs/bpf/lb_hash', pin_maps: '/sys/fs/bpf/lb_hash_maps' };
  const p = planOn(bpfRollback, args, h);
  assert.is(p.changed, true);
  assert.equal(p.result, { tag: 'aaaa', id: 1, previous: 'bbbb' });
  const s = p.steps[0];
  assert.ok(s.op === 'exec' && s.argv.join(' ') === 'lbprov_bpf_rollback /sys/fs/bpf/lb_hash /sys/fs/bpf/lb_hash_maps /opt/lbprov/bpf bbbb aaaa');
  // after the swap: the host shows the programs the other way round and the state file names them
  h.execs['bpftool -j prog show pinned /sys/fs/bpf/lb_hash'] = { stdout: '{"id":1,"tag":"aaaa","type":"sk_reuseport"}' };
  h.execs['bpftool -j prog show pinned /sys/fs/bpf/lb_hash_prev'] = { stdout: '{"id":2,"tag":"bbbb","type":"sk_reuseport"}' };
  h.fs['/opt/lbprov/bpf/rollback.state'] = { type: 'file', mode: '0644', owner: 'root', group: 'root', content: 'bbbb aaaa\n' };
  assert.is(planOn(bpfRollback, args, h).changed, false, 'a second rollback changes nothing');
  h.execs['bpftool -j prog show pinned /sys/fs/bpf/lb_hash_prev'] = { rc: 255, stderr: 'No such file' };
  assert.match(planOn(bpfRollback, args, h).failed ?? '', /nothing is pinned at \/sys\/fs\/bpf\/lb_hash_prev/);
});

test.run();
