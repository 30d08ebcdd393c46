/**
 * bench/reuseport: one accept thread vs the kernel's reuseport hash vs lb_hash, on a lab host, with
 * wrk (Debian's package) on the same host over loopback. New connections per second (every request
 * on a new connection), requests per second (keep-alive), p99 latency, and how the accepts spread
 * over the workers. Not part of the test suite. Run as root: `npm run bench:reuseport`.
 *   options: --workers N (4) --duration S (5) --connections C (64) --threads T (2)
 */
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { labDown, labUp, type LabState } from '../src/lab/lab.js';
import { labTransport } from '../src/lab/transport.js';
import { packageRoot } from '../src/util/paths.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const WORKERS = arg('workers', 4);
const DURATION = arg('duration', 5);
const CONNS = arg('connections', 64);
const THREADS = arg('threads', 2);
const PORT = 9090;

interface Wrk {
  rps: number;
  p99ms: number;
}

function parseWrk(out: string): Wrk {
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN);
  const p = /^\s+99%\s+([0-9.]+)(us|ms|s)\s*$/m.exec(out);
  const p99ms = p ? Number(p[1]) * (p[2] === 'us' ? 0.001 : p[2] === 's' ? 1000 : 1) : NaN;
  if (Number.isNaN(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  return { rps, p99ms };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench boots a lab host: run it as root');
  if (spawnSync('which', ['wrk']).status !== 0)
    throw new Error('wrk is not installed (apt-get install wrk, or bash scripts/system-deps.sh)');
  const lab: LabState = await labUp({ hosts: 1, light: true });
  try {
    const deploy = spawnSync(
      process.execPath,
      [
        join(packageRoot, 'bin', 'lbprov.js'),
        'apply',
        join(packageRoot, 'bench', 'reuseport.yml'),
        '-i',
        lab.inventory,
      ],
      { encoding: 'utf8' },
    );
    if (deploy.status !== 0) throw new Error(`deploying the bench host failed:\n${deploy.stdout}${deploy.stderr}`);
    const h = lab.hosts[0];
    const t = labTransport(lab, h);
    const sh = async (script: string): Promise<string> => {
      const r = await t.exec(['bash', '-c', script]);
      if (r.rc !== 0) throw new Error(`${script}: rc ${r.rc}: ${r.stderr.toString()}`);
      return r.stdout.toString();
    };
    const modes: Array<[string, string]> = [
      ['one accept thread', `--mode single`],
      ['kernel reuseport hash', `--mode reuseport`],
      ['lb_hash (eBPF)', `--pin /sys/fs/bpf/lb_hash --maps /sys/fs/bpf/lb_hash_maps`],
    ];
    const rows: Array<{ mode: string; conn: Wrk; keep: Wrk; accepts: number[] }> = [];
    for (const [mode, flags] of modes) {
      const pid = (
        await sh(
          `rm -f /tmp/lbbench.acc; setsid /usr/local/bin/lb_listener --port ${PORT} --workers ${WORKERS} ${flags} --counters /tmp/lbbench.acc > /tmp/lbbench.log 2>&1 < /dev/null & echo $!`,
        )
      ).trim();
      try {
        await sh(
          `for i in $(seq 100); do ss -Htln 'sport = :${PORT}' | grep -q . && exit 0; sleep 0.05; done; cat /tmp/lbbench.log; exit 1`,
        );
        const conn = parseWrk(
          await sh(
            `wrk -t${THREADS} -c${CONNS} -d${DURATION}s --latency -H 'Connection: close' http://127.0.0.1:${PORT}/`,
          ),
        );
        const keep = parseWrk(
          await sh(`wrk -t${THREADS} -c${CONNS} -d${DURATION}s --latency http://127.0.0.1:${PORT}/`),
        );
        const acc = (await sh('sleep 1.2; cat /tmp/lbbench.acc'))
          .trim()
          .split('\n')
          .map((l) => Number(l.split(' ')[1]));
        rows.push({ mode, conn, keep, accepts: acc });
        process.stderr.write(`${mode}: ${Math.round(conn.rps)} conn/s, ${Math.round(keep.rps)} req/s\n`);
      } finally {
        await sh(
          `kill ${pid}; for i in $(seq 50); do kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -9 ${pid}`,
        ).catch(() => undefined);
      }
    }
    t.close();
    const base = rows[0];
    const imb = (a: number[]): number => {
      const sum = a.reduce((x, y) => x + y, 0);
      return sum ? Math.max(...a) / (sum / a.length) - 1 : 0;
    };
    const cpu = cpus();
    const lines = [
      `Machine: ${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? 'unknown'}), Linux ${release()}; wrk and the listener share the lab host's CPUs over loopback.`,
      `${WORKERS} workers, wrk -t${THREADS} -c${CONNS} -d${DURATION}s; "new conn/s" sends every request on a new connection (Connection: close).`,
      '',
      '| mode | new conn/s | vs one thread | req/s (keep-alive) | vs one thread | p99 new conn | p99 keep-alive | accepts per worker | imbalance |',
      '|---|---:|---:|---:|---:|---:|---:|---|---:|',
      ...rows.map(
        (r) =>
          `| ${r.mode} | ${Math.round(r.conn.rps)} | ${(r.conn.rps / base.conn.rps).toFixed(2)}x | ${Math.round(r.keep.rps)} | ${(r.keep.rps / base.keep.rps).toFixed(2)}x | ${r.conn.p99ms.toFixed(2)} ms | ${r.keep.p99ms.toFixed(2)} ms | ${r.accepts.join(' / ')} | ${imb(r.accepts).toFixed(3)} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await labDown({ quiet: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench/reuseport: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
