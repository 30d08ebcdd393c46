import { readFileSync } from 'node:fs';
import type { FileStat, ModuleContext, ModuleDef, Plan, Step, StepOutput } from '../../src/module/types.js';
import type { Facts } from '../../src/facts/types.js';
import { check as checkArgs } from '../../src/playbook/schema.js';
import { Scope } from '../../src/playbook/scope.js';
import { renderFile, renderValue } from '../../src/playbook/template.js';
import { evaluate } from '../../src/playbook/expr.js';
import { localPath } from '../../src/playbook/local-file.js';
import { errorMessage } from '../../src/util/errors.js';
import { argvMatches, type FixtureHost, normalArgv, type HostSpec } from './fixture-host.js';

/**
 * One module case of test/modules/<module>/*.yaml, run as the executor runs a task (schema, reads,
 * plan, check mode, steps, interpret) against a FixtureHost, with the module's real reads and plan.
 */
export interface Case {
  /** What the case shows (defaults to the file name). */
  name?: string;
  args?: Record<string, unknown>;
  /** Task variables, for templated args, `template` sources and `assert`/`debug` expressions. */
  vars?: Record<string, unknown>;
  /** Over the default facts (a Debian x86_64 host with systemd and a ConnectX-7); null: no facts gathered. */
  facts?: Partial<Facts> | null;
  check?: boolean;
  /** Check mode: files an earlier task of the run would have written (a file in ModuleContext.checkKnown). */
  would_exist?: string[];
  /**
   * Check mode: what earlier tasks would have left at paths (ModuleContext.checkKnown): a stat
   * (type file unless said, mode 0644, root, size of the content) with the content, `implied` for
   * a directory only known to hold something, or null (removed).
   */
  check_known?: Record<string, (Partial<FileStat> & { content?: string; implied?: boolean }) | null>;
  /** Check mode: what earlier tasks would have left (ModuleContext.checkState). */
  check_state?: Record<string, unknown>;
  host?: HostSpec;
  expect: Expect;
  /** false: the module is not idempotent by nature (a command without creates), the second run is not checked as a no-op. */
  idempotent?: boolean;
  /** Expectations for the second run instead of "changes nothing". */
  second?: Expect;
  /** What happens to the host between the runs (a reboot unpins programs...): parts of the state, null removes. */
  between?: HostSpec;
  /** Arguments changed for the second run (new flags, another port), over `args`. */
  second_args?: Record<string, unknown>;
}

export interface Expect {
  status?: 'ok' | 'changed' | 'failed' | 'skipped';
  /** Exact, or a /regex/. */
  msg?: string;
  steps?: Array<Record<string, unknown>>;
  diff?: Array<{ path: string; before?: string; after?: string }>;
  /** A subset of the registered value (changed, failed, skipped, msg and the module's fields). */
  result?: Record<string, unknown>;
  warnings?: string[];
  /** A subset of the host's state after the run. */
  host?: Record<string, unknown>;
}

export interface Outcome {
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  msg?: string;
  steps: Step[];
  diff: NonNullable<Plan['diff']>;
  data: Record<string, unknown>;
  warnings: string[];
}

export const defaultFacts = (): Facts => ({
  hostname: 'h1',
  arch: 'x86_64',
  kernel: { release: '6.8.0-1012-aws', version: '6.8.0' },
  os: { id: 'debian', version_id: '12' },
  pkg_manager: 'apt',
  systemd: true,
  user: { name: 'root', uid: 0 },
  ansible: {},
  nics: [
    { name: 'eth0', vendor: '0x15b3', device: '0x1021', driver: 'mlx5_core', model: 'connectx-7' },
    { name: 'lo', vendor: null, device: null, driver: null, model: null },
  ],
});

export function context(c: Case, dir: string, scope: Scope): ModuleContext {
  const check = c.check ?? false;
  return {
    host: 'h1',
    facts: c.facts === null ? undefined : { ...defaultFacts(), ...c.facts },
    check,
    localFile: (p, kind) => readFileSync(localPath(dir, p, kind)),
    render: (text) => renderFile(text, scope),
    evaluate: (expr) => evaluate(expr, scope),
    checkKnown: (p) => {
      if (check && (c.would_exist ?? []).includes(p))
        return { stat: { type: 'file', mode: '0644', owner: 'root', group: 'root', size: 0 } };
      // as CheckOverlay.lookup: a folder's name with or without its trailing slash
      const k = check ? c.check_known?.[p.length > 1 ? p.replace(/\/+$/, '') : p] : undefined;
      if (k === undefined) return undefined;
      if (k === null) return { stat: null };
      const { content, implied, ...st } = k;
      const body = content === undefined ? undefined : Buffer.from(content);
      const type = st.type ?? 'file';
      const stat: FileStat = {
        type,
        mode: type === 'directory' ? '0755' : type === 'link' ? '0777' : '0644',
        owner: 'root',
        group: 'root',
        size: body?.length ?? 0,
        ...st,
      };
      return { stat, ...(body ? { content: body } : {}), ...(implied ? { implied } : {}) };
    },
    checkState: (key) => (check ? c.check_state?.[key] : undefined),
  };
}

/** The task on the fixture host, as src/executor/task-runner.ts runs it (its runItem and apply). */
export function runCase(mod: ModuleDef, c: Case, dir: string, host: FixtureHost): Outcome {
  const scope = new Scope(c.vars ?? {}, {});
  const done = (status: Outcome['status'], msg?: string, extra: Partial<Outcome> = {}): Outcome => ({
    status,
    msg,
    steps: [],
    diff: [],
    data: {},
    warnings: [],
    ...extra,
  });
  let plan: Plan;
  try {
    const args = renderValue(c.args ?? {}, scope) as Record<string, unknown>;
    const problems = checkArgs(mod.schema, args, mod.name);
    if (problems.length)
      return done('failed', `invalid arguments after templating: ${problems.map((p) => p.message).join('; ')}`);
    const ctx = context(c, dir, scope);
    const reads = mod.reads?.(args, ctx) ?? {};
    const seen = Object.fromEntries(Object.entries(reads).map(([k, r]) => [k, host.read(r)]));
    plan = mod.plan(args, seen, ctx);
  } catch (e) {
    return done('failed', errorMessage(e));
  }
  const base = { steps: plan.steps, diff: plan.diff ?? [], data: plan.result ?? {}, warnings: plan.warnings ?? [] };
  const check = c.check ?? false;
  if (plan.failed) return done('failed', plan.failed, base);
  if (check && plan.changed && plan.checkSkip) return done('skipped', plan.checkSkip, base);
  if (check || !plan.steps.length)
    return done(plan.changed ? 'changed' : 'ok', (check && plan.steps.length && plan.checkMsg) || plan.msg, base);
  const outputs: StepOutput[] = [];
  for (const [i, step] of plan.steps.entries()) {
    const o = host.apply(step);
    if (o.rc !== 0 && !(step.op === 'exec' && step.capture)) {
      const what = step.op === 'write' ? `writing ${step.path}` : (step.what ?? step.argv.join(' '));
      return done('failed', `${what} failed (rc ${o.rc}): ${o.stderr.trim() || o.stdout.trim()}`, {
        ...base,
        data: {},
        steps: plan.steps.slice(0, i + 1),
      });
    }
    outputs.push(o);
  }
  const seen = plan.interpret?.(outputs);
  const changed = seen?.changed ?? plan.changed;
  const data = { ...plan.result, ...seen?.result };
  if (seen?.failed) return done('failed', seen.failed, { ...base, data });
  return done(changed ? 'changed' : 'ok', seen?.msg ?? plan.msg, { ...base, data });
}

/** The registered value, as task-runner.ts's `registered`. */
export const registeredOf = (o: Outcome): Record<string, unknown> => ({
  changed: o.status === 'changed',
  failed: o.status === 'failed',
  skipped: o.status === 'skipped',
  ...o.data,
  ...(o.msg !== undefined ? { msg: o.msg } : {}),
});

/** `/re/`, `/re/m`, `/re/ms`: a regex (`s` always on: `.` matches newlines). */
const REGEX = /^\/(.+)\/(m?)s?$/s;
const show = (v: unknown): string => {
  const j = JSON.stringify(v) ?? 'undefined';
  return j.length > 300 ? `${j.slice(0, 300)}...` : j;
};

/** Where `actual` differs from `expected`: mappings as subsets, lists item by item, "/re/" strings as regexes, null as absent. */
export function unlike(actual: unknown, expected: unknown, at = ''): string[] {
  if (expected === null) return actual == null ? [] : [`${at}: expected nothing, got ${show(actual)}`];
  const re = typeof expected === 'string' ? REGEX.exec(expected) : null;
  if (re)
    return new RegExp(re[1], `s${re[2]}`).test(String(actual))
      ? []
      : [`${at}: ${show(actual)} does not match ${String(expected)}`];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected a list, got ${show(actual)}`];
    if (actual.length !== expected.length)
      return [`${at}: expected ${expected.length} items, got ${actual.length}: ${show(actual)}`];
    return expected.flatMap((e, i) => unlike(actual[i], e, `${at}[${i}]`));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return [`${at}: expected a mapping, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) =>
      unlike((actual as Record<string, unknown>)[k], v, `${at}.${k}`),
    );
  }
  return actual === expected ? [] : [`${at}: expected ${show(expected)}, got ${show(actual)}`];
}

/** A step as the cases write it: `{write: path, content, mode, ...}` or `{exec: argv, capture, what}`. */
export function stepView(s: Step): Record<string, unknown> {
  if (s.op === 'write') {
    const { op: _op, path, content, ...rest } = s;
    return { write: path, content: content.toString(), ...rest };
  }
  const { op: _op, argv, ...rest } = s;
  return { exec: argv, ...rest };
}

function stepsUnlike(actual: Step[], expected: Array<Record<string, unknown>>, at: string): string[] {
  const shown = (): string =>
    actual
      .map((s) =>
        JSON.stringify(stepView(s), (k, v: unknown) =>
          typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}...` : v,
        ),
      )
      .join('\n    ');
  if (actual.length !== expected.length)
    return [`${at}: expected ${expected.length} steps, got ${actual.length}:\n    ${shown()}`];
  return expected.flatMap((e, i) => {
    const v = stepView(actual[i]);
    const { exec, ...rest } = e;
    if (exec !== undefined) {
      if (!('exec' in v)) return [`${at}[${i}]: expected an exec step, got a write of ${String(v.write)}`];
      const pattern = (exec as unknown[]).map(String);
      // the argv as run, or as the cases name it (`name args` for a module's `bash -c` script)
      if (!argvMatches(pattern, v.exec as string[]) && !argvMatches(pattern, normalArgv(v.exec as string[])))
        return [`${at}[${i}]: argv ${JSON.stringify(v.exec)} does not match ${JSON.stringify(exec)}`];
    } else if (!('write' in v)) return [`${at}[${i}]: expected a write step, got ${JSON.stringify(v.exec)}`];
    return unlike(v, exec === undefined ? e : rest, `${at}[${i}]`);
  });
}

export function outcomeUnlike(o: Outcome, e: Expect, host: FixtureHost, at: string): string[] {
  const p: string[] = [];
  if (e.status !== undefined && o.status !== e.status)
    p.push(`${at}.status: expected ${e.status}, got ${o.status}${o.msg ? ` (${o.msg})` : ''}`);
  if (e.msg !== undefined) p.push(...unlike(o.msg, e.msg, `${at}.msg`));
  if (e.steps !== undefined) p.push(...stepsUnlike(o.steps, e.steps, `${at}.steps`));
  if (e.diff !== undefined) p.push(...unlike(o.diff, e.diff, `${at}.diff`));
  if (e.result !== undefined) p.push(...unlike(registeredOf(o), e.result, `${at}.result`));
  if (e.warnings !== undefined) p.push(...unlike(o.warnings, e.warnings, `${at}.warnings`));
  if (e.host !== undefined) p.push(...unlike(host.state, e.host, `${at}.host`));
  return p;
}
