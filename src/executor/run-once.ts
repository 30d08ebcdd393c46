import type { Vars } from '../inventory/types.js';
import type { Play, Task } from '../playbook/types.js';

/** What the host that ran a run_once task hands the others of its batch. */
export interface OnceResult {
  /** The host that ran it. */
  runner: string;
  /** Its registered result (every host of the batch registers it, as Ansible's get_task_hosts). */
  registered: Vars;
  /** False when it failed (not ignored) or was unreachable: the others stop with it. */
  ok: boolean;
}

export type Claim = { run: true; done: (r: OnceResult) => void } | { run: false; result: OnceResult };

interface Entry {
  runner: string;
  started: boolean;
  waiters: Array<{ host: string; wake: (c: Claim) => void }>;
  result?: OnceResult;
}

/**
 * run_once in a linear batch (Ansible's strategy/linear.py: the task is queued for the first host
 * of the batch that is still running and the loop over hosts breaks): the first live host of the
 * batch runs the task, the others wait for its result and register it without running anything.
 * With serial, each batch has its own table, so the task runs once per batch.
 *
 * Hosts of a linear batch are on the same task as a rule, but not always (a host in a rescue
 * section): when the chosen host finishes a step without having started the task, or leaves the
 * batch, the task goes to the first host waiting for it.
 */
export class RunOnce {
  private readonly entries = new Map<Task, Entry>();

  constructor(
    private readonly batch: readonly string[],
    /** Whether a host of the batch still runs tasks (not failed, unreachable or stopped). */
    private readonly live: (host: string) => boolean,
  ) {}

  claim(task: Task, host: string): Promise<Claim> {
    let e = this.entries.get(task);
    if (!e) {
      e = { runner: this.batch.find((h) => h === host || this.live(h)) ?? host, started: false, waiters: [] };
      this.entries.set(task, e);
    }
    if (e.result) return Promise.resolve({ run: false, result: e.result });
    if (!e.started && (e.runner === host || !this.live(e.runner))) return Promise.resolve(this.start(e, host));
    const entry = e;
    return new Promise((wake) => {
      entry.waiters.push({ host, wake });
      entry.waiters.sort((a, b) => this.batch.indexOf(a.host) - this.batch.indexOf(b.host));
    });
  }

  /** The host finished a step (or left the batch): a task it was chosen for and did not start goes to a waiting host. */
  passed(host: string): void {
    for (const e of this.entries.values()) {
      if (e.started || e.result || e.runner !== host) continue;
      const next = e.waiters.shift();
      if (next) next.wake(this.start(e, next.host));
    }
  }

  private start(e: Entry, host: string): Claim {
    e.runner = host;
    e.started = true;
    return {
      run: true,
      done: (r) => {
        e.result = r;
        for (const w of e.waiters.splice(0)) w.wake({ run: false, result: r });
      },
    };
  }
}

/** Whether a task list asks for run_once anywhere (literal or template), includes read at load time too. */
export function usesRunOnce(tasks: readonly Task[]): boolean {
  return tasks.some((t) => {
    const v = t.exec?.runOnce;
    return (v !== undefined && v !== false) || usesRunOnce(t.include?.tasks ?? []);
  });
}

/** run_once needs the batch to move task by task: a play that sets no strategy is linear then (Ansible's default). */
export const runOnceMakesLinear = (play: Play): boolean => !play.strategy && usesRunOnce(play.tasks);
