import { defineModule, type Plan, type Read, type Step, failedPlan } from '../src/module/types.js';
import { Type, AnyOfTypes, Choice, Default, type ArgsOf } from '../src/module/args.js';

const scalar = AnyOfTypes(['string', 'number', 'boolean']);
const schema = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, description: 'One key, e.g. net.core.somaxconn (net/core/somaxconn works too).' }),
    ),
    value: Type.Optional(
      AnyOfTypes(['string', 'number', 'boolean'], {
        description: 'The value of name (required with state present); true/false are 1/0.',
      }),
    ),
    values: Type.Optional(
      Type.Unsafe<Record<string, string | number | boolean>>({
        type: 'object',
        additionalProperties: scalar,
        minProperties: 1,
        description: 'Many keys at once: key -> value (read, planned and applied in one round trip each).',
      }),
    ),
    file: Default(
      Type.String({ minLength: 1, description: 'The sysctl.d file the keys are persisted in.' }),
      '/etc/sysctl.d/60-lbprov.conf',
    ),
    sysctl_file: Type.Optional(
      Type.String({ minLength: 1, description: "file under ansible.posix.sysctl's name (wins over file)." }),
    ),
    state: Default(
      Choice(['present', 'absent'], {
        description: 'present: set (live and in file); absent: removed from file (the live value stays).',
      }),
      'present',
    ),
    reload: Default(
      Type.Boolean({ description: 'Also set the live value (sysctl -w) when it differs; false: only the file.' }),
      true,
    ),
  },
  { oneOf: [{ required: ['name'] }, { required: ['values'] }], additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

/** `net/ipv4/x` and `net.ipv4.x` are the same key. */
export const normKey = (k: string): string => k.trim().replace(/\//g, '.');
/** The kernel prints multi-value sysctls with tabs: compare after folding whitespace. */
export const fold = (v: unknown): string =>
  String(v === true ? 1 : v === false ? 0 : v)
    .trim()
    .replace(/\s+/g, ' ');
const procPath = (k: string): string => `/proc/sys/${k.replace(/\./g, '/')}`;

function wanted(a: Args): Map<string, string> {
  const m = new Map<string, string>();
  if (a.name !== undefined) m.set(normKey(a.name), fold(a.value ?? ''));
  for (const [k, v] of Object.entries(a.values ?? {})) m.set(normKey(k), fold(v));
  return m;
}

/** The sysctl.d file with each key set (or removed), comments and other keys kept in place. */
export function editConf(text: string, set: Map<string, string>, remove: Set<string>): string {
  const done = new Set<string>();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*-?\s*([^=#;\s]+)\s*=(.*)$/.exec(line);
    const key = m ? normKey(m[1]) : undefined;
    if (key && remove.has(key)) continue;
    if (key && set.has(key)) {
      if (!done.has(key)) out.push(`${key} = ${set.get(key)}`);
      done.add(key);
      continue;
    }
    out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  for (const [k, v] of set) if (!done.has(k)) out.push(`${k} = ${v}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

export default defineModule({
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  schema,
  description: 'Kernel parameters, live (sysctl -w) and persisted in /etc/sysctl.d/.',
  notes: [
    'A key the kernel does not have fails the host (net.* keys are per network namespace; some exist only in newer kernels). The file keeps its comments and other keys in place.',
  ],
  examples: `- name: Listen backlog
  sysctl:
    name: net.core.somaxconn
    value: 4096

- name: Edge sysctls, one round trip
  sysctl:
    values:
      net.core.somaxconn: 4096
      net.ipv4.tcp_max_syn_backlog: 8192
    file: /etc/sysctl.d/60-lbprov.conf
`,
  returns: { live: { description: 'The live values read before the task: key -> value.', type: 'mapping' } },
  check: 'full',
  diff: 'full',
  reads(a) {
    const reads: Record<string, Read> = { conf: { kind: 'file', path: a.sysctl_file ?? a.file } };
    [...wanted(a).keys()].forEach((k, i) => (reads[`k${i}`] = { kind: 'exec', argv: ['cat', '--', procPath(k)] }));
    return reads;
  },
  plan(a, seen, ctx): Plan {
    const file = a.sysctl_file ?? a.file;
    const want = wanted(a);
    if (a.state === 'present' && a.name !== undefined && a.value === undefined)
      return failedPlan(`sysctl ${a.name}: value is required with state present`);
    const live = new Map<string, string>();
    const unknown: string[] = [];
    [...want.keys()].forEach((k, i) => {
      const r = seen[`k${i}`];
      if (r.rc !== 0) unknown.push(k);
      else live.set(k, fold(r.stdout.toString()));
    });
    if (unknown.length && a.state === 'present') {
      return {
        changed: false,
        steps: [],
        failed: `${ctx.host}: unknown sysctl key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (no ${unknown.map(procPath).join(', ')}; net.* keys are per network namespace, and some exist only in newer kernels)`,
      };
    }
    const before = seen.conf.stat ? seen.conf.stdout.toString() : '';
    const after =
      a.state === 'present' ? editConf(before, want, new Set()) : editConf(before, new Map(), new Set(want.keys()));
    const steps: Step[] = [];
    const diff = [];
    if (after !== before) {
      steps.push({ op: 'write', path: file, content: Buffer.from(after), mode: '0644' });
      diff.push({ path: file, before, after });
    }
    if (a.state === 'present' && a.reload) {
      const off = [...want].filter(([k, v]) => live.get(k) !== v);
      for (const [k, v] of off)
        steps.push({ op: 'exec', argv: ['sysctl', '-q', '-w', `${k}=${v}`], what: `sysctl -w ${k}=${v}` });
      if (off.length)
        diff.push({
          path: 'sysctl (live)',
          before: off.map(([k]) => `${k} = ${live.get(k)}`).join('\n') + '\n',
          after: off.map(([k, v]) => `${k} = ${v}`).join('\n') + '\n',
        });
    }
    return {
      changed: steps.length > 0,
      steps,
      diff,
      msg: steps.length ? [...want.keys()].join(', ') : undefined,
      result: { live: Object.fromEntries(live) },
    };
  },
});
