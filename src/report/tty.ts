import { Listr, type ListrTaskWrapper } from 'listr2';
import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';
import { PlainReporter } from './plain.js';

interface Row {
  finished: boolean;
  settle?: () => void;
  task?: ListrTaskWrapper<unknown, never, never>;
  failed?: string;
}

/**
 * On a terminal: a live listr2 row per host of the batch showing the task it is on, then, when the
 * batch is over, the same Ansible-style log (diffs, failures) as the plain output.
 */
export class TtyReporter implements Reporter {
  private readonly log: PlainReporter;
  private rows = new Map<string, Row>();
  private running?: Promise<unknown>;
  private buffered: string[] = [];

  constructor() {
    this.log = new PlainReporter((s) => this.buffered.push(s), true);
  }

  private out(): void {
    process.stdout.write(this.buffered.join(''));
    this.buffered = [];
  }

  playStart(name: string, hosts: string[]): void {
    this.log.playStart(name);
    this.out();
    void hosts;
  }

  batchStart(hosts: string[], index?: number, total?: number): void {
    this.log.batchStart(hosts, index, total);
    this.out();
    this.rows = new Map();
    const tasks = hosts.map((h) => ({
      title: h,
      task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve, reject) => {
          const row = this.rows.get(h)!;
          row.task = task;
          row.settle = () => (row.failed ? reject(new Error(row.failed)) : resolve());
          if (row.finished) row.settle();
        }),
    }));
    for (const h of hosts) this.rows.set(h, { finished: false });
    // registerSignalListeners: false: listr2 would exit 127 on Ctrl-C; lbprov's own handler lets the
    // tasks in flight finish, prints the recap and exits 99
    this.running = new Listr(tasks, { concurrent: true, exitOnError: false, registerSignalListeners: false }).run().catch(() => undefined);
  }

  taskStart(slot: Slot, host: string): void {
    this.log.taskStart(slot, host);
    const row = this.rows.get(host);
    if (row?.task) row.task.title = `${host}: ${slot.kind === 'handler' ? 'handler ' : ''}${slot.name}`;
  }

  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    this.log.taskDone(slot, host, r);
    const row = this.rows.get(host);
    if (!row) return;
    if ((r.status === 'failed' && !r.ignored) || r.status === 'unreachable') row.failed = `${slot.name}: ${r.status}: ${r.msg ?? ''}`;
  }

  hostDone(host: string): void {
    this.log.hostDone(host);
    const row = this.rows.get(host);
    if (!row) return;
    row.finished = true;
    if (row.task && !row.failed) row.task.title = host;
    row.settle?.();
  }

  warn(message: string): void {
    this.log.warn(message);
  }

  async settle(): Promise<void> {
    await this.running;
    this.log.flush(true);
    this.out();
  }

  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void {
    this.log.end(stats, stopped);
    this.out();
  }
}
