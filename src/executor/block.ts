import type { Vars } from '../inventory/types.js';
import type { Block, InBlock, Task } from '../playbook/types.js';

/** What a host's walk through a task list needs from the runner (play-runner.ts). */
export interface WalkHooks {
  /** --tags / --skip-tags. */
  selected(task: Task): boolean;
  /** Before each task: false when the host must not start another (interrupted, a failure rule). */
  next(task?: Task, extra?: IncludeExtra): Promise<boolean>;
  /**
   * Runs one task (or flushes handlers) and reports it: `ok` to go on, `failed` when it failed
   * (not ignored), `stop` when the host is done for (unreachable, the batch stopped).
   */
  run(task: Task, order: number, extra: IncludeExtra, following: readonly Task[]): Promise<'ok' | 'failed' | 'stop'>;
  /** An include_tasks / include_role reached: the lists to run (one per loop item, with its vars), or a failure already reported. */
  include(
    task: Task,
    order: number,
    extra: IncludeExtra,
  ): Promise<Array<{ tasks: Task[]; extra: IncludeExtra }> | 'skipped' | 'failed' | 'stop'>;
  /** A failure was caught by a rescue section: the recap counts it rescued, not failed. */
  rescued(task: Task): void;
  /** Role uses that ran a task on this host, and those that completed there (Ansible's has_run), for this play. */
  roles: { ran: Set<string>; completed: Set<string> };
}

/** Vars an include gives the tasks it includes (its params, its loop item), innermost last. */
export interface IncludeExtra {
  params: Vars;
  data: Vars;
}

export const NO_EXTRA: IncludeExtra = { params: {}, data: {} };

export type Outcome = 'done' | 'failed' | 'stop';

/**
 * One host's walk through a flat task list whose blocks are index ranges (task-list.ts), as
 * Ansible's PlayIterator does it for one host: a failure inside a block's tasks moves to its
 * rescue section (the failure then counts as rescued) or, without one, to its always section and
 * on outwards once that has run; a failure in a rescue section runs the always section and goes
 * on outwards. A dynamic include is expanded here, per host, and walked the same way (a failure
 * inside it is a failure of the include, for the blocks around the include).
 *
 * `order(i)` is the task's place in the play's output (reporters sort by it).
 */
export async function walk(
  tasks: readonly Task[],
  from: number,
  hooks: WalkHooks,
  extra: IncludeExtra,
  order: (i: number) => number,
): Promise<Outcome> {
  /** Blocks whose rescue section the host entered. */
  const rescuing = new Set<Block>();
  /** Blocks whose always section runs with a failure to carry on outwards once it is done (with the blocks around that block). */
  const pending = new Map<Block, { outer: InBlock[]; task: Task }>();

  /** Where to go after a failure of a task (or of an always section) inside `chain`; -1: the host failed. */
  const caught = (chain: readonly InBlock[], task: Task): number => {
    for (let k = chain.length - 1; k >= 0; k--) {
      const { block, section } = chain[k];
      // leaving the inner blocks: their state is over
      for (const inner of chain.slice(k + 1)) {
        rescuing.delete(inner.block);
        pending.delete(inner.block);
      }
      if (section === 'block' && block.rescue !== undefined && block.rescue < (block.always ?? block.end)) {
        rescuing.add(block);
        hooks.rescued(task);
        return block.rescue;
      }
      if (section !== 'always' && block.always !== undefined && block.always < block.end) {
        pending.set(block, { outer: chain.slice(0, k), task });
        return block.always;
      }
    }
    return -1;
  };

  /**
   * The tasks this host may run after task `i` when that one succeeds, in order, as far as that is
   * plain to see: the next selected tasks of this list, up to one that is an include, a meta task
   * other than flush_handlers, in a section the host will jump over, or of a role use already
   * done. What is read ahead for them (play-runner.ts readAfter) is checked again when they run.
   */
  const following = (i: number): Task[] => {
    const out: Task[] = [];
    for (let j = i + 1; j < tasks.length && out.length < 8; j++) {
      const t = tasks[j];
      if (t.meta === 'role_complete' || !hooks.selected(t)) continue;
      if (t.include || (t.meta && t.meta !== 'flush_handlers') || (t.roleOnce && hooks.roles.completed.has(t.roleOnce)))
        break;
      if (t.blocks?.some((b) => b.section === 'rescue' && !rescuing.has(b.block))) break;
      out.push(t);
    }
    return out;
  };

  let i = from;
  for (;;) {
    // an always section that ran after a failure is done: the failure carries on outwards
    const done = [...pending.entries()].filter(([b]) => b.end <= i).sort((a, b) => b[0].start - a[0].start)[0];
    if (done) {
      const [block, { outer, task }] = done;
      pending.delete(block);
      rescuing.delete(block);
      const to = caught(outer, task);
      if (to < 0) return 'failed';
      i = to;
      continue;
    }
    if (i >= tasks.length) return 'done';
    const task = tasks[i];
    // a rescue section runs only after a failure in its block
    const closed = task.blocks?.find((b) => b.section === 'rescue' && !rescuing.has(b.block));
    if (closed) {
      const to = closed.block.always ?? closed.block.end;
      if (to <= i) throw new Error(`internal: rescue of "${task.name}" jumps back from ${i} to ${to}`);
      i = to;
      continue;
    }
    if (task.meta === 'role_complete') {
      // Ansible's implicit role_complete: a role use that ran a task here does not run here again
      if (hooks.roles.ran.has(task.roleOnce!)) hooks.roles.completed.add(task.roleOnce!);
      i++;
      continue;
    }
    if (task.roleOnce && hooks.roles.completed.has(task.roleOnce)) {
      i++;
      continue;
    }
    if (!hooks.selected(task)) {
      i++;
      continue;
    }
    if (!(await hooks.next(task, extra))) return 'stop';
    if (task.roleOnce) hooks.roles.ran.add(task.roleOnce);
    let outcome: Outcome | 'ok';
    if (task.include) {
      const lists = await hooks.include(task, order(i), extra);
      if (lists === 'skipped') outcome = 'ok';
      else if (lists === 'failed' || lists === 'stop') outcome = lists;
      else {
        outcome = 'ok';
        const n = lists.reduce((a, l) => a + l.tasks.length, 0);
        let k = 0;
        for (const l of lists) {
          const base = k;
          // the included tasks take their places between this task and the next
          const r = await walk(l.tasks, 0, hooks, l.extra, (j) => order(i) + (base + j + 1) / (n + 2));
          k += l.tasks.length;
          if (r !== 'done') {
            outcome = r === 'stop' ? 'stop' : 'failed';
            break;
          }
        }
      }
    } else outcome = await hooks.run(task, order(i), extra, following(i));
    if (outcome === 'stop') return 'stop';
    if (outcome === 'failed') {
      const to = caught(task.blocks ?? [], task);
      if (to < 0) return 'failed';
      // sections lie after the task that fails into them: a jump back would be a loader bug looping forever
      if (to <= i) throw new Error(`internal: block of "${task.name}" jumps back from ${i} to ${to}`);
      i = to;
      continue;
    }
    i++;
  }
}

/** ansible_failed_task: what Ansible's rescue sections read of the failed task. */
export function failedTaskVars(task: Task): Vars {
  return { name: task.ownName ?? task.name, action: task.module, args: task.noLog ? {} : task.args, tags: task.tags };
}
