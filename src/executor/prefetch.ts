import type { Read, Seen } from '../module/types.js';
import { check } from '../playbook/schema.js';
import type { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import { moduleContext, readAll, readsKey, type Prefetched, type TaskEnv } from './task-runner.js';

/**
 * Reads ahead: before a host runs its tasks, what every task will read is read in one round trip,
 * so a host where nothing needs to change (a second apply, a check run) costs the facts and one
 * more round trip whatever the number of tasks. A task whose arguments cannot be rendered yet (they
 * use a result registered during the run) reads for itself. Once anything is applied on the host,
 * the rest is stale and every later task reads again.
 */
export async function prefetch(
  tasks: readonly Task[],
  scope: Scope,
  env: Pick<TaskEnv, 'hc' | 'check' | 'playbookDir' | 'timeoutMs' | 'shell'>,
): Promise<Prefetched> {
  const planned: Array<{ task: Task; key: string; names: string[]; first: number }> = [];
  const all: Read[] = [];
  for (const task of tasks) {
    if (task.loop !== undefined || !task.def.reads || task.meta) continue;
    try {
      const s = Object.keys(task.vars).length ? scope.child(task.vars) : scope;
      const args = renderValue(task.args, s) as Record<string, unknown>;
      if (check(task.def.schema, args, task.module).length) continue;
      const reads = task.def.reads(args, moduleContext(task, env, s));
      const names = Object.keys(reads);
      if (!names.length) continue;
      planned.push({ task, key: readsKey(args, reads), names, first: all.length });
      all.push(...names.map((n) => reads[n]));
    } catch {
      // not renderable before the run gets there: that task reads for itself
    }
  }
  const byTask = new Map<Task, { key: string; seen: Record<string, Seen> }>();
  if (all.length) {
    const seen = await readAll(env, Object.fromEntries(all.map((r, i) => [String(i), r])));
    for (const p of planned) byTask.set(p.task, { key: p.key, seen: Object.fromEntries(p.names.map((n, i) => [n, seen[String(p.first + i)]])) });
  }
  let stale = false;
  return {
    take(task, key) {
      const hit = byTask.get(task);
      byTask.delete(task);
      return !stale && hit && hit.key === key ? hit.seen : undefined;
    },
    invalidate() {
      stale = true;
    },
  };
}
