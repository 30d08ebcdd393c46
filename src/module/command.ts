import type { Static } from '@sinclair/typebox';
import { Type } from './args.js';
import { parse } from 'shell-quote';
import type { Plan, Read, Seen, StepOutput } from './types.js';

/** The arguments `command` and `shell` share: creates/removes, chdir. */
export const runArgProps = {
  creates: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A path; when it exists, the command is not run (relative to chdir when given).',
    }),
  ),
  removes: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A path; when it does not exist, the command is not run (relative to chdir when given).',
    }),
  ),
  chdir: Type.Optional(Type.String({ minLength: 1, description: 'The directory to run the command in.' })),
};
export const runArgs = Type.Object(runArgProps);
export type RunArgs = Static<typeof runArgs>;

/** What `command` and `shell` register (their `returns` docs). */
export const runReturns = {
  cmd: { description: 'The argv that ran.', type: 'list', returned: 'when it ran' },
  rc: { description: 'Exit status (0 when it did not run).', type: 'integer' },
  stdout: { description: 'Standard output, without its last newline.', type: 'string' },
  stderr: { description: 'Standard error, without its last newline.', type: 'string' },
  stdout_lines: { description: 'stdout split into lines.', type: 'list' },
  stderr_lines: { description: 'stderr split into lines.', type: 'list' },
};

/** `cmd` as argv without a shell: quotes are honoured, pipes and redirections are refused. */
export function splitCommand(cmd: string): string[] {
  const words = parse(cmd, (name) => `$${name}`);
  const op = words.find((w) => typeof w !== 'string');
  if (op) throw new Error(`"${cmd}" uses shell syntax (${JSON.stringify(op)}); use the shell module for that`);
  return words as string[];
}

/** `creates`/`removes` relative to `chdir` when it is given, as Ansible's command module resolves them. */
const inDir = (a: RunArgs, p: string): string =>
  a.chdir && !p.startsWith('/') ? `${a.chdir.replace(/\/$/, '')}/${p}` : p;

export function runReads(a: RunArgs): Record<string, Read> {
  const r: Record<string, Read> = {};
  if (a.creates) r.creates = { kind: 'stat', path: inDir(a, a.creates) };
  if (a.removes) r.removes = { kind: 'stat', path: inDir(a, a.removes) };
  return r;
}

/** What a command that did not run registers (Ansible's defaults: rc 0, empty output). */
const NOT_RUN = { rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };

/**
 * As Ansible's command module: with `creates`/`removes`, check mode reports "changed" (it would
 * run); without them it cannot tell and reports skipped. Either way the registered result has
 * rc 0 and empty output, so a later `when: r.stdout == ...` still evaluates.
 */
export function runPlan(a: RunArgs, argv: string[], seen: Record<string, Seen>): Plan {
  if (a.creates && seen.creates?.stat)
    return { changed: false, steps: [], msg: `skipped, since ${a.creates} exists`, result: { ...NOT_RUN } };
  if (a.removes && !seen.removes?.stat)
    return { changed: false, steps: [], msg: `skipped, since ${a.removes} does not exist`, result: { ...NOT_RUN } };
  // through env: the program is exec'd, as Ansible's command does; a shell builtin (eval, source)
  // or one of lbprov's own shell functions is "not found", never run
  const full = a.chdir ? ['env', '-C', a.chdir, '--', ...argv] : ['env', '--', ...argv];
  const would = 'Command would have run if not in check mode'; // Ansible's words (modules/command.py)
  return {
    changed: true,
    steps: [{ op: 'exec', argv: full, capture: true }],
    result: { ...NOT_RUN },
    ...(a.creates || a.removes ? { checkMsg: would } : { checkSkip: would }),
    // what a command with creates/removes promises: a later task of a check run plans against it
    checkPaths: {
      ...(a.creates ? { [inDir(a, a.creates)]: { type: 'file' as const } } : {}),
      ...(a.removes ? { [inDir(a, a.removes)]: null } : {}),
    },
    interpret: ([out]: StepOutput[]) => ({
      failed:
        out.rc !== 0
          ? `non-zero return code ${out.rc}${out.stderr.trim() ? `: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`
          : undefined,
      result: {
        cmd: argv,
        rc: out.rc,
        stdout: out.stdout.replace(/\n$/, ''),
        stderr: out.stderr.replace(/\n$/, ''),
        stdout_lines: out.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''),
        stderr_lines: out.stderr.split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''),
      },
    }),
  };
}
