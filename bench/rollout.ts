/**
 * bench/rollout: wrk against a lab host's listener (every request on a new connection, as issue #9
 * measured: wrk -t1 -c32 -H "Connection: close") while playbooks/edge.yml rolls out (a) a new
 * lb_hash, (b) a new listener binary, (c) a new unit; and the same window with no rollout. Reports
 * socket errors, non-2xx answers, the connection rate against the rate without a rollout, and the
 * program the listener has attached afterwards (its status file vs bpftool). Not in the test suite.
 * Run as root: `npm run bench:rollout` (options: --seconds S (12), --reps N (1)).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { labDown, labUp, type LabState } from '../src/lab/lab.js';
import { packageRoot } from '../src/util/paths.js';
import { applyJson } from '../test/helpers/cli.js';
import { listenerStatus, loadDuring, pinnedProgram, socketErrors, type WrkResult } from '../test/helpers/wrk.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 12);
const REPS = arg('reps', 1);

interface Row {
  what: string;
  wrk: WrkResult;
  rolloutMs: number;
  attached: string;
  pinned: string;
  pidSame: boolean;
  code: number;
  /** conn/s of the window without a rollout just before. */
  base: number;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench boots a lab host: run it as root');
  if (spawnSync('which', ['wrk']).status !== 0)
    throw new Error('wrk is not installed (apt-get install wrk, or bash scripts/system-deps.sh)');
  const tmp = mkdtempSync(join(tmpdir(), 'lbprov-bench-rollout-'));
  const lab: LabState = await labUp({ hosts: 1, light: false });
  try {
    const pb = join(packageRoot, 'playbooks', 'edge.yml');
    const edge = (...extra: string[]) => applyJson([pb, '-i', lab.inventory, '--skip-tags', 'selftest', ...extra]);
    const first = await edge();
    if (first.code !== 0) throw new Error(`deploying the bench host failed: ${first.stderr}`);
    // two of each changed source, so each repetition changes something again
    const variants = (n: number) => {
      const hash = join(tmp, `v${n}`, 'lb_hash.c');
      const listener = join(tmp, `v${n}`, 'lb_listener.c');
      spawnSync('mkdir', ['-p', join(tmp, `v${n}`)]);
      writeFileSync(
        hash,
        readFileSync(join(packageRoot, 'bpf', 'lb_hash.c'), 'utf8').replace(
          '#define LB_MAX_WORKERS 256',
          `#define LB_MAX_WORKERS ${200 + n}`,
        ),
      );
      writeFileSync(
        listener,
        `${readFileSync(join(packageRoot, 'bpf', 'lb_listener.c'), 'utf8')}\n/* bench build ${n} */\n`,
      );
      return { hash, listener };
    };
    const rows: Row[] = [];
    const measure = async (what: string, vars?: string[]): Promise<Row> => {
      const before = await listenerStatus(lab, 'h1');
      const run = await loadDuring(
        lab,
        'h1',
        8080,
        SECONDS,
        vars ? () => edge(...vars.flatMap((v) => ['-e', v])) : undefined,
      );
      const st = await listenerStatus(lab, 'h1');
      const pinned = await pinnedProgram(lab, 'h1');
      const row = {
        what,
        wrk: run.wrk,
        rolloutMs: run.ms,
        attached: `${st.prog_id}/${st.prog_tag}`,
        pinned: `${pinned.id}/${pinned.tag}`,
        pidSame: st.pid === before.pid,
        code: run.result?.code ?? 0,
        base: 0,
      };
      if (run.startMs + run.ms > SECONDS * 1000)
        process.stderr.write(
          `${what}: the rollout (${Math.round(run.ms)} ms) ran past wrk's window: raise --seconds\n`,
        );
      process.stderr.write(
        `${what}: ${Math.round(run.wrk.rps)} conn/s, socket errors ${socketErrors(run.wrk)}, non-2xx ${run.wrk.non2xx}, rollout ${Math.round(run.ms)} ms\n`,
      );
      return row;
    };
    // each change is measured right after a window without one, against that window's rate (the
    // machine is shared: its load drifts more over a minute than a rollout costs)
    const pair = async (what: string, vars: string[]): Promise<void> => {
      const base = await measure('no rollout');
      const row = await measure(what, vars);
      row.base = base.wrk.rps;
      rows.push(row);
    };
    // what is deployed: each change changes one thing and keeps the others as they are
    let listener = join(packageRoot, 'bpf', 'lb_listener.c');
    let drain = 2000;
    for (let rep = 0; rep < REPS; rep++) {
      const v = variants(rep);
      await pair('(a) lb_hash change (reload)', [
        `lb_hash_src=${v.hash}`,
        `lb_listener_src=${listener}`,
        `lb_drain_ms=${drain}`,
      ]);
      listener = v.listener;
      await pair('(b) listener binary change (restart, fd store)', [
        `lb_hash_src=${v.hash}`,
        `lb_listener_src=${listener}`,
        `lb_drain_ms=${drain}`,
      ]);
      drain = 3000 + rep;
      await pair('(c) unit change (restart, fd store)', [
        `lb_hash_src=${v.hash}`,
        `lb_listener_src=${listener}`,
        `lb_drain_ms=${drain}`,
      ]);
    }
    const cpu = cpus();
    const lines = [
      `Machine: ${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? 'unknown'}), Linux ${release()}; wrk, the listener, the host's build and the controller share these CPUs.`,
      `wrk -t1 -c32 -d${SECONDS}s -H "Connection: close" on the lab host against its listener (4 workers); the rollout starts 1 s into the window.`,
      '',
      '| change rolled out by edge.yml | exit | rollout | new conn/s without | during | ratio | socket errors (c/r/w/t) | non-2xx | attached = pinned (id/tag) | same pid |',
      '|---|---:|---:|---:|---:|---:|---|---:|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.what} | ${r.code} | ${(r.rolloutMs / 1000).toFixed(1)} s | ${Math.round(r.base)} | ${Math.round(r.wrk.rps)} | ${(r.wrk.rps / r.base).toFixed(2)} | ${socketErrors(r.wrk)} (${r.wrk.errors.connect}/${r.wrk.errors.read}/${r.wrk.errors.write}/${r.wrk.errors.timeout}) | ${r.wrk.non2xx} | ${r.attached === r.pinned ? `yes (${r.attached})` : `NO: ${r.attached} vs ${r.pinned}`} | ${r.pidSame ? 'yes' : 'no'} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const bad = rows.filter(
      (r) => socketErrors(r.wrk) || r.wrk.non2xx || r.code || r.attached !== r.pinned || r.wrk.rps < r.base * 0.8,
    );
    if (bad.length) {
      process.stderr.write(
        `bench/rollout: ${bad.length} run(s) dropped connections, failed, left another program attached or fell more than 20% below the rate without a rollout\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    await labDown({ quiet: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench/rollout: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
