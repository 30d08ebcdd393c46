import { dirname } from 'node:path';
import { Type } from './args.js';
import { attrPlan, attrProps, backupProp, normalizeMode, validateArgv, type Attrs } from './files.js';
import type { Plan, Read, Seen, Step } from './types.js';

/**
 * What lineinfile, blockinfile and replace share: the file is read whole with its attributes, the
 * new text is computed on the controller (pure), and a change is one write through a temp file
 * renamed over the path (src/executor/prelude.sh lbprov_put), so no regexp or line ever reaches a
 * shell. Messages follow Ansible's ("line added", "... and ownership, perms or SE linux context changed").
 */

/** `path` and its Ansible alias `dest`: exactly one. */
export const pathProps = {
  path: Type.Optional(Type.String({ minLength: 1, description: 'The file to edit (alias: dest).' })),
  dest: Type.Optional(Type.String({ minLength: 1, description: 'Same as path (Ansible accepts both).' })),
};
export const pathOneOf = [{ required: ['path'] }, { required: ['dest'] }];

export const editProps = {
  ...attrProps,
  backup: backupProp,
  validate: Type.Optional(
    Type.String({
      pattern: '%s',
      description:
        'A command that checks the new file before it replaces path; %s is the temp file. No shell: pipes and redirections are refused.',
    }),
  ),
};

export interface EditArgs {
  path?: string;
  dest?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
}

export const pathOf = (a: { path?: string; dest?: string }): string => (a.path ?? a.dest)!;

/** The file itself (content and attributes) and its directory (created when missing, as Ansible's makedirs). */
export function editReads(a: { path?: string; dest?: string }): Record<string, Read> {
  const p = pathOf(a);
  return { file: { kind: 'file', path: p }, dir: { kind: 'stat', path: dirname(p) || '/' } };
}

export interface Before {
  /** null: the file does not exist. */
  text: string | null;
  failed?: string;
}

/** The file's text, or why the task fails (a directory: Ansible's rc 256 message). */
export function before(path: string, seen: Seen): Before {
  const st = seen.stat;
  if (st && st.type === 'directory') return { text: null, failed: `Path ${path} is a directory !` };
  if (st && st.type !== 'file') return { text: null, failed: `${path} exists and is a ${st.type}, not a file` };
  if (!st && seen.rc !== 0) return { text: null, failed: `cannot read ${path}: ${seen.stderr.trim()}` };
  return { text: st ? seen.stdout.toString('utf8') : null };
}

/**
 * The plan for "path now holds `after`" (msg says what changed, '' for nothing): the write and
 * its diff when the text differs, then the attribute steps, with Ansible's combined message.
 */
export function editPlan(
  a: EditArgs,
  seen: Record<string, Seen>,
  was: string | null,
  after: string,
  msg: string,
  result: Record<string, unknown> = {},
): Plan {
  const path = pathOf(a);
  const attrs: Attrs = { mode: normalizeMode(a.mode), owner: a.owner, group: a.group };
  const changed = was === null || was !== after;
  const steps: Step[] = [];
  const diff = [{ path, before: was ?? '', after }];
  if (changed) {
    if (was === null && !seen.dir.stat) steps.push({ op: 'exec', argv: ['mkdir', '-p', '--', dirname(path)] });
    steps.push({
      op: 'write',
      path,
      content: Buffer.from(after, 'utf8'),
      ...attrs,
      backup: a.backup && was !== null,
      validate: a.validate ? validateArgv(a.validate) : undefined,
    });
  }
  let message = changed ? msg : '';
  const st = seen.file.stat;
  if (st) {
    const attr = attrPlan(path, st, attrs);
    if (attr.steps.length) {
      // after a rewrite the write step has set the attributes already
      if (!changed) steps.push(...attr.steps);
      diff.push(...attr.diff);
      message = message
        ? `${message} and ownership, perms or SE linux context changed`
        : 'ownership, perms or SE linux context changed';
    }
  }
  const any = steps.length > 0;
  return {
    changed: any,
    steps,
    diff: any ? diff.filter((d) => d.before !== d.after) : [],
    msg: message,
    result,
  };
}
