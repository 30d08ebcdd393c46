import type { FileStat, Plan, Read, Seen } from '../module/types.js';

/**
 * What a check run would have written so far on one host. A real run writes a file and the next
 * task reads it; a check run writes nothing, so without this a later task (a handler restarting a
 * unit whose file a template would create, a copy over a file a template would write) plans
 * against the host as it was, and fails or mispredicts where the real run would not. Ansible does
 * not do this; lbprov's check mode predicts the whole run, task by task.
 */
export class CheckOverlay {
  private readonly files = new Map<string, { content: Buffer; stat: FileStat }>();
  private readonly states = new Map<string, unknown>();

  /** Records the files a check-mode plan would write, and the states it says its steps would leave. */
  record(plan: Plan, reads: Record<string, Read>, seen: Record<string, Seen>): void {
    if (!plan.changed) return;
    for (const [k, v] of Object.entries(plan.checkState ?? {})) this.states.set(k, v);
    for (const s of plan.steps) {
      if (s.op !== 'write') continue;
      const name = Object.keys(reads).find(
        (n) => reads[n].kind !== 'exec' && (reads[n] as { path: string }).path === s.path,
      );
      const before = name ? (seen[name]?.stat ?? undefined) : undefined;
      this.files.set(s.path, {
        content: s.content,
        stat: {
          type: 'file',
          mode: s.mode ?? before?.mode ?? '0644',
          owner: s.owner ?? before?.owner ?? 'root',
          group: s.group ?? before?.group ?? 'root',
          size: s.content.length,
        },
      });
    }
  }

  /** The reads, as they would read after the writes recorded so far. */
  apply(reads: Record<string, Read>, seen: Record<string, Seen>): Record<string, Seen> {
    if (!this.files.size) return seen;
    const out = { ...seen };
    for (const [name, r] of Object.entries(reads)) {
      if (r.kind === 'exec') continue;
      const f = this.files.get(r.path);
      if (!f) continue;
      out[name] = { rc: 0, stderr: '', stat: { ...f.stat }, stdout: r.kind === 'file' ? f.content : Buffer.alloc(0) };
    }
    return out;
  }

  /** The state an earlier task of this check run would have left under `key` (Plan.checkState). */
  state(key: string): unknown {
    return this.states.get(key);
  }

  /** Whether an earlier task of this check run would have written `path`. */
  has(path: string): boolean {
    return this.files.has(path);
  }
}
