import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';

interface JsonTask {
  name: string;
  module: string;
  hosts: Record<
    string,
    {
      status: string;
      msg?: string;
      diff?: Array<{ path: string; before: string; after: string }>;
      ms?: number;
      items?: HostTaskReport['items'];
      delegate?: string;
    }
  >;
}

/** `--json`: nothing but one JSON document on stdout, written at the end (format.md). */
export class JsonReporter implements Reporter {
  private readonly plays: Array<{ name: string; tasks: JsonTask[]; bySlot: Map<number, JsonTask> }> = [];

  constructor(private readonly write: (s: string) => void = (s) => process.stdout.write(s)) {}

  playStart(name: string): void {
    this.plays.push({ name, tasks: [], bySlot: new Map() });
  }

  batchStart(): void {}
  taskStart(): void {}
  hostDone(): void {}

  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    const play = this.plays[this.plays.length - 1];
    let t = play.bySlot.get(slot.order);
    if (!t) {
      t = { name: slot.name, module: slot.module, hosts: {} };
      play.bySlot.set(slot.order, t);
      play.tasks.push(t);
    }
    t.hosts[host] = {
      status: r.status,
      ...(r.msg !== undefined ? { msg: r.msg } : {}),
      ...(r.diff ? { diff: r.diff } : {}),
      ...(r.ms !== undefined ? { ms: r.ms } : {}),
      ...(r.items ? { items: r.items } : {}),
      ...(r.delegate ? { delegate: r.delegate } : {}),
    };
  }

  warn(message: string): void {
    process.stderr.write(`[WARNING]: ${message}\n`);
  }

  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void {
    const plays = this.plays.map((p) => ({
      name: p.name,
      tasks: [...p.bySlot.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t),
    }));
    this.write(
      `${JSON.stringify({ plays, stats: Object.fromEntries(stats), ...(stopped?.size ? { stopped: Object.fromEntries(stopped) } : {}) })}\n`,
    );
  }
}
