import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { weightedTolerance } from '../../modules/reuseport_selftest.js';
import { applyJson, lbprov, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { onHost, sh } from '../helpers/remote.js';
import { listenerStatus } from '../helpers/wrk.js';
import { requireRoot } from '../helpers/skip.js';

/** Exercise 1 (weighted buckets) and exercise 3 (pinned workers) on lab hosts. */
const test = suite('weighted lb_hash and pinned workers on the lab');
const selftestPb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'selftest-weighted.yml');
const edge = join(packageRoot, 'playbooks', 'edge.yml');
const weightedSrc = join(packageRoot, 'bpf', 'lb_hash_weighted.c');
let lab: LabState;

const selftest = (src: string, weights: number[], m = 4000) =>
  applyJson([
    selftestPb,
    '-i',
    lab.inventory,
    '--limit',
    'h2',
    '-e',
    `prog_src=${src}`,
    '-e',
    JSON.stringify({ m, weights }),
  ]);
const task = (r: JsonRun, name: string) => r.plays[0].tasks.find((t) => t.name === name)!.hosts.h2;
const accepts = async (h: string): Promise<number[]> =>
  (await onHost(lab, h, ['cat', '/run/lb-listener/accepts'])).out
    .trim()
    .split('\n')
    .map((l) => Number(l.split(' ')[1]));

if (requireRoot('weighted lb_hash and pinned workers on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test('the weighted self-test: lb_hash_weighted passes with weights 1:2:1:1; the even lb_hash fails it', async () => {
    const w = await selftest(weightedSrc, [1, 2, 1, 1]);
    assert.is(w.code, 0, JSON.stringify(w.run, null, 1));
    const msg = task(w.run, 'self-test').msg ?? '';
    const m = /weights 1:2:1:1: accepted (\d+) (\d+) (\d+) (\d+), expected 800 1600 800 800/.exec(msg);
    assert.ok(m, msg);
    // socket 1 really got about twice each other's share
    const a = m.slice(1).map(Number);
    assert.ok(a[1] > 1.6 * Math.max(a[0], a[2], a[3]), msg);
    const even = await selftest(join(packageRoot, 'bpf', 'lb_hash.c'), [1, 2, 1, 1]);
    assert.is(even.code, 2);
    const s = task(even.run, 'self-test');
    assert.is(s.status, 'failed');
    assert.match(
      s.msg ?? '',
      /socket \d got \d+ of 4000 connections, weight \d of 5 expects \d+ \(-?[0-9.]+%, tolerance ±[0-9.]+% for 4000 connections/,
    );
    assert.match(s.msg ?? '', /no lb_weights map, so it ignores the weights/);
    // the same even program without weights: a pass (it is the weights that fail it)
    const plain = await applyJson([
      join(packageRoot, 'test', 'fixtures', 'playbooks', 'selftest.yml'),
      '-i',
      lab.inventory,
      '--limit',
      'h2',
      '-e',
      `prog_src=${join(packageRoot, 'bpf', 'lb_hash.c')}`,
      '-e',
      '{"k": 4, "m": 4000}',
    ]);
    assert.is(plain.code, 0);
  });

  test('weights that do not fit the sockets: a clear failure', async () => {
    const r = await selftest(weightedSrc, [1, 2, 1]);
    assert.is(r.code, 2);
    assert.match(task(r.run, 'self-test').msg ?? '', /weights: 3 given for 4 sockets/);
  });

  test('the listener fills the weights: edge.yml with lb_hash_weighted and lb_weights 1,2,1,1 sends worker 1 twice the share; diagnose judges per weight', async () => {
    const r = await applyJson([
      edge,
      '-i',
      lab.inventory,
      '-l',
      'h3',
      '-e',
      JSON.stringify({ lb_hash_src: weightedSrc, lb_weights: '1,2,1,1' }),
    ]);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run.stats));
    const st = await listenerStatus(lab, 'h3');
    assert.is(st.weights, '1,2,1,1');
    assert.is(st.weights_note, '');
    const before = await accepts('h3');
    await onHost(lab, 'h3', ['wrk', '-t1', '-c16', '-d3s', '-H', 'Connection: close', 'http://127.0.0.1:8080/']);
    await sh(lab, 'h3', 'sleep 1.2');
    const after = await accepts('h3');
    const got = after.map((a, i) => a - before[i]);
    const n = got.reduce((x, y) => x + y, 0);
    assert.ok(n > 1000, `connections: ${n}`);
    // wrk's connections to one address reuse the host's ephemeral ports: a reused 4-tuple hashes to the
    // same worker again, so the independent draws are the distinct tuples, at most the port range
    const [lo, hi] = (await sh(lab, 'h3', 'cat /proc/sys/net/ipv4/ip_local_port_range')).out
      .trim()
      .split(/\s+/)
      .map(Number);
    const tol = weightedTolerance([1, 2, 1, 1], Math.min(n, hi - lo + 1));
    [1, 2, 1, 1].forEach((w, i) => {
      const dev = got[i] / ((n * w) / 5) - 1;
      assert.ok(
        Math.abs(dev) <= tol[i],
        `worker ${i}: ${got.join(' ')} (deviation ${dev.toFixed(3)}, tolerance ${tol[i].toFixed(3)})`,
      );
    });
    const d = JSON.parse((await lbprov(['diagnose', '-i', lab.inventory, '-l', 'h3', '--json'])).stdout) as {
      hosts: { h3: { verdict: string; reasons: string[]; workers: { weights: number[] } } };
    };
    assert.equal(d.hosts.h3.workers.weights, [1, 2, 1, 1]);
    assert.is(d.hosts.h3.verdict, 'ok', d.hosts.h3.reasons.join('; '));
  });

  test('pinned workers: lb_cpus pins each worker thread and its socket (status, thread affinity), lb_cpu_affinity sets CPUAffinity=; cpu weights come from sysfs', async () => {
    const r = await applyJson([
      edge,
      '-i',
      lab.inventory,
      '-l',
      'h3',
      '-e',
      JSON.stringify({ lb_hash_src: weightedSrc, lb_weights: 'cpu', lb_cpus: '0,1', lb_cpu_affinity: '0 1' }),
    ]);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run.stats));
    const st = await listenerStatus(lab, 'h3');
    assert.is(st.cpus, '0,1,0,1');
    assert.match(st.weights, /^\d+,\d+,\d+,\d+$/);
    assert.match(st.weights_note, /^cpu: /);
    // one thread per worker, each allowed on exactly its CPU
    const lists = (await sh(lab, 'h3', `for t in /proc/${st.pid}/task/*; do grep Cpus_allowed_list $t/status; done`))
      .out;
    const single = lists.split('\n').filter((l) => /:\s+[01]$/.test(l));
    assert.ok(single.length >= 4, lists);
    assert.match((await sh(lab, 'h3', 'systemctl show -p CPUAffinity lb-listener')).out, /^CPUAffinity=0-1$/m);
    // back to the defaults for the suites that follow
    const back = await applyJson([edge, '-i', lab.inventory, '-l', 'h3']);
    assert.is(back.code, 0, back.stderr);
    const st2 = await listenerStatus(lab, 'h3');
    assert.is(st2.cpus, '');
    assert.is(st2.weights, '');
  });
}

test.run();
