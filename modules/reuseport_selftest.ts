import { shellLib } from '../src/module/shell-lib.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { Type, Default, type ArgsOf } from '../src/module/args.js';
import { BUILD_SHELL, buildHash, buildReads, buildSteps, type BuildSpec } from '../src/module/build.js';
import { packageRoot } from '../src/util/paths.js';

const schema = Type.Object(
  {
    object: Type.Optional(
      Type.String({
        pattern: '^/',
        patternMeans: 'an absolute path',
        description: 'A BPF object file on the host to test (its first reuseport program).',
      }),
    ),
    pin: Type.Optional(
      Type.String({
        pattern: '^/sys/fs/bpf/',
        patternMeans: 'a path under /sys/fs/bpf/',
        description:
          "The pinned program to test: its object is found through bpf_program's markers in dest_dir (else the pinned program is loaded itself); the tag tested must be the pinned one.",
      }),
    ),
    sockets: Default(
      Type.Integer({ minimum: 1, maximum: 1024, description: 'Loopback SO_REUSEPORT sockets (the workers).' }),
      8,
    ),
    connections: Default(
      Type.Integer({ minimum: 1, maximum: 1000000, description: 'Connections opened and counted.' }),
      2000,
    ),
    max_imbalance: Default(
      Type.Number({
        minimum: 0,
        description: "The largest imbalance allowed: the busiest socket's count over the mean, minus 1.",
      }),
      0.2,
    ),
    dest_dir: Default(
      Type.String({ pattern: '^/', patternMeans: 'an absolute path', description: "bpf_program's dest_dir." }),
      '/opt/lbprov/bpf',
    ),
    weights: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 1000000 }), {
        minItems: 1,
        maxItems: 1024,
        description:
          'One weight per socket (bpf/lb_hash_weighted.c): judge the spread against w_i / sum(w), within a tolerance computed from the number of connections, instead of against an even spread.',
      }),
    ),
  },
  { anyOf: [{ required: ['object'] }, { required: ['pin'] }], additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

interface Report {
  error?: string;
  type: string;
  tag: string;
  sockets: number;
  connections: number;
  accepted: number[];
  accepted_total: number;
  weights?: number[];
  weights_map?: boolean;
  refused: number;
  errors: number;
  imbalance: number;
  elapsed_ms: number;
}

const HELPER = readFileSync(join(packageRoot, 'bpf', 'lb_selftest.c'));
const helper = (arch: string): BuildSpec => ({
  source: HELPER,
  remoteSrc: '/opt/lbprov/src/lb_selftest.c',
  dest: '/opt/lbprov/bin/lb_selftest',
  cflags: ['-O2', '-Wall'],
  libs: ['-lbpf'],
  arch,
});

const runArgv = (a: Args, b: BuildSpec): string[] => [
  'lbprov_selftest',
  b.dest,
  `${b.dest}.hash`,
  buildHash(b),
  a.dest_dir,
  a.pin ?? '',
  a.object ?? '',
  String(a.sockets),
  String(a.connections),
  ...(a.weights ? [a.weights.join(',')] : []),
];

/** What the self-test's figures mean: pass, or a failure that says which way the program is wrong. */
export function judge(a: Args, out: StepOutput): { failed?: string; result?: Record<string, unknown> } {
  const [line = '', pinnedTag = ''] = out.stdout.split('\n');
  let r: Report;
  try {
    r = JSON.parse(line) as Report;
  } catch {
    return { failed: `the self-test did not run (rc ${out.rc}): ${(out.stderr || out.stdout).trim()}` };
  }
  if (r.error) return { failed: `the self-test could not run: ${r.error}` };
  const result = {
    accepted: r.accepted,
    refused: r.refused,
    imbalance: r.imbalance,
    elapsed_ms: r.elapsed_ms,
    tag: r.tag,
    type: r.type,
    sockets: r.sockets,
    connections: r.connections,
  };
  const what = a.object ?? a.pin;
  if (a.pin && pinnedTag && r.tag !== pinnedTag)
    return {
      failed: `the object tested (tag ${r.tag}) is not the program pinned at ${a.pin} (tag ${pinnedTag})`,
      result,
    };
  if (r.refused > 0 || r.errors > 0) {
    const share = ((100 * r.refused) / r.connections).toFixed(1);
    return {
      failed:
        `${what}: ${r.refused} of ${r.connections} connections were refused (${share}%), ${r.accepted_total} accepted` +
        (r.type === 'sk_reuseport'
          ? ': an sk_reuseport program returns a verdict (SK_PASS = 1), not a socket index; anything else drops the SYN. Select the socket with bpf_sk_select_reuseport() and return SK_PASS'
          : '') +
        (r.errors ? `; ${r.errors} connect errors` : ''),
      result,
    };
  }
  if (a.weights) return judgeWeighted(a.weights, r, what ?? '', result);
  if (r.imbalance > a.max_imbalance)
    return {
      failed: `${what}: imbalance ${r.imbalance.toFixed(3)} > max_imbalance ${a.max_imbalance} across ${r.sockets} sockets (accepted: ${r.accepted.join(' ')})`,
      result,
    };
  return { result };
}

/** Deviations beyond this many standard deviations of a socket's binomial count fail (see judgeWeighted). */
const WEIGHT_Z = 5;

/**
 * Socket i should get p_i = w_i / sum(w) of the N connections. Its count is binomial (N, p_i), so
 * its relative deviation has standard deviation sqrt((1 - p_i) / (N p_i)): the tolerance follows
 * from the number of connections. 5 of them: runs of the weighted program on lab hosts reached 3.2
 * (the hash of consecutive loopback ports is not a perfect coin), the even program against 1:2:1:1
 * with 4000 connections is about 19 away.
 */
export function weightedTolerance(weights: number[], n: number): number[] {
  const sum = weights.reduce((x, y) => x + y, 0);
  return weights.map((w) => (w > 0 && n > 0 ? WEIGHT_Z * Math.sqrt((1 - w / sum) / (n * (w / sum))) : 0));
}

function judgeWeighted(
  weights: number[],
  r: Report,
  what: string,
  result: Record<string, unknown>,
): { failed?: string; result: Record<string, unknown> } {
  const sum = weights.reduce((x, y) => x + y, 0);
  const n = r.accepted_total;
  const tol = weightedTolerance(weights, n);
  const dev = weights.map((w, i) => (w > 0 ? r.accepted[i] / ((n * w) / sum) - 1 : r.accepted[i] > 0 ? Infinity : 0));
  const worst = dev.reduce((k, d, i) => (Math.abs(d) - tol[i] > Math.abs(dev[k]) - tol[k] ? i : k), 0);
  const out = {
    ...result,
    weights,
    expected: weights.map((w) => Math.round((n * w) / sum)),
    deviation: dev.map((d) => Number(d.toFixed(4))),
    tolerance: tol.map((t) => Number(t.toFixed(4))),
  };
  if (Math.abs(dev[worst]) > tol[worst]) {
    return {
      failed:
        `${what}: socket ${worst} got ${r.accepted[worst]} of ${n} connections, weight ${weights[worst]} of ${sum} expects ${out.expected[worst]} ` +
        `(${(100 * dev[worst]).toFixed(1)}%, tolerance ±${(100 * tol[worst]).toFixed(1)}% for ${n} connections; accepted: ${r.accepted.join(' ')})` +
        (r.weights_map === false ? ': the program has no lb_weights map, so it ignores the weights' : ''),
      result: out,
    };
  }
  return { result: out };
}

const summary = (r: Record<string, unknown> | undefined): string | undefined =>
  r
    ? `${String(r.sockets)} sockets, ${String(r.connections)} connections: refused ${String(r.refused)}, imbalance ${Number(r.imbalance).toFixed(3)}${r.weights ? `, weights ${(r.weights as number[]).join(':')}: accepted ${(r.accepted as number[]).join(' ')}, expected ${(r.expected as number[]).join(' ')}` : ''}`
    : undefined;

export default defineModule({
  name: 'reuseport_selftest',
  shell: [BUILD_SHELL, shellLib('modules/reuseport_selftest.sh')],
  schema,
  description: 'Proves on the host that a reuseport BPF program spreads connections, and fails the host if not.',
  notes: [
    'The lb_selftest helper (built once per host) loads its own instance of the program, attaches it to the loopback sockets, opens the connections and counts where they land.',
    'Fails on any refused connection (an sk_reuseport program that returns a socket index instead of SK_PASS drops SYNs) or an imbalance above max_imbalance. Changes nothing but building the helper.',
    'Check mode runs the test when the helper is built; otherwise it reports that it would build the helper, and the test itself cannot run.',
  ],
  examples: `- name: lb_hash spreads connections
  reuseport_selftest:
    pin: /sys/fs/bpf/lb_hash
    sockets: 4
    connections: 4000
    max_imbalance: 0.2
`,
  returns: {
    accepted: { description: 'Connections accepted per socket.', type: 'list' },
    refused: { description: 'Connections refused.', type: 'integer' },
    imbalance: { description: 'The busiest count over the mean, minus 1.', type: 'number' },
    elapsed_ms: { description: 'How long the test took.', type: 'number' },
    tag: { description: "The tested program's tag.", type: 'string' },
    type: { description: "The tested program's type.", type: 'string' },
    sockets: { description: 'Sockets used.', type: 'integer' },
    connections: { description: 'Connections opened.', type: 'integer' },
  },
  check: 'partial',
  diff: 'partial',
  reads: (a, ctx) => {
    const b = helper(ctx.facts?.arch ?? '');
    return { ...buildReads(b), run: { kind: 'exec', argv: runArgv(a, b) } };
  },
  plan(a, seen, ctx): Plan {
    if (a.weights && a.weights.length !== a.sockets)
      return {
        changed: false,
        steps: [],
        failed: `weights: ${a.weights.length} given for ${a.sockets} sockets (one per socket)`,
      };
    const b = helper(ctx.facts?.arch ?? '');
    const out: StepOutput = { rc: seen.run.rc, stdout: seen.run.stdout.toString(), stderr: seen.run.stderr };
    if (!out.stdout.startsWith('NOT_BUILT')) {
      const j = judge(a, out);
      return { changed: false, steps: [], failed: j.failed, msg: summary(j.result), result: j.result };
    }
    const { steps, diff } = buildSteps(b, { src: seen.src, bin: seen.bin });
    const at = steps.length;
    steps.push({ op: 'exec', argv: runArgv(a, b), capture: true, what: 'the reuseport self-test' });
    return {
      changed: true,
      steps,
      diff,
      msg: 'built the self-test helper and ran it',
      // building the helper is a change: check mode says so (the test itself cannot run before it)
      checkMsg: 'would build the self-test helper, then run the self-test',
      interpret: (outs) => {
        const j = judge(a, outs[at]);
        return { ...j, msg: `built the self-test helper; ${summary(j.result)}` };
      },
    };
  },
});
