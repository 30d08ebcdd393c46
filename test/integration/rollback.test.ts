import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, withStatus } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { requireRoot } from '../helpers/skip.js';
import { listenerStatus, loadDuring, pinnedProgram, socketErrors } from '../helpers/wrk.js';

/** Issue #9: playbooks/rollback.yml puts the previous program back, under load, idempotently. */
const test = suite('rollback.yml');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-rollback-'));
let lab: LabState;
const run = (pb: string, ...extra: string[]) =>
  applyJson([join(packageRoot, 'playbooks', pb), '-i', lab.inventory, '-l', 'h2', ...extra]);

if (requireRoot('rollback.yml', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test('roll out a second program, roll back under load: the first is pinned and attached again, the second is _prev; no connection dropped', async () => {
    const first = await run('edge.yml', '--skip-tags', 'selftest');
    assert.is(first.code, 0, first.stderr);
    const one = await pinnedProgram(lab, 'h2');
    writeFileSync(
      join(tmp, 'lb_hash.c'),
      readFileSync(join(packageRoot, 'bpf', 'lb_hash.c'), 'utf8').replace(
        '#define LB_MAX_WORKERS 256',
        '#define LB_MAX_WORKERS 199',
      ),
    );
    const second = await run('edge.yml', '--skip-tags', 'selftest', '-e', `lb_hash_src=${join(tmp, 'lb_hash.c')}`);
    assert.is(second.code, 0, second.stderr);
    const two = await pinnedProgram(lab, 'h2');
    assert.is.not(two.tag, one.tag);
    assert.is((await listenerStatus(lab, 'h2')).prog_tag, two.tag, 'the listener runs the second program');
    const pid = (await listenerStatus(lab, 'h2')).pid;

    const back = await loadDuring(lab, 'h2', 8080, 8, () => run('rollback.yml'));
    assert.is(back.result!.code, 0, back.result!.stderr + JSON.stringify(back.result!.run, null, 1));
    assert.equal(withStatus(back.result!.run, 'changed'), [
      'lb_hash : the previous lb_hash pinned again @ h2',
      'listener : reload listener @ h2',
    ]);
    assert.is(socketErrors(back.wrk), 0, back.wrk.raw);
    assert.is(back.wrk.non2xx, 0);
    assert.is((await pinnedProgram(lab, 'h2')).tag, one.tag, 'the first program is pinned again');
    assert.is((await pinnedProgram(lab, 'h2', '/sys/fs/bpf/lb_hash_prev')).tag, two.tag, 'the second is the new _prev');
    const st = await listenerStatus(lab, 'h2');
    assert.is(st.prog_tag, one.tag, 'and the listener runs it');
    assert.is(st.pid, pid, 'reloaded, not restarted');

    const again = await run('rollback.yml');
    assert.is(again.code, 0);
    assert.equal(withStatus(again.run, 'changed'), [], 'a second rollback changes nothing');
    assert.is((await pinnedProgram(lab, 'h2')).tag, one.tag);
  });

  test('nothing to roll back to: a clear failure of that host', async () => {
    const r = await run('rollback.yml', '-e', 'lb_pin=/sys/fs/bpf/lbtest_nothing');
    assert.is(r.code, 2);
    assert.match(
      r.run.plays[0].tasks.find((t) => t.name === 'lb_hash : the previous lb_hash pinned again')!.hosts.h2.msg!,
      /nothing is pinned at \/sys\/fs\/bpf\/lbtest_nothing_prev/,
    );
  });

  test('edge.yml after a rollback re-pins from its source (the markers were voided)', async () => {
    const r = await run('edge.yml', '--skip-tags', 'selftest');
    assert.is(r.code, 0, r.stderr);
    assert.ok(withStatus(r.run, 'changed').includes('lb_hash : lb_hash compiled and pinned @ h2'));
    assert.is((await listenerStatus(lab, 'h2')).prog_tag, (await pinnedProgram(lab, 'h2')).tag);
  });
}

test.run();
