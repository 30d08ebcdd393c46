import type { Task } from '../playbook/types.js';
import { Semaphore } from '../util/semaphore.js';

/**
 * `throttle: N` (Ansible's StrategyBase._queue_task): at most N hosts run the task at once, below
 * --forks; 0 is no limit. One semaphore per task (and limit: the value may be a template), shared
 * by every host of the play.
 */
export class Throttles {
  private readonly sems = new Map<Task, Map<number, Semaphore>>();

  run<T>(task: Task, limit: number, job: () => Promise<T>): Promise<T> {
    if (!limit) return job();
    let byLimit = this.sems.get(task);
    if (!byLimit) this.sems.set(task, (byLimit = new Map<number, Semaphore>()));
    let sem = byLimit.get(limit);
    if (!sem) byLimit.set(limit, (sem = new Semaphore(limit)));
    return sem.run(job);
  }
}

/** The rendered throttle value: a whole number >= 0. */
export function throttleLimit(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0) throw new Error(`throttle must be a whole number >= 0, got ${JSON.stringify(v)}`);
  return n;
}
