/**
 * bench/synflood (the seed's exercise 2): a bounded SYN flood from one lab host at another's
 * listener while wrk measures legitimate connections, for the kernel's reuseport hash, lb_hash and
 * lb_hash with pinned workers, with tcp_syncookies and tcp_max_syn_backlog varied. Reports the
 * legitimate success rate and p99, the per-worker spread, and the victim's ListenOverflows,
 * ListenDrops, TCPReqQFullDrop, TCPReqQFullDoCookies and SyncookiesSent. Not part of the test
 * suite. Run as root: `npm run bench:synflood`.
 *   options: --duration S (6) --rate PPS (20000) --connections C (32) --workers N (4)
 * The flood: at most rate x (duration + 1) SYNs, at most duration + 1 s, only to the victim's lab
 * address, with sources drawn from unused addresses of this slot's lab subnet (their SYN-ACKs find
 * no neighbour and are dropped on the bridge: nothing leaves the lab).
 */
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { labDown, labNet, labUp, type LabState } from '../src/lab/lab.js';
import { labTransport } from '../src/lab/transport.js';
import type { SshTransport } from '../src/transport/ssh.js';
import { packageRoot } from '../src/util/paths.js';
import { parseCounters, parseAccepts, imbalance } from '../src/diagnose/parse.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const DURATION = arg('duration', 6);
const RATE = arg('rate', 20000);
const CONNS = arg('connections', 32);
const WORKERS = arg('workers', 4);
const PORT = 9090;
const COUNTERS = [
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtTCPReqQFullDrop',
  'TcpExtTCPReqQFullDoCookies',
  'TcpExtSyncookiesSent',
] as const;

interface Case {
  name: string;
  listener: string;
  flood: boolean;
  syncookies: number;
  synBacklog: number;
}

const LB = '--pin /sys/fs/bpf/lb_hash --maps /sys/fs/bpf/lb_hash_maps';
const CASES: Case[] = [
  {
    name: 'kernel hash, no flood (baseline)',
    listener: '--mode reuseport',
    flood: false,
    syncookies: 1,
    synBacklog: 4096,
  },
  { name: 'lb_hash, no flood (baseline)', listener: LB, flood: false, syncookies: 1, synBacklog: 4096 },
  { name: 'kernel hash, flood', listener: '--mode reuseport', flood: true, syncookies: 1, synBacklog: 4096 },
  { name: 'lb_hash, flood', listener: LB, flood: true, syncookies: 1, synBacklog: 4096 },
  {
    name: 'lb_hash, pinned workers (--cpus 0,1), flood',
    listener: `${LB} --cpus 0,1`,
    flood: true,
    syncookies: 1,
    synBacklog: 4096,
  },
  {
    name: 'kernel hash, pinned workers (--cpus 0,1), flood',
    listener: '--mode reuseport --cpus 0,1',
    flood: true,
    syncookies: 1,
    synBacklog: 4096,
  },
  {
    name: 'lb_hash, flood, tcp_syncookies=0, tcp_max_syn_backlog=128',
    listener: LB,
    flood: true,
    syncookies: 0,
    synBacklog: 128,
  },
  {
    name: 'lb_hash, flood, tcp_syncookies=0, tcp_max_syn_backlog=65535',
    listener: LB,
    flood: true,
    syncookies: 0,
    synBacklog: 65535,
  },
  { name: 'lb_hash, flood, tcp_syncookies=2 (always)', listener: LB, flood: true, syncookies: 2, synBacklog: 4096 },
];

interface Wrk {
  requests: number;
  errors: number;
  p99ms: number;
  rps: number;
}

function parseWrk(out: string): Wrk {
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN);
  if (Number.isNaN(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  const p = /^\s+99%\s+([0-9.]+)(us|ms|s)\s*$/m.exec(out);
  const e = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    errors: e ? e.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    p99ms: p ? Number(p[1]) * (p[2] === 'us' ? 0.001 : p[2] === 's' ? 1000 : 1) : NaN,
    rps,
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench boots lab hosts: run it as root');
  if (spawnSync('which', ['wrk']).status !== 0)
    throw new Error('wrk is not installed (apt-get install wrk, or bash scripts/system-deps.sh)');
  const net = labNet();
  const lab: LabState = await labUp({ hosts: 2, light: true });
  try {
    const deploy = spawnSync(
      process.execPath,
      [join(packageRoot, 'bin', 'lbprov.js'), 'apply', join(packageRoot, 'bench', 'synflood.yml'), '-i', lab.inventory],
      { encoding: 'utf8' },
    );
    if (deploy.status !== 0) throw new Error(`deploying the bench hosts failed:\n${deploy.stdout}${deploy.stderr}`);
    const [attacker, victim] = [labTransport(lab, lab.hosts[0]), labTransport(lab, lab.hosts[1])];
    const run =
      (t: SshTransport) =>
      async (script: string): Promise<string> => {
        const r = await t.exec(['bash', '-c', script]);
        if (r.rc !== 0) throw new Error(`${script}: rc ${r.rc}: ${r.stderr.toString()}`);
        return r.stdout.toString();
      };
    const onA = run(attacker);
    const onV = run(victim);
    const victimAddr = lab.hosts[1].address;
    // sources: the top of this slot's subnet below the "unused" address the tests use, never a lab host
    const last = Number(net.unused.split('.')[3]) - 1;
    const srcFrom = `${net.unused.split('.').slice(0, 3).join('.')}.${last - 9}`;
    const srcTo = `${net.unused.split('.').slice(0, 3).join('.')}.${last}`;
    const allow = `${net.gateway.split('.').slice(0, 3).join('.')}.${Number(net.gateway.split('.')[3]) - 1}/${net.prefix}`;
    if (
      lab.hosts.some((h) => {
        const o = Number(h.address.split('.')[3]);
        return o >= last - 9 && o <= last;
      })
    )
      throw new Error('a lab host has one of the flood source addresses');
    const defaults = (await onV('sysctl -n net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn'))
      .trim()
      .split('\n');
    const rows: Array<{
      c: Case;
      wrk: Wrk;
      accepts: number[];
      counters: Record<string, number>;
      sent: number;
      synRecv: number;
    }> = [];
    for (const c of CASES) {
      await onV(`sysctl -qw net.ipv4.tcp_syncookies=${c.syncookies} net.ipv4.tcp_max_syn_backlog=${c.synBacklog}`);
      const pid = (
        await onV(
          `rm -f /tmp/lbflood.acc; setsid /usr/local/bin/lb_listener --port ${PORT} --workers ${WORKERS} ${c.listener} --counters /tmp/lbflood.acc > /tmp/lbflood.log 2>&1 < /dev/null & echo $!`,
        )
      ).trim();
      try {
        await onV(
          `for i in $(seq 100); do [ "$(ss -Htln 'sport = :${PORT}' | wc -l)" = ${WORKERS} ] && exit 0; sleep 0.05; done; cat /tmp/lbflood.log; exit 1`,
        );
        const before = parseCounters(await onV(`nstat -asz ${COUNTERS.join(' ')}`), COUNTERS);
        const flood = c.flood
          ? onA(
              `/usr/local/bin/lbprov-synflood --dst ${victimAddr} --port ${PORT} --src-from ${srcFrom} --src-to ${srcTo} --allow ${allow} --rate ${RATE} --seconds ${DURATION + 1} --count ${RATE * (DURATION + 1)}`,
            )
          : Promise.resolve('{"sent":0}');
        // wrk starts after the flood has filled the queues for half a second
        const wrkOut = (async () => {
          await new Promise((r) => setTimeout(r, c.flood ? 500 : 0));
          return onA(
            `wrk -t1 -c${CONNS} -d${DURATION}s --timeout 3s --latency -H 'Connection: close' http://${victimAddr}:${PORT}/`,
          );
        })();
        const synRecvP = (async () => {
          await new Promise((r) => setTimeout(r, (DURATION * 1000) / 2));
          return Number((await onV(`ss -Htn state syn-recv '( sport = :${PORT} )' | wc -l`)).trim());
        })();
        const [floodOut, w, synRecv] = await Promise.all([flood, wrkOut, synRecvP]);
        const after = parseCounters(await onV(`nstat -asz ${COUNTERS.join(' ')}`), COUNTERS);
        const accepts = parseAccepts(await onV('sleep 1.2; cat /tmp/lbflood.acc'));
        const counters = Object.fromEntries(COUNTERS.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
        rows.push({
          c,
          wrk: parseWrk(w),
          accepts,
          counters,
          sent: (JSON.parse(floodOut.trim().split('\n').pop()!) as { sent: number }).sent,
          synRecv,
        });
        process.stderr.write(`${c.name}: ${JSON.stringify(rows[rows.length - 1].wrk)} ${JSON.stringify(counters)}\n`);
      } finally {
        await onV(
          `kill ${pid}; for i in $(seq 50); do kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -9 ${pid}`,
        ).catch(() => undefined);
      }
    }
    await onV(`sysctl -qw net.ipv4.tcp_syncookies=${defaults[0]} net.ipv4.tcp_max_syn_backlog=${defaults[1]}`);
    attacker.close();
    victim.close();
    const cpu = cpus();
    const lines = [
      `Machine: ${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? 'unknown'}), Linux ${release()}; attacker (wrk + flood) and victim are lab hosts on the same CPUs, shared with other people's work.`,
      `${WORKERS} workers; wrk -t1 -c${CONNS} -d${DURATION}s --timeout 3s, every request on a new connection; flood ${RATE} SYN/s for ${DURATION + 1} s from 10 unused lab addresses; somaxconn ${defaults[2]}, listen backlog 65535 (so ${defaults[2]} per socket).`,
      '',
      '| case | SYNs sent | legit conn/s | success | p99 | accepts per worker | imbalance | SYN_RECV (mid-run) | ListenOverflows | ListenDrops | TCPReqQFullDrop | ReqQFullDoCookies | SyncookiesSent |',
      '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => {
        const ok = r.wrk.requests / Math.max(1, r.wrk.requests + r.wrk.errors);
        const c = r.counters;
        return `| ${r.c.name} | ${r.sent} | ${Math.round(r.wrk.rps)} | ${(100 * ok).toFixed(1)}% | ${r.wrk.p99ms.toFixed(1)} ms | ${r.accepts.join(' / ')} | ${(imbalance(r.accepts) ?? 0).toFixed(3)} | ${r.synRecv} | ${c.TcpExtListenOverflows} | ${c.TcpExtListenDrops} | ${c.TcpExtTCPReqQFullDrop} | ${c.TcpExtTCPReqQFullDoCookies} | ${c.TcpExtSyncookiesSent} |`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await labDown({ quiet: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench/synflood: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
