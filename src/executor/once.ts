/**
 * Tasks that run once for a whole batch (a module with `once`, such as pause, and the meta
 * actions Ansible's linear strategy runs once: end_play, end_batch, clear_facts, ...). In a
 * linear play every live host of the batch reaches the task together; the first of them in the
 * batch's order runs it, the others wait until it is done and report nothing.
 */
export class Once {
  private readonly runs = new Map<object, Run[]>();
  /** Per task, how often each host reached it (a task reached again is another run). */
  private readonly visits = new Map<object, Map<string, number>>();

  /** order: the batch's hosts in inventory order (who is first). */
  constructor(private readonly order: readonly string[]) {}

  /**
   * The host reached the task: `first` when it is the one to run it (it must call `done()` when
   * finished), otherwise resolves once the first host is done with it.
   */
  async reach(task: object, host: string): Promise<{ first: boolean; done: () => void }> {
    const seen = this.visits.get(task) ?? new Map<string, number>();
    this.visits.set(task, seen);
    const n = seen.get(host) ?? 0;
    seen.set(host, n + 1);
    const list = this.runs.get(task) ?? [];
    this.runs.set(task, list);
    let run = list[n];
    if (!run) {
      let finish!: () => void;
      const finished = new Promise<void>((res) => (finish = res));
      const arrived: string[] = [];
      // the hosts released together reach the task within the same turn of the event loop
      const chosen = new Promise<string>((res) => setImmediate(() => res(this.first(arrived))));
      run = list[n] = { arrived, chosen, finished, finish };
    }
    run.arrived.push(host);
    if ((await run.chosen) === host) return { first: true, done: run.finish };
    await run.finished;
    return { first: false, done: () => {} };
  }

  private first(hosts: string[]): string {
    const rank = (h: string): number => {
      const i = this.order.indexOf(h);
      return i < 0 ? Infinity : i;
    };
    return [...hosts].sort((a, b) => rank(a) - rank(b))[0];
  }
}

interface Run {
  arrived: string[];
  chosen: Promise<string>;
  finished: Promise<void>;
  finish: () => void;
}

/** What the hosts of one batch share: the once-tasks, and whether a meta action ended the batch or the play. */
export interface BatchState {
  once: Once;
  /** `meta: end_batch` / `end_play` ran: no host of the batch starts another task. */
  ended?: 'batch' | 'play';
}

export const newBatch = (hosts: readonly string[]): BatchState => ({ once: new Once(hosts) });
