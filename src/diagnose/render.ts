import type { HostDiagnosis } from './judge.js';

export type HostResult =
  ({ name: string } & HostDiagnosis) | { name: string; verdict: 'unreachable'; reasons: string[] };

const prog = (p: { id: number; tag: string } | null): string => (p && p.id ? `${p.id} ${p.tag.slice(0, 8)}` : '-');
const runs = (p: { run_cnt?: number } | null, on: boolean): string => (!p || !on ? '' : ` (${p.run_cnt ?? 0} runs)`);

/** The terminal's view: one row per host, then each host's reasons and notes. */
export function renderTable(results: HostResult[]): string {
  const head = [
    'HOST',
    'VERDICT',
    'PINNED',
    'ATTACHED',
    'MATCH',
    'ACCEPTS/WORKER',
    'IMBAL',
    'ACCEPTQ',
    'OVERFLOW/DROP/RST',
  ];
  const rows = results.map((r): string[] => {
    if (r.verdict === 'unreachable') return [r.name, 'UNREACHABLE', '', '', '', '', '', '', ''];
    const c = r.counters;
    return [
      r.name,
      r.verdict.toUpperCase(),
      prog(r.pinned) + runs(r.pinned, r.bpf_stats_enabled),
      prog(r.attached) + runs(r.attached, r.bpf_stats_enabled),
      r.match === null ? '?' : r.match ? 'yes' : 'NO',
      r.workers.accepts.join('/') || '-',
      r.workers.imbalance === null ? '-' : r.workers.imbalance.toFixed(3),
      r.listeners.map((l) => l.recv_q).join('/') || '-',
      [c.TcpExtListenOverflows, c.TcpExtListenDrops, c.TcpOutRsts].map((v) => (v === null ? '?' : String(v))).join('/'),
    ];
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  for (const r of results) {
    for (const why of r.reasons)
      out.push(`${r.name}: ${r.verdict === 'unreachable' ? 'unreachable' : r.verdict}: ${why}`);
    if (r.verdict !== 'unreachable') {
      for (const n of r.notes) out.push(`${r.name}: note: ${n}`);
    }
  }
  return `${out.join('\n')}\n`;
}
