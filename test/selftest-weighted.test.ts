import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judge, weightedTolerance } from '../modules/reuseport_selftest.js';
import { otherMarkers } from '../modules/bpf_program.js';

/** The weighted self-test's judgement, on lb_selftest outputs of real runs (4 sockets, 4000 connections). */
const args = {
  pin: '/sys/fs/bpf/lb_hash',
  sockets: 4,
  connections: 4000,
  max_imbalance: 0.2,
  dest_dir: '/opt/lbprov/bpf',
  weights: [1, 2, 1, 1],
};
const out = (json: string) => ({ rc: 0, stdout: `${json}\n`, stderr: '' });
const weighted = (accepted: number[]) =>
  `{"type":"sk_reuseport","tag":"bcc26ec1d4130f06","port":60003,"sockets":4,"connections":4000,"accepted":[${accepted.join(',')}],"weights":[1,2,1,1],"weights_map":true,"accepted_total":${accepted.reduce((a, b) => a + b, 0)},"refused":0,"errors":0,"imbalance":0.6870,"elapsed_ms":180.5}`;
const even =
  '{"type":"sk_reuseport","tag":"0e4f146dbded2a5b","port":59631,"sockets":4,"connections":4000,"accepted":[1036,996,955,1013],"weights":[1,2,1,1],"weights_map":false,"accepted_total":4000,"refused":0,"errors":0,"imbalance":0.0360,"elapsed_ms":221.1}';

test("the tolerance follows from the number of connections: 5 standard deviations of each socket's binomial share", () => {
  const t = weightedTolerance([1, 2, 1, 1], 4000);
  assert.ok(Math.abs(t[0] - 5 * Math.sqrt(0.8 / 800)) < 1e-12);
  assert.ok(Math.abs(t[1] - 5 * Math.sqrt(0.6 / 1600)) < 1e-12);
  assert.ok(weightedTolerance([1, 2, 1, 1], 400)[0] > 3 * t[0], 'ten times fewer connections: a wider band');
});

test('lb_hash_weighted with 1:2:1:1 passes, including its worst run seen (3.2 standard deviations)', () => {
  for (const a of [
    [787, 1687, 725, 801],
    [881, 1602, 734, 783],
    [825, 1556, 755, 864],
  ]) {
    const j = judge(args, out(weighted(a)));
    assert.is(j.failed, undefined, j.failed);
    assert.equal(j.result?.expected, [800, 1600, 800, 800]);
  }
});

test('the even lb_hash fails the weighted self-test, and the message says it has no weights map', () => {
  const j = judge(args, out(even));
  assert.ok(j.failed);
  assert.match(
    j.failed,
    /socket 1 got 996 of 4000 connections, weight 2 of 5 expects 1600 \(-37\.7%, tolerance ±9\.7% for 4000 connections/,
  );
  assert.match(j.failed, /no lb_weights map, so it ignores the weights/);
  // and without weights the same run is a pass: the weights, not the spread, make it fail
  assert.is(judge({ ...args, weights: undefined }, out(even)).failed, undefined);
});

test('a socket with weight 0 must get nothing', () => {
  const j = judge({ ...args, weights: [0, 1, 1, 1] }, out(weighted([3, 1330, 1330, 1337])));
  assert.match(j.failed ?? '', /socket 0 got 3 of 4000 connections, weight 0 of 3 expects 0/);
});

test("bpf_program: another source's marker for the same pin is stale (switching lb_hash_src and back re-pins)", () => {
  const grep =
    '/opt/lbprov/bpf/lb_hash.pinned:ab12 /sys/fs/bpf/lb_hash\n/opt/lbprov/bpf/lb_hash_weighted.pinned:cd34 /sys/fs/bpf/lb_hash\n/opt/lbprov/bpf/x.pinned:ef56 /sys/fs/bpf/lb_hash_x\n';
  assert.equal(otherMarkers(grep, '/opt/lbprov/bpf/lb_hash.pinned', '/sys/fs/bpf/lb_hash'), [
    '/opt/lbprov/bpf/lb_hash_weighted.pinned',
  ]);
  assert.equal(otherMarkers(grep, '/opt/lbprov/bpf/x.pinned', '/sys/fs/bpf/lb_hash_x'), []);
  assert.equal(
    otherMarkers('grep: /opt/lbprov/bpf: No such file or directory\n', '/a.pinned', '/sys/fs/bpf/lb_hash'),
    [],
  );
});

test.run();
