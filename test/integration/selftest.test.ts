import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { requireRoot } from '../helpers/skip.js';

/** reuseport_selftest on lab hosts: the shipped lb_hash passes, the one-liner is caught. */
const test = suite('reuseport self-test on the lab');
const pb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'selftest.yml');
const bpf = (f: string): string => join(packageRoot, f);
let lab: LabState;

const run = (src: string, k: number, m: number) =>
  applyJson([pb, '-i', lab.inventory, '--limit', 'h2', '-e', `prog_src=${src}`, '-e', `{"k": ${k}, "m": ${m}}`]);
const selftest = (r: JsonRun) => r.plays[0].tasks.find((t) => t.name === 'self-test')!.hosts.h2;

if (requireRoot('reuseport self-test on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  for (const k of [2, 8, 64]) {
    test(`the shipped bpf/lb_hash.c: 0 refused, imbalance <= 0.2 with ${k} sockets`, async () => {
      // ~1000 connections per socket: with fewer, chance alone makes the busiest socket of 64 exceed 0.2
      const r = await run(bpf('bpf/lb_hash.c'), k, 1000 * k);
      assert.is(r.code, 0, JSON.stringify(r.run, null, 1));
      const m = /sockets, (\d+) connections: refused (\d+), imbalance ([0-9.]+)/.exec(selftest(r.run).msg ?? '');
      assert.ok(m, selftest(r.run).msg);
      assert.is(Number(m[2]), 0);
      assert.ok(Number(m[3]) <= 0.2, `imbalance ${m[3]}`);
    });
  }

  test('the one-line `return ctx->hash & 0x7F` loads, pins, and fails the self-test: nearly all refused', async () => {
    const r = await run(join(packageRoot, 'test', 'fixtures', 'bpf', 'lb_hash_oneline.c'), 8, 2000);
    assert.is(r.code, 2);
    assert.is(
      r.run.plays[0].tasks.find((t) => t.name === 'program')!.hosts.h2.status,
      'changed',
      'bpf_program accepted it: it loads fine',
    );
    const s = selftest(r.run);
    assert.is(s.status, 'failed');
    const m = /(\d+) of 2000 connections were refused \(([0-9.]+)%\)/.exec(s.msg ?? '');
    assert.ok(m, s.msg);
    assert.ok(Number(m[2]) > 95, `${m[2]}% refused`);
    assert.match(s.msg ?? '', /returns a verdict \(SK_PASS = 1\), not a socket index/);
  });

  test('a SOCKET_FILTER program returning an index passes', async () => {
    const r = await run(join(packageRoot, 'test', 'fixtures', 'bpf', 'socket_index.c'), 8, 8000);
    assert.is(r.code, 0, JSON.stringify(r.run, null, 1));
    assert.match(selftest(r.run).msg ?? '', /refused 0/);
  });

  test('a second run changes nothing (the helper is built once per host) and tests again', async () => {
    const r = await run(bpf('bpf/lb_hash.c'), 8, 8000);
    const again = await run(bpf('bpf/lb_hash.c'), 8, 8000);
    assert.is(r.code, 0);
    assert.is(again.run.stats.h2.changed, 0);
    assert.match(selftest(again.run).msg ?? '', /refused 0/);
  });
}

test.run();
