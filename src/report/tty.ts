import { Listr, ListrLogger, type ListrDefaultRenderer, type ListrTaskWrapper } from 'listr2';
import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';
import { LogAbove } from './log-above.js';
import { PlainReporter } from './plain.js';

type Wrapper = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrDefaultRenderer>;

interface Row {
  /** what the row says now: `h1: TASK NAME`; kept here because a host may start (facts) before listr2 has started its row */
  title: string;
  finished: boolean;
  settle?: () => void;
  task?: Wrapper;
  failed?: string;
}

/**
 * On a terminal: a live listr2 view of the batch — a header `batch k/n: d/t hosts done` and under
 * it one row per host showing the task it is on from the first moment (facts gathering included).
 * A host that fails keeps its row, `✖ h2: TASK: failed: message`, for the rest of the run. Above
 * the view, the same Ansible-style log (diffs, failures) as the plain output streams as each host's
 * line is written (src/report/log-above.ts); the batch's last view stays on screen under it.
 */
export class TtyReporter implements Reporter {
  private readonly log: PlainReporter;
  private rows = new Map<string, Row>();
  private running?: Promise<unknown>;
  /** while a batch's view is live: what carries the log above it */
  private above?: LogAbove;
  private header?: Wrapper;
  private headerText = '';
  private batchLabel = '';

  constructor() {
    // a pseudo-terminal nobody sized (script(1), a CI runner) says 0 columns and 0 rows: listr2 would
    // wrap every row one character per line, and log-update would clip the view to nothing
    if (!process.stdout.columns) process.stdout.columns = 80;
    if (!process.stdout.rows) process.stdout.rows = 24;
    this.log = new PlainReporter((s) => (this.above ? this.above.log(s) : process.stdout.write(s)), true);
  }

  playStart(name: string, hosts: string[]): void {
    this.log.playStart(name);
    void hosts;
  }

  batchStart(hosts: string[], index = 1, total = 1): void {
    this.log.batchStart(hosts, index, total);
    this.above = new LogAbove();
    this.rows = new Map(hosts.map((h) => [h, { title: `${h}: starting`, finished: false }]));
    this.batchLabel = `batch ${index}/${total}`;
    this.header = undefined;
    this.progress();
    const rows = hosts.map((h) => ({
      title: h,
      task: (_ctx: unknown, task: Wrapper) =>
        new Promise<void>((resolve, reject) => {
          const row = this.rows.get(h)!;
          row.task = task;
          task.title = row.title;
          row.settle = () => (row.failed ? reject(new Error(row.failed)) : resolve());
          if (row.finished) row.settle();
        }),
    }));
    const batch = {
      title: this.headerText,
      task: (_ctx: unknown, task: Wrapper) => {
        this.header = task;
        task.title = this.headerText;
        return task.newListr(rows, { concurrent: true, exitOnError: false });
      },
    };
    // registerSignalListeners: false: listr2 would exit 127 on Ctrl-C; lbprov's own handler lets the
    // tasks in flight finish, prints the recap and exits 99. collapseSubtasks: false keeps every
    // host's row (and its last task) on screen when the batch is over.
    this.running = new Listr([batch], {
      exitOnError: false,
      registerSignalListeners: false,
      renderer: 'default',
      rendererOptions: {
        collapseSubtasks: false,
        collapseErrors: true,
        showErrorMessage: true,
        logger: new ListrLogger({ useIcons: true, processOutput: this.above }),
      },
    })
      .run()
      .catch(() => undefined);
  }

  /** The header: `batch k/n: d/t hosts done[, f failed]`. */
  private progress(): void {
    const rows = [...this.rows.values()];
    const failed = rows.filter((r) => r.failed).length;
    this.headerText = `${this.batchLabel}: ${rows.filter((r) => r.finished).length}/${rows.length} hosts done${failed ? `, ${failed} failed` : ''}`;
    if (this.header) this.header.title = this.headerText;
  }

  private retitle(host: string, title: string): void {
    const row = this.rows.get(host);
    if (!row) return;
    row.title = title;
    if (row.task) row.task.title = title;
  }

  taskStart(slot: Slot, host: string): void {
    this.log.taskStart(slot, host);
    this.retitle(host, `${host}: ${slot.kind === 'handler' ? 'handler ' : ''}${slot.name}`);
  }

  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    this.log.taskDone(slot, host, r);
    const row = this.rows.get(host);
    if (!row) return;
    if ((r.status === 'failed' && !r.ignored) || r.status === 'unreachable') {
      // the first line of the message: the whole of it is in the log below the view
      // a loop's own message says only that items failed: show the first failed item's
      const first = r.items?.find((i) => i.status === 'failed')?.msg;
      const msg = (first ? `${r.msg}: ${first}` : (r.msg ?? '')).split('\n')[0];
      row.failed = `${host}: ${slot.name}: ${r.status}${msg ? `: ${msg}` : ''}`;
      this.progress();
    }
  }

  hostDone(host: string): void {
    this.log.hostDone(host);
    const row = this.rows.get(host);
    if (!row) return;
    row.finished = true;
    if (!row.failed) this.retitle(host, `${host}: done`);
    this.progress();
    row.settle?.();
  }

  warn(message: string): void {
    this.log.warn(message);
  }

  async settle(): Promise<void> {
    await this.running;
    // the view is over: what no frame carried, then what the batch still held, below it
    if (this.above) process.stdout.write(this.above.take());
    this.above = undefined;
    this.log.flush(true);
  }

  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void {
    this.log.end(stats, stopped);
  }
}
