import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';
import { unifiedDiff } from './diff.js';
import { recapLines } from './recap.js';

interface Pending {
  slot: Slot;
  lines: Map<string, string[]>;
}

/**
 * Ansible-style plain lines. Hosts run ahead of each other, so results are held per task and a
 * task's block (`TASK [name]` and one line per host, in inventory order) is printed once every
 * host of the batch has passed it: the output reads as if the play ran task by task.
 */
export class PlainReporter implements Reporter {
  private batch: string[] = [];
  private readonly progress = new Map<string, number>();
  private readonly done = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private readonly color: boolean;

  constructor(private readonly write: (s: string) => void = (s) => process.stdout.write(s), color = false) {
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
    if (index !== undefined && total !== undefined && total > 1) this.write(`\n${this.paint(1, `batch ${index}/${total}: ${hosts.join(', ')}`)}\n`);
    this.batch = hosts;
    this.progress.clear();
    this.done.clear();
    this.pending.clear();
  }

  taskStart(slot: Slot, host: string): void {
    this.progress.set(host, slot.order);
    this.flush();
  }

  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    let p = this.pending.get(slot.order);
    if (!p) {
      p = { slot, lines: new Map() };
      this.pending.set(slot.order, p);
    }
    p.lines.set(host, this.hostLines(host, r));
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
    for (const d of r.diff ?? []) out.push(unifiedDiff(d));
    for (const w of r.warnings ?? []) out.push(this.paint(35, `[WARNING]: ${w}`));
    switch (r.status) {
      case 'ok': out.push(this.paint(32, `ok: [${host}]${r.shown !== undefined ? ` => ${r.shown}` : ''}`)); break;
      case 'changed': out.push(this.paint(33, `changed: [${host}]`)); break;
      case 'skipped': out.push(this.paint(36, `skipping: [${host}]`)); break;
      case 'failed': out.push(this.paint(31, `failed: [${host}] => ${r.msg ?? 'failed'}${r.ignored ? ' ...ignoring' : ''}`)); break;
      case 'unreachable': out.push(this.paint(31, `unreachable: [${host}] => ${r.msg ?? 'unreachable'}`)); break;
    }
    return out;
  }

  /** Prints every held task block that no running host can still add to. */
  flush(all = false): void {
    const orders = [...this.pending.keys()].sort((a, b) => a - b);
    for (const order of orders) {
      const complete = all || this.batch.every((h) => this.done.has(h) || (this.progress.get(h) ?? -Infinity) > order);
      if (!complete) return;
      const p = this.pending.get(order)!;
      this.pending.delete(order);
      const title = p.slot.kind === 'handler' ? 'RUNNING HANDLER' : 'TASK';
      this.write(banner(`${title} [${p.slot.name}]`));
      for (const h of this.batch) for (const line of p.lines.get(h) ?? []) this.write(`${line}\n`);
    }
  }
}

/** Ansible's banner (utils/display.py): the title, a space, then stars to column 80 (at least 3). */
export function banner(title: string): string {
  return `\n${title} ${'*'.repeat(Math.max(3, 79 - title.length))}\n`;
}
