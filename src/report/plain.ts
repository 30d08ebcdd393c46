import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';
import { unifiedDiff } from './diff.js';
import { recapLines } from './recap.js';

interface Pending {
  slot: Slot;
  /** host lines in the order the hosts finished the task */
  lines: Array<[string, string[]]>;
}

/**
 * Ansible-style plain lines, streamed. Hosts run ahead of each other (the free strategy), yet the
 * output reads task by task as Ansible's linear strategy prints it: one task block is open at a
 * time (its `TASK [name]` banner printed) and each host's line for it is written the moment that
 * host finishes it, in the order hosts finish. A host that ran ahead has its lines for later tasks
 * held until their block opens, which is once no host of the batch can still report an earlier
 * task (each is done or has started that task or a later one).
 */
export class PlainReporter implements Reporter {
  private batch: string[] = [];
  private readonly progress = new Map<string, number>();
  private readonly done = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  /** the slot order of the block whose banner is printed */
  private open?: number;
  private readonly color: boolean;

  constructor(
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
    color = false,
  ) {
    this.color = color;
  }

  private paint(code: number, s: string): string {
    return this.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }

  playStart(name: string): void {
    this.flush(true);
    this.write(banner(`PLAY [${name}]`));
  }

  batchStart(hosts: string[], index?: number, total?: number): void {
    this.flush(true);
    if (index !== undefined && total !== undefined && total > 1)
      this.write(`\n${this.paint(1, `batch ${index}/${total}: ${hosts.join(', ')}`)}\n`);
    this.batch = hosts;
    this.progress.clear();
    this.done.clear();
    this.pending.clear();
    this.open = undefined;
  }

  taskStart(slot: Slot, host: string): void {
    this.progress.set(host, slot.order);
    this.flush();
  }

  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    const lines = this.hostLines(host, r);
    if (this.open === slot.order) {
      this.lines(lines);
      return;
    }
    let p = this.pending.get(slot.order);
    if (!p) {
      p = { slot, lines: [] };
      this.pending.set(slot.order, p);
    }
    p.lines.push([host, lines]);
    this.flush();
  }

  hostDone(host: string): void {
    this.done.add(host);
    this.flush();
  }

  warn(message: string): void {
    this.write(`${this.paint(35, `[WARNING]: ${message}`)}\n`);
  }

  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void {
    this.flush(true);
    this.write(banner('PLAY RECAP'));
    for (const line of recapLines(stats)) this.write(`${line}\n`);
    // hosts a failure rule stopped, grouped by reason
    const byWhy = new Map<string, string[]>();
    const order = [...stats.keys()];
    const rank = (h: string): number => (order.includes(h) ? order.indexOf(h) : order.length);
    const hosts = [...(stopped ?? new Map<string, string>()).keys()].sort((a, b) => rank(a) - rank(b));
    for (const h of hosts) byWhy.set(stopped!.get(h)!, [...(byWhy.get(stopped!.get(h)!) ?? []), h]);
    for (const [why, hosts] of byWhy) this.write(`${this.paint(31, `${hosts.join(', ')}: ${why}`)}\n`);
  }

  private hostLines(host: string, r: HostTaskReport): string[] {
    const out: string[] = [];
    const who = r.delegate ? `${host} -> ${r.delegate}` : host;
    for (const d of r.diff ?? []) out.push(unifiedDiff(d));
    for (const w of r.warnings ?? []) out.push(this.paint(35, `[WARNING]: ${w}`));
    if (r.items?.length) return [...out, ...itemLines(host, r, (c, s) => this.paint(c, s))];
    switch (r.status) {
      case 'ok':
        out.push(this.paint(32, `ok: [${who}]${r.shown !== undefined ? ` => ${r.shown}` : ''}`));
        break;
      case 'changed':
        out.push(this.paint(33, `changed: [${who}]`));
        break;
      case 'skipped':
        out.push(this.paint(36, `skipping: [${who}]`));
        break;
      case 'failed':
        out.push(this.paint(31, `failed: [${who}] => ${r.msg ?? 'failed'}${r.ignored ? ' ...ignoring' : ''}`));
        break;
      case 'unreachable':
        out.push(
          this.paint(31, `unreachable: [${who}] => ${r.msg ?? 'unreachable'}${r.ignored ? ' ...ignoring' : ''}`),
        );
        break;
    }
    return out;
  }

  private lines(lines: string[]): void {
    for (const line of lines) this.write(`${line}\n`);
  }

  /** Whether no host of the batch can still report a task of this order (or an earlier one). */
  private passed(order: number): boolean {
    return this.batch.every((h) => this.done.has(h) || (this.progress.get(h) ?? -Infinity) > order);
  }

  private reached(order: number): boolean {
    return this.batch.every((h) => this.done.has(h) || (this.progress.get(h) ?? -Infinity) >= order);
  }

  /**
   * Closes the open block once every host is past it, and opens the next held one once no host
   * can still report an earlier task; `all` (the batch is over) prints everything held.
   */
  flush(all = false): void {
    for (;;) {
      if (this.open !== undefined && (all || this.passed(this.open))) this.open = undefined;
      if (this.open !== undefined) return;
      const order = Math.min(...this.pending.keys());
      if (!Number.isFinite(order) || !(all || this.reached(order))) return;
      const p = this.pending.get(order)!;
      this.pending.delete(order);
      this.open = order;
      const title = p.slot.kind === 'handler' ? 'RUNNING HANDLER' : 'TASK';
      this.write(banner(`${title} [${p.slot.name}]`));
      for (const [, lines] of p.lines) this.lines(lines);
    }
  }
}

/**
 * A loop's lines as Ansible's default callback prints them: one per item, then `skipping: [h]`
 * when every item was skipped, `...ignoring` for an ignored failure; nothing more for ok/changed.
 */
function itemLines(host: string, r: HostTaskReport, paint: (code: number, s: string) => string): string[] {
  const out: string[] = [];
  for (const it of r.items ?? []) {
    const at = `(item=${it.label})`;
    if (it.status === 'ok')
      out.push(paint(32, `ok: [${host}] => ${at}${it.shown !== undefined ? ` => ${it.shown}` : ''}`));
    else if (it.status === 'changed') out.push(paint(33, `changed: [${host}] => ${at}`));
    else if (it.status === 'skipped') out.push(paint(36, `skipping: [${host}] => ${at} `));
    else out.push(paint(31, `failed: [${host}] ${at} => ${it.msg ?? 'failed'}`));
  }
  if (r.status === 'skipped') out.push(paint(36, `skipping: [${host}]`));
  else if (r.status === 'unreachable') out.push(paint(31, `unreachable: [${host}] => ${r.msg ?? 'unreachable'}`));
  else if (r.status === 'failed' && r.ignored) out.push(paint(36, '...ignoring'));
  return out;
}

/** Ansible's banner (utils/display.py): the title, a space, then stars to column 80 (at least 3). */
export function banner(title: string): string {
  return `\n${title} ${'*'.repeat(Math.max(3, 79 - title.length))}\n`;
}
