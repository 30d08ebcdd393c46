/**
 * Parsers of what the diagnose script prints on a host (script.ts): pure, tested on fixtures
 * taken from lab hosts (test/diagnose-parse.test.ts).
 */

export interface BpfProg {
  id: number;
  type: string;
  name: string;
  tag: string;
  /** only when kernel.bpf_stats_enabled was on while it ran (bpftool omits zeros) */
  run_cnt?: number;
  run_time_ns?: number;
}

/** `bpftool -j prog show ...`: the program, or why there is none (bpftool's own error). */
export function parseBpftoolProg(out: string): { prog?: BpfProg; error?: string } {
  const text = out.trim();
  if (!text) return { error: 'bpftool printed nothing' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: `bpftool did not answer in JSON: ${text.split('\n')[0]}` };
  }
  if (Array.isArray(v)) v = v[0];
  if (!v || typeof v !== 'object') return { error: `unexpected bpftool output: ${text.slice(0, 200)}` };
  const o = v as Record<string, unknown>;
  if (typeof o.error === 'string') return { error: o.error };
  if (typeof o.id !== 'number') return { error: `unexpected bpftool output: ${text.slice(0, 200)}` };
  const prog: BpfProg = { id: o.id, type: String(o.type ?? ''), name: String(o.name ?? ''), tag: String(o.tag ?? '') };
  if (typeof o.run_cnt === 'number') prog.run_cnt = o.run_cnt;
  if (typeof o.run_time_ns === 'number') prog.run_time_ns = o.run_time_ns;
  return { prog };
}

/** The listener's status file (key=value lines, bpf/lb_listener.c write_status). */
export interface ListenerStatus {
  pid: number;
  port: number;
  workers: number;
  mode: string;
  pin: string;
  prog_id: number;
  prog_tag: string;
  prog_type: string;
  generation: number;
  last_reload: string;
  /** --weights as filled (empty: none), --cpus per worker (empty: not pinned) */
  weights: number[];
  cpus: number[];
}

const list = (v: string | undefined): number[] =>
  v
    ? v
        .split(',')
        .map(Number)
        .filter((n) => Number.isFinite(n))
    : [];

export function parseStatus(out: string): { status?: ListenerStatus; error?: string } {
  const kv = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([a-z_]+)=(.*)$/.exec(line);
    if (m) kv.set(m[1], m[2]);
  }
  if (!kv.has('pid')) return { error: out.trim().split('\n')[0] || 'empty' };
  const num = (k: string): number => Number(kv.get(k) ?? 0) || 0;
  return {
    status: {
      pid: num('pid'),
      port: num('port'),
      workers: num('workers'),
      mode: kv.get('mode') ?? '',
      pin: kv.get('pin') ?? '',
      prog_id: num('prog_id'),
      prog_tag: kv.get('prog_tag') ?? '',
      prog_type: kv.get('prog_type') ?? '',
      generation: num('generation'),
      last_reload: kv.get('last_reload') ?? '',
      weights: list(kv.get('weights')),
      cpus: list(kv.get('cpus')),
    },
  };
}

/** `/run/lb-listener/accepts`: "worker count" lines, in worker order. */
export function parseAccepts(out: string): number[] {
  const by: Array<[number, number]> = [];
  for (const line of out.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line.trim());
    if (m) by.push([Number(m[1]), Number(m[2])]);
  }
  return by.sort((a, b) => a[0] - b[0]).map(([, n]) => n);
}

/**
 * max/mean - 1 (domain.md): 0 is perfectly even; null without a connection. With weights (one per
 * worker, lb_hash_weighted), of each worker's accepts per unit of weight: 0 is exactly as weighted.
 */
export function imbalance(raw: number[], weights: number[] = []): number | null {
  const counts =
    weights.length === raw.length && weights.some((w) => w > 0)
      ? raw.flatMap((a, i) => (weights[i] > 0 ? [a / weights[i]] : []))
      : raw;
  const sum = counts.reduce((a, b) => a + b, 0);
  if (!counts.length || sum === 0) return null;
  return Math.max(...counts) / (sum / counts.length) - 1;
}

export interface ListenSocket {
  local: string;
  /** for a listening socket: the current accept queue */
  recv_q: number;
  /** for a listening socket: its backlog (the queue's limit) */
  send_q: number;
}

/** `ss -Hltn 'sport = :P'`: State Recv-Q Send-Q Local Peer. */
export function parseSs(out: string): ListenSocket[] {
  const socks: ListenSocket[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 5 && f[0] === 'LISTEN') socks.push({ local: f[3], recv_q: Number(f[1]), send_q: Number(f[2]) });
  }
  return socks;
}

/**
 * Kernel counters since boot, by nstat's names: `nstat -asz` lines (NAME VALUE RATE), or, without
 * nstat, /proc/net/netstat and /proc/net/snmp (a header line of names, then a line of values, per prefix).
 */
export function parseCounters(out: string, names: readonly string[]): Record<string, number | null> {
  const all = new Map<string, number>();
  const lines = out.split('\n');
  if (lines[0]?.trim() === '#proc') {
    for (let i = 1; i + 1 < lines.length; i++) {
      const h = /^(\w+): (.*)$/.exec(lines[i]);
      const v = /^(\w+): (.*)$/.exec(lines[i + 1]);
      if (!h || !v || h[1] !== v[1] || /^[-\d\s]+$/.test(h[2])) continue;
      const keys = h[2].trim().split(/\s+/);
      const vals = v[2].trim().split(/\s+/);
      // /proc's "Tcp:" is nstat's "Tcp", "TcpExt:" is "TcpExt"
      keys.forEach((k, j) => all.set(`${h[1]}${k}`, Number(vals[j])));
      i++;
    }
  } else {
    for (const line of lines) {
      const m = /^(\w+)\s+(\d+)/.exec(line);
      if (m) all.set(m[1], Number(m[2]));
    }
  }
  return Object.fromEntries(names.map((n) => [n, all.get(n) ?? null]));
}

/** The sysctls section: "key<TAB>value" or "key<TAB>\x01missing". */
export function parseSysctls(out: string): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const v = line.slice(tab + 1);
    m.set(line.slice(0, tab), v === '\x01missing' ? null : v);
  }
  return m;
}

/** The sysctl's value as the kernel prints it vs the playbook's: whitespace folded (ip_local_port_range has tabs). */
export const sameSysctl = (have: string, want: unknown): boolean =>
  have.trim().replace(/\s+/g, ' ') === String(want).trim().replace(/\s+/g, ' ');
