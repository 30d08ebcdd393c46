import picomatch from 'picomatch';
import type { Play, Playbook } from '../playbook/types.js';

/**
 * `--start-at-task NAME`, as Ansible's: the first task whose name is NAME (or matches it as a glob)
 * is where the run starts; tasks and plays before it are skipped. -1 when this play has none.
 */
export function startIndex(play: Play, name: string): number {
  const isMatch = picomatch(name, { dot: true, nobrace: true });
  return play.tasks.findIndex((t) => !t.meta && (t.name === name || isMatch(t.name)));
}

/** Whether any play has such a task: checked before any host is contacted. */
export function hasStartTask(pb: Playbook, name: string): boolean {
  return pb.plays.some((p) => startIndex(p, name) >= 0);
}
