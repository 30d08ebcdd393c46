import { posix } from 'node:path';
import { parse } from 'shell-quote';
import { Type, AnyOfTypes, Default } from './args.js';
import { failedPlan, type DiffItem, type FileStat, type Plan, type Seen, type Step } from './types.js';

/** Permission bits as 4 octal digits. A YAML 1.1 number (`0644` read as 420) is turned back into octal. */
export function normalizeMode(mode: string | number | undefined): string | undefined {
  if (mode === undefined || mode === null || mode === '') return undefined;
  const s = typeof mode === 'number' ? mode.toString(8) : mode.trim();
  if (!/^[0-7]{3,4}$/.test(s)) throw new Error(`mode "${mode}" is not an octal mode like "0644"`);
  return s.padStart(4, '0');
}

/** The owner or group chown accepts here (then only after `--`): a user/group name (shadow's grammar, any case) or a number. */
export const ACCOUNT_NAME = '^([A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?|[0-9]{1,10})$';

/** The arguments shared by the modules that set a file's mode and owner. */
/** `backup`, as copy, template, get_url and the text editors take it. */
export const backupProp = Default(
  Type.Boolean({ description: 'Keep the replaced file beside it, with a timestamp in its name.' }),
  false,
);

export const attrProps = {
  mode: Type.Optional(
    AnyOfTypes(['string', 'integer'], {
      description:
        'Permission bits in octal, e.g. "0644" (quote it: YAML reads 0644 unquoted as a number, which is turned back into octal). Unset: left as it is (new files: the umask).',
    }),
  ),
  owner: Type.Optional(
    Type.String({
      pattern: ACCOUNT_NAME,
      patternMeans: 'a user name or a numeric uid',
      description: 'Owner: a user name or a numeric uid. Unset: left as it is.',
    }),
  ),
  group: Type.Optional(
    Type.String({
      pattern: ACCOUNT_NAME,
      patternMeans: 'a group name or a numeric gid',
      description: 'Group: a group name or a numeric gid. Unset: left as it is.',
    }),
  ),
};

/** `chown -- owner[:group] path` (or `:group`): the owner and group never read as options. */
export function chownArgv(path: string, owner: string | undefined, group: string | undefined): string[] {
  return ['chown', '--', `${owner ?? ''}${group ? `:${group}` : ''}`, path];
}

export interface Attrs {
  mode?: string;
  owner?: string;
  group?: string;
}

/** The attribute steps and diff lines that make an existing path's mode/owner/group what is wanted. */
export function attrPlan(path: string, stat: FileStat, want: Attrs): { steps: Step[]; diff: DiffItem[] } {
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const owner = want.owner && want.owner !== stat.owner ? want.owner : undefined;
  const group = want.group && want.group !== stat.group ? want.group : undefined;
  // owner first: chown clears setuid/setgid bits, so the mode is set (or set again) after it
  if (owner || group) {
    steps.push({ op: 'exec', argv: chownArgv(path, owner, group), what: `chown ${path}` });
    if (owner) {
      before.push(`owner: ${stat.owner}`);
      after.push(`owner: ${owner}`);
    }
    if (group) {
      before.push(`group: ${stat.group}`);
      after.push(`group: ${group}`);
    }
  }
  const mode = want.mode ?? stat.mode;
  if (want.mode && want.mode !== stat.mode) {
    steps.push({ op: 'exec', argv: ['chmod', want.mode, '--', path], what: `chmod ${want.mode} ${path}` });
    before.push(`mode: ${stat.mode}`);
    after.push(`mode: ${want.mode}`);
  } else if ((owner || group) && /^[1-7]/.test(mode) && mode.length === 4) {
    steps.push({ op: 'exec', argv: ['chmod', mode, '--', path], what: `chmod ${mode} ${path}` });
  }
  const diff = steps.length
    ? [{ path: `${path} (attributes)`, before: before.join('\n') + '\n', after: after.join('\n') + '\n' }]
    : [];
  return { steps, diff };
}

export function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8192).includes(0);
}

export function diffText(b: Buffer): string {
  return isBinary(b) ? `(binary, ${b.length} bytes)\n` : b.toString('utf8');
}

/**
 * The plan for "this path holds exactly this content with these attributes": a write through a
 * temp file and rename when the content differs (attributes set before the rename), attribute
 * steps alone when only they differ, nothing otherwise.
 */
export function contentPlan(
  path: string,
  seen: Seen,
  content: Buffer,
  attrs: Attrs,
  extra: { validate?: string[]; backup?: boolean } = {},
): Plan {
  const stat = seen.stat;
  if (stat && stat.type !== 'file') return failedPlan(`${path} exists and is a ${stat.type}, not a file`);
  if (seen.rc !== 0 && !stat) return failedPlan(`cannot read ${path}: ${seen.stderr.trim()}`);
  // Ansible's copy module (template's too), in a check run as in a real one; a check run knows
  // when an earlier task would make the folder (CheckOverlay.apply)
  if (!stat && seen.parentMissing) return failedPlan(`Destination directory ${posix.dirname(path)} does not exist`);
  if (!stat || !seen.stdout.equals(content)) {
    return {
      changed: true,
      steps: [{ op: 'write', path, content, ...attrs, validate: extra.validate, backup: extra.backup }],
      diff: [{ path, before: stat ? diffText(seen.stdout) : '', after: diffText(content) }],
      msg: stat ? `${path} updated` : `${path} created`,
    };
  }
  const { steps, diff } = attrPlan(path, stat, attrs);
  return { changed: steps.length > 0, steps, diff, msg: steps.length ? `${path} attributes changed` : undefined };
}

/** `validate: "visudo -cf %s"` as an argv; no shell, so operators are refused. */
export function validateArgv(cmd: string): string[] {
  const words = parse(cmd, (name) => `$${name}`);
  if (words.some((w) => typeof w !== 'string'))
    throw new Error(`validate "${cmd}" must be a plain command (no pipes or redirections)`);
  const argv = words as string[];
  if (!argv.some((w) => w.includes('%s'))) throw new Error(`validate "${cmd}" must contain %s (the file to check)`);
  return argv;
}
