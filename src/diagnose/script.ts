import { FACTS_SCRIPT } from '../facts/sources.js';
import { InputError } from '../util/errors.js';
import { shq } from '../util/quote.js';

/** What diagnose looks at on one host: the playbook's values for that host. */
export interface DiagTarget {
  pin: string;
  pinMaps: string;
  port: number;
  /** the listener's own report (key=value) and its per-worker accept counters */
  status: string;
  counters: string;
  /** the sysctl keys the playbook sets (edge_sysctls) */
  sysctlKeys: string[];
}

/** The nstat counters reported (nstat names: /proc/net/netstat's and /proc/net/snmp's prefix + field). */
export const COUNTERS = [
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpOutRsts',
  'TcpExtTCPReqQFullDrop',
  'TcpExtSyncookiesSent',
] as const;

const SYSCTL_KEY = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;

/** The section marker that ends the facts part of the output: everything after it is diagnose's. */
export const DIAG_MARK = '@@diag';

/**
 * One script, one round trip: the facts (kernel, NICs) and every reading diagnose judges, each in
 * its own `@@diag NAME` section. Every value from the playbook or inventory is shell-quoted; values
 * read on the host (the status file's pid and prog_id) are checked to be numbers before use.
 */
export function diagnoseScript(t: DiagTarget): string {
  for (const k of t.sysctlKeys)
    if (!SYSCTL_KEY.test(k)) throw new InputError(`edge_sysctls: "${k}" is not a sysctl key`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    throw new InputError(`lb_port: ${t.port} is not a port`);
  const status = shq(t.status);
  const sections: Array<[string, string]> = [
    // -j: bpftool reports its own errors as {"error": ...} too
    ['pinned', `bpftool -j prog show pinned ${shq(t.pin)} 2>&1`],
    ['pin_maps', `ls -1 ${shq(t.pinMaps)} 2>&1`],
    ['bpf_stats', 'cat /proc/sys/kernel/bpf_stats_enabled 2>&1'],
    ['status', `cat ${status} 2>&1`],
    [
      'attached',
      `id=$(sed -n 's/^prog_id=//p' ${status} 2>/dev/null | head -n 1)\ncase $id in ''|0|*[!0-9]*) ;; *) bpftool -j prog show id "$id" 2>&1 ;; esac`,
    ],
    [
      'listener_process',
      `pid=$(sed -n 's/^pid=//p' ${status} 2>/dev/null | head -n 1)\ncase $pid in ''|*[!0-9]*) echo none ;; *) if [ -d "/proc/$pid" ]; then echo "running $(cat "/proc/$pid/comm" 2>/dev/null)"; else echo "gone $pid"; fi ;; esac`,
    ],
    ['unit', 'systemctl is-active lb-listener.service 2>/dev/null || true'],
    ['accepts', `cat ${shq(t.counters)} 2>/dev/null || true`],
    ['listen', `ss -Hltn 'sport = :${t.port}' 2>&1`],
    // -a absolute (since boot), -s do not touch nstat's history file, -z zeros too
    [
      'nstat',
      `nstat -asz ${COUNTERS.join(' ')} 2>/dev/null || { echo '#proc'; cat /proc/net/netstat /proc/net/snmp; }`,
    ],
    [
      'sysctls',
      `for k in ${t.sysctlKeys.map(shq).join(' ')}; do p=/proc/sys/$(printf '%s' "$k" | tr . /); if [ -r "$p" ]; then printf '%s\\t%s\\n' "$k" "$(tr '\\t' ' ' < "$p")"; else printf '%s\\t\\001missing\\n' "$k"; fi; done`,
    ],
  ];
  return `${FACTS_SCRIPT}${sections.map(([name, cmd]) => `echo '${DIAG_MARK} ${name}'\n${cmd}\n`).join('')}echo '${DIAG_MARK} end'\n`;
}

/** Splits the output into the facts part and diagnose's sections. */
export function splitOutput(out: string): { facts: string; sections: Map<string, string> } {
  const sections = new Map<string, string>();
  const at = out.indexOf(`\n${DIAG_MARK} `);
  const facts = at < 0 ? out : out.slice(0, at + 1);
  if (at < 0) return { facts, sections };
  let cur = '';
  for (const line of out.slice(at + 1).split('\n')) {
    const m = new RegExp(`^${DIAG_MARK} (\\w+)$`).exec(line);
    if (m) {
      cur = m[1];
      sections.set(cur, '');
    } else if (cur) sections.set(cur, sections.get(cur) + line + '\n');
  }
  return { facts, sections };
}
