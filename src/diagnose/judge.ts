import type { Facts } from '../facts/types.js';
import { versionCompare } from '../playbook/expr.js';
import { parseFacts } from '../facts/sources.js';
import { COUNTERS, splitOutput, type DiagTarget } from './script.js';
import {
  imbalance,
  parseAccepts,
  parseBpftoolProg,
  parseCounters,
  parseSs,
  parseStatus,
  parseSysctls,
  sameSysctl,
  type BpfProg,
  type ListenSocket,
  type ListenerStatus,
} from './parse.js';

/** The playbook's values for one host, besides where to look (DiagTarget). */
export interface Expect extends DiagTarget {
  workers: number;
  sysctls: Record<string, unknown>;
  kernelMin: string;
  nicModels: string[];
  nicRequired: boolean;
  /** max/mean - 1 above this warns (domain.md: 0.2) */
  maxImbalance: number;
}

export type Verdict = 'ok' | 'warn' | 'fail';

export interface HostDiagnosis {
  verdict: Verdict;
  /** why the verdict is not ok: the fails first, then the warnings */
  reasons: string[];
  /** worth knowing, not wrong */
  notes: string[];
  kernel: { release: string; min: string; ok: boolean };
  nics: { found: Record<string, string>; required: boolean; interfaces: string[] };
  pinned: (BpfProg & { pin: string }) | null;
  attached:
    | (Partial<BpfProg> & {
        id: number;
        tag: string;
        type: string;
        pid: number;
        running: boolean;
        workers: number;
        generation: number;
        last_reload: string;
      })
    | null;
  /** the listener's attached program is the pinned one; null when one of them is unknown */
  match: boolean | null;
  bpf_stats_enabled: boolean;
  workers: { accepts: number[]; total: number; imbalance: number | null; weights: number[]; cpus: number[] };
  listeners: ListenSocket[];
  counters: Record<string, number | null>;
  sysctls: Array<{ name: string; want: string; have: string | null; ok: boolean }>;
}

const STATS_HINT =
  'run counts are off: sysctl -w kernel.bpf_stats_enabled=1 turns them on (it costs a few ns per run; turn it off again after)';
/** below this many connections per worker the spread says more about chance than about the program */
const MIN_ACCEPTS_PER_WORKER = 50;

/** Everything one host's output says, judged against the playbook's values: pure. */
export function judgeHost(out: string, e: Expect): HostDiagnosis {
  const { facts: factsText, sections } = splitOutput(out);
  const sec = (n: string): string => sections.get(n) ?? '';
  const fails: string[] = [];
  const warns: string[] = [];
  const notes: string[] = [];
  if (!sections.has('end')) fails.push('the diagnose script did not finish on the host');
  const facts: Facts = parseFacts(factsText);

  const release = facts.kernel.release;
  let kernelOk: boolean;
  try {
    kernelOk = !!release && versionCompare(release, '>=', e.kernelMin);
  } catch {
    kernelOk = false;
  }
  if (!kernelOk) fails.push(`kernel ${release || '(unknown)'} is older than kernel_min ${e.kernelMin}`);

  const found = Object.fromEntries(
    facts.nics.filter((n) => n.model && e.nicModels.includes(n.model)).map((n) => [n.name, n.model!]),
  );
  const interfaces = facts.nics.map((n) => `${n.name}${n.driver ? ` (${n.driver})` : ''}`);
  if (!Object.keys(found).length) {
    const why = `no NIC of model ${e.nicModels.join(', ')} (interfaces: ${interfaces.join(', ') || 'none'})`;
    if (e.nicRequired) fails.push(why);
    else notes.push(`${why}; nic_required is false`);
  }

  const p = parseBpftoolProg(sec('pinned'));
  const pinned = p.prog ? { pin: e.pin, ...p.prog } : null;
  if (!pinned) fails.push(`nothing pinned at ${e.pin}: ${p.error}`);
  else if (pinned.type !== 'sk_reuseport' && pinned.type !== 'socket_filter')
    fails.push(`the program pinned at ${e.pin} is of type ${pinned.type}, not sk_reuseport or socket_filter`);
  else if (pinned.type === 'sk_reuseport' && /No such file|cannot access/.test(sec('pin_maps')))
    fails.push(`${e.pin} is pinned but its maps are not at ${e.pinMaps}: a listener cannot fill them`);

  const statsEnabled = sec('bpf_stats').trim() === '1';
  if (!statsEnabled) notes.push(STATS_HINT);

  const st = parseStatus(sec('status'));
  const proc = sec('listener_process').trim();
  const running = proc.startsWith('running');
  let attached: HostDiagnosis['attached'] = null;
  if (!st.status) {
    const unit = sec('unit').trim() || 'unknown';
    fails.push(`the listener reports nothing at ${e.status} (${st.error}; lb-listener.service: ${unit})`);
  } else {
    const s: ListenerStatus = st.status;
    const a = parseBpftoolProg(sec('attached')).prog;
    attached = {
      id: s.prog_id,
      tag: s.prog_tag,
      type: s.prog_type,
      pid: s.pid,
      running,
      workers: s.workers,
      generation: s.generation,
      last_reload: s.last_reload,
    };
    if (a?.run_cnt !== undefined) attached.run_cnt = a.run_cnt;
    if (a?.run_time_ns !== undefined) attached.run_time_ns = a.run_time_ns;
    if (!running)
      fails.push(
        `the listener of ${e.status} (pid ${s.pid}) is not running (lb-listener.service: ${sec('unit').trim() || 'unknown'})`,
      );
    else if (s.mode !== 'bpf') fails.push(`the listener runs in ${s.mode} mode: no program is attached`);
    else if (!s.prog_id)
      fails.push(
        `the listener has attached no program${s.last_reload && s.last_reload !== 'ok' ? `: ${s.last_reload}` : ''}`,
      );
    if (s.last_reload && s.last_reload !== 'ok' && s.prog_id)
      warns.push(`the listener's last reload failed, the previous program stays attached: ${s.last_reload}`);
    if (s.workers !== e.workers)
      warns.push(`the listener runs ${s.workers} workers, the playbook wants ${e.workers} (lb_workers)`);
    if (s.port && s.port !== e.port)
      warns.push(`the listener is on port ${s.port}, the playbook's lb_port is ${e.port}`);
  }
  let match: boolean | null = null;
  if (pinned && attached?.id) {
    match = pinned.id === attached.id;
    if (!match) {
      warns.push(
        `the listener's attached program (id ${attached.id}, tag ${attached.tag}) is not the one pinned at ${e.pin} (id ${pinned.id}, tag ${pinned.tag})` +
          `${attached.tag === pinned.tag ? ': the same code, loaded again, with other maps' : ''}; the pin changed without a reload: systemctl reload lb-listener`,
      );
    }
  }

  const accepts = parseAccepts(sec('accepts'));
  const total = accepts.reduce((x, y) => x + y, 0);
  const weights = st.status?.weights ?? [];
  const imb = imbalance(accepts, weights);
  if (imb !== null && imb > e.maxImbalance) {
    if (total >= MIN_ACCEPTS_PER_WORKER * accepts.length)
      warns.push(
        `workers' accepts are imbalanced: ${imb.toFixed(3)} > ${e.maxImbalance} (max/mean - 1${weights.length ? ` per unit of weight ${weights.join(':')}` : ''}; accepts ${accepts.join(' / ')})`,
      );
    else notes.push(`only ${total} accepts so far: too few to judge the spread (imbalance ${imb.toFixed(3)})`);
  }

  const listeners = parseSs(sec('listen'));
  if (!listeners.length) fails.push(`nothing listens on port ${e.port}`);
  else if (attached && running && listeners.length !== attached.workers)
    warns.push(
      `${listeners.length} sockets listen on port ${e.port}, the listener reports ${attached.workers} workers`,
    );
  for (const l of listeners) {
    if (l.send_q > 0 && l.recv_q >= l.send_q)
      warns.push(`the accept queue of ${l.local} is full (${l.recv_q} of ${l.send_q}): its worker does not keep up`);
    else if (l.recv_q > 0) notes.push(`${l.recv_q} connections wait in the accept queue of ${l.local}`);
  }

  const counters = parseCounters(sec('nstat'), COUNTERS);
  const overflow = (counters.TcpExtListenOverflows ?? 0) + (counters.TcpExtListenDrops ?? 0);
  if (overflow > 0)
    notes.push(
      `since boot: ${counters.TcpExtListenOverflows} listen overflows, ${counters.TcpExtListenDrops} listen drops (nstat -az TcpExtListen* shows whether they still grow)`,
    );

  const live = parseSysctls(sec('sysctls'));
  const sysctls = Object.entries(e.sysctls).map(([name, want]) => {
    const have = live.has(name) ? live.get(name)! : null;
    return { name, want: String(want), have, ok: have !== null && sameSysctl(have, want) };
  });
  for (const s of sysctls) {
    if (s.have === null) fails.push(`sysctl ${s.name} does not exist on this kernel`);
    else if (!s.ok) warns.push(`sysctl ${s.name} is ${s.have.replace(/\s+/g, ' ')}, the playbook sets ${s.want}`);
  }

  return {
    verdict: fails.length ? 'fail' : warns.length ? 'warn' : 'ok',
    reasons: [...fails, ...warns],
    notes,
    kernel: { release, min: e.kernelMin, ok: kernelOk },
    nics: { found, required: e.nicRequired, interfaces },
    pinned,
    attached,
    match,
    bpf_stats_enabled: statsEnabled,
    workers: { accepts, total, imbalance: imb, weights, cpus: st.status?.cpus ?? [] },
    listeners,
    counters,
    sysctls,
  };
}
