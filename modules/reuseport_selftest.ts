import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { buildHash, buildReads, buildSteps, type BuildSpec } from '../src/module/build.js';
import { packageRoot } from '../src/util/paths.js';

interface Args {
  object?: string;
  pin?: string;
  sockets: number;
  connections: number;
  max_imbalance: number;
  dest_dir: string;
}

interface Report {
  error?: string;
  type: string;
  tag: string;
  sockets: number;
  connections: number;
  accepted: number[];
  accepted_total: number;
  refused: number;
  errors: number;
  imbalance: number;
  elapsed_ms: number;
}

const HELPER = readFileSync(join(packageRoot, 'bpf', 'lb_selftest.c'));
const helper = (arch: string): BuildSpec => ({ source: HELPER, remoteSrc: '/opt/lbprov/src/lb_selftest.c', dest: '/opt/lbprov/bin/lb_selftest', cflags: ['-O2', '-Wall'], libs: ['-lbpf'], arch });

const runArgv = (a: Args, b: BuildSpec): string[] => ['lbprov_selftest', b.dest, `${b.dest}.hash`, buildHash(b), a.dest_dir, a.pin ?? '', a.object ?? '', String(a.sockets), String(a.connections)];

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
  const result = { accepted: r.accepted, refused: r.refused, imbalance: r.imbalance, elapsed_ms: r.elapsed_ms, tag: r.tag, type: r.type, sockets: r.sockets, connections: r.connections };
  const what = a.object ?? a.pin;
  if (a.pin && pinnedTag && r.tag !== pinnedTag) return { failed: `the object tested (tag ${r.tag}) is not the program pinned at ${a.pin} (tag ${pinnedTag})`, result };
  if (r.refused > 0 || r.errors > 0) {
    const share = ((100 * r.refused) / r.connections).toFixed(1);
    return {
      failed:
        `${what}: ${r.refused} of ${r.connections} connections were refused (${share}%), ${r.accepted_total} accepted` +
        (r.type === 'sk_reuseport' ? ': an sk_reuseport program returns a verdict (SK_PASS = 1), not a socket index; anything else drops the SYN. Select the socket with bpf_sk_select_reuseport() and return SK_PASS' : '') +
        (r.errors ? `; ${r.errors} connect errors` : ''),
      result,
    };
  }
  if (r.imbalance > a.max_imbalance) return { failed: `${what}: imbalance ${r.imbalance.toFixed(3)} > max_imbalance ${a.max_imbalance} across ${r.sockets} sockets (accepted: ${r.accepted.join(' ')})`, result };
  return { result };
}

const summary = (r: Record<string, unknown> | undefined): string | undefined =>
  r ? `${String(r.sockets)} sockets, ${String(r.connections)} connections: refused ${String(r.refused)}, imbalance ${Number(r.imbalance).toFixed(3)}` : undefined;

/**
 * Proves on the host that a reuseport program spreads connections: the lb_selftest helper (built
 * once per host) loads its own instance of the program, attaches it to K loopback SO_REUSEPORT
 * sockets, opens M connections and counts where they land. Fails on any refused connection or an
 * imbalance (max/mean - 1) above max_imbalance. Changes nothing but building the helper.
 */
export default defineModule<Args>({
  name: 'reuseport_selftest',
  schema: {
    type: 'object',
    properties: {
      object: { type: 'string', pattern: '^/' },
      pin: { type: 'string', pattern: '^/sys/fs/bpf/' },
      sockets: { type: 'integer', minimum: 1, maximum: 1024, default: 8 },
      connections: { type: 'integer', minimum: 1, maximum: 1000000, default: 2000 },
      max_imbalance: { type: 'number', minimum: 0, default: 0.2 },
      dest_dir: { type: 'string', pattern: '^/', default: '/opt/lbprov/bpf' },
    },
    anyOf: [{ required: ['object'] }, { required: ['pin'] }],
    additionalProperties: false,
  },
  reads: (a, ctx) => {
    const b = helper(ctx.facts?.arch ?? '');
    return { ...buildReads(b), run: { kind: 'exec', argv: runArgv(a, b) } };
  },
  plan(a, seen, ctx): Plan {
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
