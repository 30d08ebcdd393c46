import type { ModuleContext, ModuleDef, Plan, Read, Seen, Step } from '../../src/module/types.js';
import { check } from '../../src/playbook/schema.js';

/**
 * Pure fixtures for planning logic (pyinfra's tests/operations style): a host as data, the
 * module's reads answered from it, its steps applied to it, and the plan run twice: the second
 * plan must be a no-op. Real hosts are exercised by the integration suites; this is only the
 * planner's logic, without a transport.
 */
export interface FsEntry {
  type: 'file' | 'directory' | 'link';
  mode: string;
  owner: string;
  group: string;
  content?: string;
  target?: string;
}

export class FixtureHost {
  /** Answers to read-only commands, by argv joined with spaces. */
  readonly execs: Record<string, { rc?: number; stdout?: string; stderr?: string }> = {};

  constructor(readonly fs: Record<string, FsEntry> = {}) {}

  seen(read: Read): Seen {
    if (read.kind === 'exec') {
      const key = read.argv.join(' ');
      const e = this.execs[key];
      if (!e) throw new Error(`fixture host has no answer for: ${key}`);
      return { rc: e.rc ?? 0, stdout: Buffer.from(e.stdout ?? ''), stderr: e.stderr ?? '' };
    }
    const e = this.fs[read.path];
    return {
      rc: 0,
      stderr: '',
      stat: e ? { type: e.type, mode: e.mode, owner: e.owner, group: e.group, size: e.content?.length ?? 0, target: e.target } : null,
      stdout: read.kind === 'file' && e?.type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0),
    };
  }

  apply(step: Step): void {
    if (step.op === 'write') {
      const old = this.fs[step.path];
      this.fs[step.path] = { type: 'file', mode: step.mode ?? old?.mode ?? '0644', owner: step.owner ?? old?.owner ?? 'root', group: step.group ?? old?.group ?? 'root', content: step.content.toString() };
      return;
    }
    const [cmd, ...args] = step.argv.filter((a) => a !== '--');
    const last = args[args.length - 1];
    switch (cmd) {
      case 'mkdir': this.fs[last] = { type: 'directory', mode: '0755', owner: 'root', group: 'root' }; break;
      case 'touch': this.fs[last] ??= { type: 'file', mode: '0644', owner: 'root', group: 'root', content: '' }; break;
      case 'rm': delete this.fs[last]; break;
      case 'chmod': this.fs[last].mode = args[0]; break;
      case 'chown': {
        const [o, g] = args[0].split(':');
        if (o) this.fs[last].owner = o;
        if (g) this.fs[last].group = g;
        break;
      }
      case 'ln': this.fs[last] = { type: 'link', mode: '0777', owner: 'root', group: 'root', target: args[args.length - 2] }; break;
      default: throw new Error(`fixture host cannot run ${step.argv.join(' ')}`);
    }
  }
}

export function context(over: Partial<ModuleContext> = {}): ModuleContext {
  return {
    host: 'h1',
    facts: undefined,
    check: false,
    localFile: (p) => Buffer.from(`local:${p}\n`),
    render: (t) => t,
    evaluate: () => true,
    wouldExist: () => false,
    checkState: () => undefined,
    ...over,
  };
}

export function planOn<A>(mod: ModuleDef<A>, rawArgs: Record<string, unknown>, host: FixtureHost, ctx = context()): Plan {
  const args = structuredClone(rawArgs);
  const problems = check(mod.schema, args, mod.name);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const reads = mod.reads?.(args as A, ctx) ?? {};
  const seen = Object.fromEntries(Object.entries(reads).map(([k, r]) => [k, host.seen(r)]));
  return mod.plan(args as A, seen, ctx);
}

/** Plans, applies, plans again: returns both plans; the second must change nothing. */
export function twice<A>(mod: ModuleDef<A>, args: Record<string, unknown>, host: FixtureHost, ctx = context()): [Plan, Plan] {
  const first = planOn(mod, args, host, ctx);
  for (const s of first.steps) host.apply(s);
  return [first, planOn(mod, args, host, ctx)];
}
