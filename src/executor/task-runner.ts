import { readFileSync } from 'node:fs';
import type { DiffItem, ModuleContext, Plan, Read, Seen, ShellLib, StepOutput } from '../module/types.js';
import { evaluate, truthy } from '../playbook/expr.js';
import { check } from '../playbook/schema.js';
import type { Vars } from '../inventory/types.js';
import { CheckOverlay } from './check-overlay.js';
import type { Scope } from '../playbook/scope.js';
import { renderFile, renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import { localPath } from '../playbook/local-file.js';
import { errorMessage } from '../util/errors.js';
import { CommandTimeoutError, UnreachableError } from '../transport/types.js';
import type { RemoteShell } from '../transport/remote-shell.js';
import { parseAnswers, readsScript, stepsScript, toOutput, toSeen } from './remote-script.js';
import type { HostContext } from './host-context.js';
import { missingLibs } from './prelude.js';
import { runLoop } from './loop.js';
import type { Status } from './types.js';

/** The registered result of a task on one host (what `register` stores). */
export interface TaskResult {
  status: Status;
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg?: string;
  diff: DiffItem[];
  warnings: string[];
  data: Record<string, unknown>;
  results?: TaskResult[];
  /** Variables the task set on the host (Plan.setVars; a loop's, item after item). */
  setVars?: Record<string, unknown>;
  /** setVars are host facts too (Plan.cacheable). */
  cacheable?: boolean;
  /** A loop item's label (loop_control.label, or the item as Python prints it). */
  label?: string;
}

/** Reads done ahead for several tasks in one round trip (see prefetch.ts). */
export interface Prefetched {
  /** The reads done for this task with exactly these reads, unless the host changed since. */
  take(task: Task, key: string): Record<string, Seen> | undefined;
  /** The host was changed: what was read before is stale. */
  invalidate(): void;
  /** Whether reads for this task are held and still good. */
  has(task: Task): boolean;
  /** Reads done for this task since the host last changed (prefetch.ts readAhead). */
  put(task: Task, key: string, seen: Record<string, Seen>): void;
}

/** What identifies a task's reads: equal keys read the same things. */
export const readsKey = (args: unknown, reads: Record<string, Read>): string => JSON.stringify([args, reads]);

export interface TaskEnv {
  hc: HostContext;
  /** The host's remote shell for this task's become user (`scope`: a loop item's, for delegate_to and environment). */
  shell: (scope?: Scope) => Promise<RemoteShell>;
  scope: Scope;
  check: boolean;
  timeoutMs: number;
  /** Where a relative `src:` is looked for (a role's folder first, then the playbook's). */
  playbookDir: string | readonly string[];
  prefetched?: Prefetched;
  /** `-e` vars: above task vars too, as in Ansible (extra vars always win) */
  extraVars?: Vars;
  /**
   * What the next task will read, when known now (prefetch.ts planAhead): a change's steps and
   * these reads go in one round trip, and the next task finds them fresh (Prefetched.put).
   */
  readAfter?: () => ReadAfter | undefined;
}

/** Reads one task will do, planned before it runs (prefetch.ts planAhead). */
export interface ReadAfter {
  task: Task;
  key: string;
  reads: Record<string, Read>;
  libs: readonly ShellLib[];
}

const result = (status: Status, msg?: string, extra: Partial<TaskResult> = {}): TaskResult => ({
  status,
  changed: status === 'changed',
  failed: status === 'failed' || status === 'unreachable',
  skipped: status === 'skipped',
  msg,
  diff: [],
  warnings: [],
  data: {},
  ...extra,
});

/** The registered value: Ansible's shape (`changed`, `failed`, `skipped`, `msg`, module fields, `results`). */
export function registered(r: TaskResult): Record<string, unknown> {
  const out: Record<string, unknown> = { changed: r.changed, failed: r.failed, skipped: r.skipped, ...r.data };
  if (r.msg !== undefined) out.msg = r.msg;
  if (r.results) out.results = r.results.map(registered);
  return out;
}

/** Runs one task on one host: when, loop, render, read, plan, apply (unless check), changed_when/failed_when. */
export async function runTask(task: Task, env: TaskEnv): Promise<TaskResult> {
  // registered results and set_fact vars sit above task (and block) vars, as in Ansible
  const own = Object.fromEntries(Object.entries(task.vars).filter(([k]) => !Object.hasOwn(env.hc.registered, k)));
  const withVars = (base: Scope): Scope =>
    Object.keys(own).length ? base.child(own).child(env.extraVars ?? {}) : base;
  const scope = withVars(env.scope);
  try {
    if (task.loop === undefined) return await untilLoop(task, env, scope);
    const searchPath = typeof env.playbookDir === 'string' ? [env.playbookDir] : env.playbookDir;
    // the item's variables sit below the task's vars, so a task var may use the item (`vars: {p: "/x/{{ item }}"}`)
    const itemScope = (vars: Vars): Scope => withVars(env.scope.child({}, vars));
    return await runLoop(task, scope, searchPath, (s) => untilLoop(task, env, s), itemScope);
  } catch (e) {
    if (e instanceof UnreachableError) return result('unreachable', e.message);
    return result('failed', errorMessage(e));
  }
}

/**
 * `until` / `retries` / `delay`, as Ansible's: without `retries` 3 attempts, with `retries: N`
 * N + 1; `delay` seconds between them (default 5); the condition sees the result under the
 * register name; the result holds `attempts`; still false after the last attempt: failed.
 */
async function untilLoop(task: Task, env: TaskEnv, scope: Scope): Promise<TaskResult> {
  if (task.until === undefined || (task.checkMode ?? env.check)) return runItem(task, env, scope);
  const num = (v: unknown, what: string, def: number): number => {
    if (v === undefined) return def;
    const n = Number(renderValue(v, scope));
    if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a number >= 0, got ${String(v)}`);
    return n;
  };
  const retries = task.retries === undefined ? 3 : Math.max(1, Math.floor(num(task.retries, 'retries', 3)) + 1);
  const delayMs = num(task.delay, 'delay', 5) * 1000;
  let r: TaskResult = result('failed', 'until: never ran');
  for (let attempt = 1; attempt <= retries; attempt++) {
    // only the first attempt may use what was read ahead: the host may have changed since
    r = await runItem(task, attempt === 1 ? env : { ...env, prefetched: undefined }, scope);
    r.data = { ...r.data, attempts: attempt };
    if (r.status === 'skipped' || r.status === 'unreachable') return r;
    const s = scope.child({}, task.register ? { [task.register]: registered(r) } : {});
    if (truthy(evaluate(task.until, s))) return r;
    if (attempt < retries && delayMs) await new Promise((res) => setTimeout(res, delayMs));
  }
  return {
    ...r,
    status: 'failed',
    failed: true,
    msg: `until "${String(task.until)}" still false after ${retries} attempts${r.msg ? `: ${r.msg}` : ''}`,
  };
}

async function runItem(task: Task, env: TaskEnv, scope: Scope): Promise<TaskResult> {
  if (task.when !== undefined && !truthy(evaluate(task.when, scope)))
    return result('skipped', 'conditional result was false');
  const args = renderValue(task.args, scope) as Record<string, unknown>;
  const problems = check(task.def.schema, args, task.module);
  if (problems.length)
    return result('failed', `invalid arguments after templating: ${problems.map((p) => p.message).join('; ')}`);
  const ctx = moduleContext(task, env, scope);
  const check_ = task.checkMode ?? env.check;
  // the item's own shell: delegate_to and environment are rendered with the item
  const outer = env.shell;
  env = { ...env, shell: () => outer(scope) };

  const reads = task.def.reads?.(args, ctx) ?? {};
  const read = env.prefetched?.take(task, readsKey(args, reads)) ?? (await readAll(env, reads, task.def.shell));
  const overlay = check_ ? (env.hc.checkOverlay ??= new CheckOverlay()) : undefined;
  const seen = overlay ? overlay.apply(reads, read) : read;
  let plan: Plan;
  try {
    plan = task.def.plan(args, seen, ctx);
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    return result('failed', errorMessage(e));
  }
  overlay?.record(plan, reads, seen);
  let r: TaskResult;
  if (plan.failed) r = result('failed', plan.failed, { data: plan.result ?? {} });
  else if (check_ && plan.changed && plan.checkSkip) r = result('skipped', plan.checkSkip, { data: plan.result ?? {} });
  else if (check_ || !plan.steps.length)
    r = result(plan.changed ? 'changed' : 'ok', (check_ && plan.steps.length && plan.checkMsg) || plan.msg, {
      diff: plan.diff ?? [],
      data: plan.result ?? {},
    });
  else r = await apply(env, plan, task.def.shell);
  r.warnings.push(...(plan.warnings ?? []));
  if (plan.setVars && !r.failed) Object.assign(r, { setVars: plan.setVars, cacheable: plan.cacheable });
  if (plan.waitMs && !r.failed) await new Promise((res) => setTimeout(res, plan.waitMs));
  return finish(task, scope, r);
}

export function moduleContext(
  task: Task,
  env: Pick<TaskEnv, 'hc' | 'check' | 'playbookDir'>,
  scope: Scope,
): ModuleContext {
  return {
    host: env.hc.host.name,
    facts: env.hc.facts,
    check: task.checkMode ?? env.check,
    localFile: (path, kind) => readFileSync(localPath(env.playbookDir, path, kind)),
    render: (text) => renderFile(text, scope),
    evaluate: (expr) => evaluate(expr, scope),
    checkKnown: (path) => ((task.checkMode ?? env.check) ? env.hc.checkOverlay?.lookup(path) : undefined),
    checkState: (key) => ((task.checkMode ?? env.check) ? env.hc.checkOverlay?.state(key) : undefined),
  };
}

export { localPath };

/** Reads on the host in one round trip; `libs`: the shell functions the reads call (ModuleDef.shell). */
export async function readAll(
  env: Pick<TaskEnv, 'shell' | 'timeoutMs'> & { hc?: HostContext },
  reads: Record<string, Read>,
  libs: readonly ShellLib[] = [],
): Promise<Record<string, Seen>> {
  const names = Object.keys(reads);
  if (!names.length) return {};
  const list = names.map((n) => reads[n]);
  const r = await (await env.shell()).run(missingLibs(env.hc?.libs, libs) + readsScript(list), env.timeoutMs);
  const answers = parseAnswers(r.stdout);
  if (answers.size < list.length)
    throw new Error(`reading the host's state failed (rc ${r.rc}): ${r.stderr.toString().trim() || 'no output'}`);
  return Object.fromEntries(names.map((n, i) => [n, toSeen(list[i], answers.get(i))]));
}

async function apply(env: TaskEnv, plan: Plan, libs: readonly ShellLib[] = []): Promise<TaskResult> {
  env.prefetched?.invalidate();
  let after: ReadAfter | undefined;
  try {
    after = env.prefetched && env.readAfter?.();
  } catch {
    // reading ahead is an optimisation: the next task reads for itself
  }
  const afterNames = after ? Object.keys(after.reads) : [];
  const afterReads = afterNames.map((n) => after!.reads[n]);
  let r;
  try {
    r = await (
      await env.shell()
    ).run(
      missingLibs(env.hc.libs, [...libs, ...(after?.libs ?? [])]) + stepsScript(plan.steps, afterReads),
      env.timeoutMs,
    );
  } catch (e) {
    if (e instanceof CommandTimeoutError) return result('failed', e.message);
    throw e;
  }
  const answers = parseAnswers(r.stdout);
  const outputs: StepOutput[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    const a = answers.get(i);
    if (!a)
      return result(
        'failed',
        `the change stopped before step ${i + 1} of ${plan.steps.length} (rc ${r.rc}): ${r.stderr.toString().trim() || 'no output'}`,
        { diff: plan.diff ?? [] },
      );
    const step = plan.steps[i];
    if (a.rc !== 0 && !(step.op === 'exec' && step.capture)) {
      const what = step.op === 'write' ? `writing ${step.path}` : (step.what ?? step.argv.join(' '));
      return result(
        'failed',
        `${what} failed (rc ${a.rc}): ${a.stderr.toString().trim() || a.stdout.toString().trim()}`,
        { diff: plan.diff ?? [] },
      );
    }
    outputs.push(toOutput(a));
  }
  if (after && afterReads.every((_, k) => answers.has(plan.steps.length + k)))
    env.prefetched!.put(
      after.task,
      after.key,
      Object.fromEntries(afterNames.map((n, k) => [n, toSeen(afterReads[k], answers.get(plan.steps.length + k))])),
    );
  const seen = plan.interpret?.(outputs);
  const changed = seen?.changed ?? plan.changed;
  if (seen?.failed)
    return result('failed', seen.failed, { changed, data: { ...plan.result, ...seen.result }, diff: plan.diff ?? [] });
  return result(changed ? 'changed' : 'ok', seen?.msg ?? plan.msg, {
    diff: plan.diff ?? [],
    data: { ...plan.result, ...seen?.result },
  });
}

/** changed_when / failed_when, with the result bound to the task's register name. */
function finish(task: Task, scope: Scope, r: TaskResult): TaskResult {
  if (
    (task.changedWhen === undefined && task.failedWhen === undefined) ||
    r.status === 'skipped' ||
    r.status === 'unreachable'
  )
    return r;
  const s = scope.child({}, task.register ? { [task.register]: registered(r) } : {});
  if (task.changedWhen !== undefined && r.status !== 'failed') {
    const changed = truthy(evaluate(task.changedWhen, s));
    r = { ...r, changed, status: changed ? 'changed' : 'ok' };
  }
  if (task.failedWhen !== undefined) {
    const failed = truthy(evaluate(task.failedWhen, s));
    r = {
      ...r,
      failed,
      status: failed ? 'failed' : r.changed ? 'changed' : 'ok',
      msg: failed && r.status !== 'failed' ? `failed_when holds: ${String(task.failedWhen)}` : r.msg,
    };
  }
  return r;
}
