import type { FileStat, Plan, Read, Seen } from '../module/types.js';

/**
 * What a check run knows of one path: its stat (null: absent) and, for a written file, its content.
 * `implied`: not recorded itself, but a path under it would exist, so it is a directory (the stat
 * is a default one: the host's own, when it has the path, is the better account of it).
 */
export interface Known {
  stat: FileStat | null;
  content?: Buffer;
  implied?: boolean;
}

const DIR: FileStat = { type: 'directory', mode: '0755', owner: 'root', group: 'root', size: 0 };

/** The folder a path is in (`.` for a bare name, as the prelude's lbprov_stat sees it). */
export function parentOf(path: string): string {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

/**
 * What a check run would have done so far on one host. A real run writes a file and the next
 * task reads it; a check run writes nothing, so without this a later task (a handler restarting a
 * unit whose file a template would create, a copy over a file a template would write, removing a
 * link an earlier task would make, a mode an earlier task would change) plans against the host as
 * it was, and fails or mispredicts where the real run would not. Ansible does not do this; lbprov's
 * check mode predicts the whole run, task by task.
 *
 * It learns from the steps a plan would run: writes, and the file-system commands the modules'
 * plans are made of (`mkdir -p`, `touch`, `ln -sfn`, `rm -rf`, `chmod`, `chown`, always with `--`
 * before the paths), plus what a plan says outright (Plan.checkPaths, e.g. a command's creates).
 */
export class CheckOverlay {
  private readonly paths = new Map<string, Known>();
  /** directories removed (rm -rf): what was under them is gone too */
  private readonly removed = new Set<string>();
  private readonly states = new Map<string, unknown>();

  /** Records the paths a check-mode plan would change, and the states it says its steps would leave. */
  record(plan: Plan, reads: Record<string, Read>, seen: Record<string, Seen>): void {
    if (!plan.changed) return;
    for (const [k, v] of Object.entries(plan.checkState ?? {})) this.states.set(k, v);
    // what the task saw of a path (after the earlier tasks' changes): the base for attribute changes
    const before = (path: string): FileStat | null | undefined => {
      const k = this.known(path);
      if (k !== undefined) return k.stat;
      const name = Object.keys(reads).find(
        (n) => reads[n].kind !== 'exec' && (reads[n] as { path: string }).path === path,
      );
      return name ? (seen[name]?.stat ?? null) : undefined;
    };
    for (const s of plan.steps) {
      if (s.op === 'write') {
        const b = before(s.path) ?? undefined;
        this.paths.set(s.path, {
          content: s.content,
          stat: {
            type: 'file',
            mode: s.mode ?? b?.mode ?? '0644',
            owner: s.owner ?? b?.owner ?? 'root',
            group: s.group ?? b?.group ?? 'root',
            size: s.content.length,
          },
        });
        continue;
      }
      const [cmd, ...rest] = s.argv;
      const dd = rest.indexOf('--');
      if (dd < 0) continue;
      const opts = rest.slice(0, dd);
      const args = rest.slice(dd + 1);
      if (cmd === 'mkdir' && opts.includes('-p')) {
        // only a path the task saw absent: another (a parent made on the way) keeps the host's own stat
        for (const p of args) if (before(p) === null) this.set(p, { ...DIR });
      } else if (cmd === 'touch' && args.length === 1 && before(args[0]) === null)
        this.paths.set(args[0], { stat: { ...DIR, type: 'file', mode: '0644' }, content: Buffer.alloc(0) });
      else if (cmd === 'ln' && args.length === 2)
        this.set(args[1], { ...DIR, type: 'link', mode: '0777', target: args[0] });
      else if (cmd === 'rm' && args.length === 1) this.remove(args[0]);
      else if (cmd === 'chmod' && opts.length === 1 && args.length === 1)
        this.attrs(args[0], before, { mode: opts[0] });
      else if (cmd === 'chown' && opts.length === 0 && args.length === 2) {
        const [owner, group] = args[0].split(':');
        this.attrs(args[1], before, { ...(owner ? { owner } : {}), ...(group ? { group } : {}) });
      }
    }
    for (const [p, st] of Object.entries(plan.checkPaths ?? {}))
      if (st === null) this.remove(p);
      else if (!before(p)) this.set(p, { ...DIR, ...st });
  }

  /** The reads, as they would read after the changes recorded so far. */
  apply(reads: Record<string, Read>, seen: Record<string, Seen>): Record<string, Seen> {
    if (!this.paths.size && !this.removed.size) return seen;
    const out = { ...seen };
    for (const [name, r] of Object.entries(reads)) {
      if (r.kind === 'exec') continue;
      const k = this.known(r.path);
      // whether the path's folder would be missing: an earlier task may make or remove it
      const parent = this.lookup(parentOf(r.path));
      const parentMissing = parent === undefined ? seen[name]?.parentMissing : parent.stat === null;
      if (k === undefined) {
        const s = seen[name];
        if (parent !== undefined && s && !s.stat && !!s.parentMissing !== parentMissing)
          out[name] = { ...s, parentMissing };
        continue;
      }
      out[name] = {
        rc: 0,
        stderr: '',
        stat: k.stat && { ...k.stat },
        stdout: r.kind === 'file' && k.stat ? (k.content ?? seen[name]?.stdout ?? Buffer.alloc(0)) : Buffer.alloc(0),
        ...(!k.stat && parentMissing ? { parentMissing } : {}),
      };
    }
    return out;
  }

  /**
   * What an earlier task of this check run would have left at `path` (ModuleContext.checkKnown):
   * its stat (null: removed) and content when written; a path under which another would exist is
   * an (implied) directory; undefined: no earlier task touched it.
   */
  lookup(path: string): Known | undefined {
    const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const k = this.known(p);
    if (k) return { ...k, stat: k.stat && { ...k.stat } };
    for (const [q, v] of this.paths) if (v.stat && q.startsWith(`${p}/`)) return { stat: { ...DIR }, implied: true };
    return undefined;
  }

  /** The state an earlier task of this check run would have left under `key` (Plan.checkState). */
  state(key: string): unknown {
    return this.states.get(key);
  }

  /** Whether an earlier task of this check run would have made `path` exist. */
  has(path: string): boolean {
    return !!this.known(path)?.stat;
  }

  /** What is known of a path: recorded, under a removed directory (absent), or nothing (undefined). */
  private known(path: string): Known | undefined {
    const k = this.paths.get(path);
    if (k) return k;
    for (const dir of this.removed) if (path.startsWith(`${dir}/`)) return { stat: null };
    return undefined;
  }

  private set(path: string, stat: FileStat): void {
    this.paths.set(path, { stat });
  }

  private remove(path: string): void {
    this.paths.set(path, { stat: null });
    for (const p of this.paths.keys()) if (p.startsWith(`${path}/`)) this.paths.set(p, { stat: null });
    this.removed.add(path);
  }

  private attrs(path: string, before: (p: string) => FileStat | null | undefined, a: Partial<FileStat>): void {
    const b = before(path);
    if (!b) return; // not known to exist: nothing to change
    const k = this.known(path);
    this.paths.set(path, { stat: { ...b, ...a }, ...(k?.content ? { content: k.content } : {}) });
  }
}
