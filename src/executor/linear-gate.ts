/**
 * The linear strategy's barrier (Ansible's strategy/linear.py, in lbprov's shape): the hosts of a
 * batch each walk their own tasks (so reads ahead and connections stay per host), but no host
 * starts task N+1 before every host still running has finished task N. At each such point the
 * batch's failure rule (any_errors_fatal, max_fail_percentage) is decided once, for all of them:
 * past the threshold, no host of the batch starts another task.
 */
export class LinearGate {
  private readonly live: Set<string>;
  private readonly waiting = new Map<string, (go: boolean) => void>();
  /** Why the batch stopped, once it did. */
  stopped?: string;

  /** decide(): a reason to stop the batch, or undefined to go on; asked when every live host is waiting. */
  constructor(
    hosts: readonly string[],
    private readonly decide: () => string | undefined,
  ) {
    this.live = new Set(hosts);
  }

  /** The host finished its task and wants the next one: true to run it, false when the batch stopped. */
  arrive(host: string): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting.set(host, resolve);
      this.release();
    });
  }

  /** The host has nothing more to run in this batch (done, failed or unreachable). */
  leave(host: string): void {
    this.live.delete(host);
    this.waiting.delete(host);
    this.release();
  }

  private release(): void {
    if (!this.waiting.size || this.waiting.size < this.live.size) return;
    this.stopped ??= this.decide();
    const go = !this.stopped;
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const r of all) r(go);
  }
}
