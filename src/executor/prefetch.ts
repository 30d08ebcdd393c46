import type { Read, Seen } from '../module/types.js';
import type { Facts } from '../facts/types.js';
import { FACTS_READ, factsFrom } from '../facts/gather.js';
import { evaluate, truthy } from '../playbook/expr.js';
import { check } from '../playbook/schema.js';
import type { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import { libsOf } from './prelude.js';
import { moduleContext, readAll, readsKey, type Prefetched, type ReadAfter, type TaskEnv } from './task-runner.js';

/**
 * Reads ahead: before a host runs its tasks, what every task will read is read in one round trip,
 * together with the facts, so a host where nothing needs to change (a second apply, a check run)
 * costs one round trip whatever the number of tasks. A task whose arguments cannot be rendered yet (they
 * use a result registered during the run) reads for itself. Once anything is applied on the host,
 * the rest is stale and every later task reads again.
 */
export async function prefetch(
  tasks: readonly Task[],
  scope: Scope,
  env: Pick<TaskEnv, 'hc' | 'check' | 'playbookDir' | 'timeoutMs' | 'shell'>,
  withFacts = false,
): Promise<{ prefetched: Prefetched; facts?: Facts }> {
  const planned: Array<{ task: Task; key: string; names: string[]; first: number }> = [];
  // the facts, when wanted, ride in the same round trip; reads planned without them are still
  // good for every task whose arguments and reads come out the same once they are known (the key)
  const all: Read[] = withFacts ? [FACTS_READ] : [];
  // reads only for tasks that will run: a `when` is evaluated first, unless it may use a result
  // this play registers (then, or when it cannot be evaluated yet, the task reads for itself)
  const registers = tasks.map((t) => t.register).filter((r): r is string => !!r);
  // a role used again (a dependency of another role) runs once: its second use reads nothing
  const roleDone = new Set<string>();
  for (const task of tasks) {
    if (task.meta === 'role_complete' && task.roleOnce) roleDone.add(task.roleOnce);
    if (task.roleOnce && roleDone.has(task.roleOnce)) continue;
    const p = planReads(task, scope, env, registers);
    if (!p) continue;
    const names = Object.keys(p.reads);
    planned.push({ task, key: p.key, names, first: all.length });
    all.push(...names.map((n) => p.reads[n]));
  }
  const byTask = new Map<Task, { key: string; seen: Record<string, Seen> }>();
  let facts: Facts | undefined;
  if (all.length) {
    const seen = await readAll(
      env,
      Object.fromEntries(all.map((r, i) => [String(i), r])),
      libsOf(planned.map((p) => p.task.def)),
    );
    if (withFacts) facts = factsFrom(seen['0']);
    for (const p of planned)
      byTask.set(p.task, {
        key: p.key,
        seen: Object.fromEntries(p.names.map((n, i) => [n, seen[String(p.first + i)]])),
      });
  }
  let stale = false;
  /** Read for one task after the host last changed (readAhead): good until it changes again. */
  const fresh = new Map<Task, { key: string; seen: Record<string, Seen> }>();
  const prefetched: Prefetched = {
    take(task, key) {
      const hit = fresh.get(task) ?? (stale ? undefined : byTask.get(task));
      fresh.delete(task);
      byTask.delete(task);
      return hit && hit.key === key ? hit.seen : undefined;
    },
    invalidate() {
      stale = true;
      fresh.clear();
    },
    has(task) {
      return fresh.has(task) || (!stale && byTask.has(task));
    },
    put(task, key, seen) {
      fresh.set(task, { key, seen });
    },
  };
  return { prefetched, facts };
}

type PlanEnv = Pick<TaskEnv, 'hc' | 'check' | 'playbookDir'>;

/**
 * What one task will read, when that is known before it runs: not for a loop, a meta task or a
 * module without reads; not when its `when` is false, or may use a result one of `registers`
 * (results this play registers later) holds; not when its arguments cannot be rendered yet.
 */
function planReads(
  task: Task,
  scope: Scope,
  env: PlanEnv,
  registers: readonly string[],
): { key: string; reads: Record<string, Read> } | undefined {
  if (task.loop !== undefined || !task.def.reads || task.meta || task.include) return undefined;
  try {
    const s = Object.keys(task.vars).length ? scope.child(task.vars) : scope;
    if (task.when !== undefined) {
      if (registers.some((r) => usesName(task.when, r))) return undefined;
      if (!truthy(evaluate(task.when, s))) return undefined;
    }
    const args = renderValue(task.args, s) as Record<string, unknown>;
    if (check(task.def.schema, args, task.module).length) return undefined;
    const reads = task.def.reads(
      args,
      moduleContext(task, task.dir ? { ...env, playbookDir: [task.dir, ...[env.playbookDir].flat()] } : env, s),
    );
    return Object.keys(reads).length ? { key: readsKey(args, reads), reads } : undefined;
  } catch {
    // not renderable before the run gets there: that task reads for itself
    return undefined;
  }
}

/**
 * Reads ahead across the linear strategy's barrier: a host that finished a task and waits for the
 * rest of its batch reads what its next task will read meanwhile, so that read is off the batch's
 * path (on a first apply every task changes the host, and each would read only once released).
 * Only when nothing read before is still good for that task; a read that fails is left to the task.
 * `scope` is the task's own: what registered results hold now is what the task will see.
 */
export async function readAhead(
  task: Task,
  scope: Scope,
  env: PlanEnv & Pick<TaskEnv, 'shell' | 'timeoutMs'>,
  prefetched: Prefetched,
): Promise<void> {
  if (prefetched.has(task)) return;
  const p = planReads(task, scope, env, []);
  if (!p) return;
  try {
    prefetched.put(task, p.key, await readAll(env, p.reads, task.def.shell));
  } catch {
    // the task reads for itself, and reports what is wrong
  }
}

/**
 * Whether the host may skip `task` by its `when`: false as things stand, or using what `before`
 * (the register of the task running now) will hold. Reading for a task after it costs nothing
 * if it does run: its own reads then come first, and a change it makes clears what was read.
 */
export function maySkip(task: Task, scope: Scope, before?: string): boolean {
  if (task.when === undefined) return false;
  if (before && usesName(task.when, before)) return true;
  try {
    return !truthy(evaluate(task.when, Object.keys(task.vars).length ? scope.child(task.vars) : scope));
  } catch {
    return false;
  }
}

function usesName(value: unknown, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(
    JSON.stringify(value),
  );
}

/**
 * What `task` will read, planned while the task before it runs (`before`: that task's register,
 * which it may use): its reads then ride in that task's change (TaskEnv.readAfter). What the
 * earlier task registers or changes can still alter the arguments: the key tells (Prefetched.take).
 */
export function planAhead(task: Task, scope: Scope, env: PlanEnv, before?: string): ReadAfter | undefined {
  const p = planReads(task, scope, env, before ? [before] : []);
  return p && { task, key: p.key, reads: p.reads, libs: task.def.shell ?? [] };
}

/** The facts alone (`lbprov facts`): the read apply does ahead of its tasks, on the same remote shell. */
export async function gatherFacts(env: Pick<TaskEnv, 'hc' | 'timeoutMs' | 'shell'>): Promise<Facts> {
  return factsFrom((await readAll(env, { facts: FACTS_READ })).facts);
}
