import { shellJoin, shq } from '../util/quote.js';
import type { FileStat, Read, Seen, Step, StepOutput } from '../module/types.js';

/**
 * Builds the one bash script a round trip sends (on stdin, so size has no argv limit) and parses
 * its answer. Every value from a playbook reaches the script quoted by shq(); the script's own
 * text is fixed. The answer frames every read's or step's rc, stdout and stderr (prelude.sh).
 */
export { standalone } from './prelude.js';

export const READ_ARGV = {
  stat: (path: string): string[] => ['lbprov_stat', path],
  file: (path: string): string[] => ['lbprov_file', path],
};

/** A NUL cannot pass in an argument (bash would drop it and name another file): refused before anything runs. */
function noNul(values: readonly string[]): void {
  const bad = values.find((v) => v.includes('\0'));
  if (bad !== undefined) throw new Error(`a NUL byte in ${JSON.stringify(bad)}: no path or argument can hold one`);
}

export function readsScript(reads: readonly Read[]): string {
  return `${readLines(reads, 0).join('\n')}\nlbprov_answer\n`;
}

/** The reads as `lbprov_read N argv` lines, numbered from `first`. */
function readLines(reads: readonly Read[], first: number): string[] {
  return reads.map((r, i) => {
    const argv = r.kind === 'exec' ? r.argv : r.kind === 'stat' ? READ_ARGV.stat(r.path) : READ_ARGV.file(r.path);
    noNul(argv);
    return `lbprov_read ${first + i} ${shellJoin(argv)}`;
  });
}

/**
 * The steps, then `after`: reads done in the same round trip once every step has succeeded (their
 * answers follow the steps' answers). A failed step answers at once (lbprov_step), without them.
 */
export function stepsScript(steps: readonly Step[], after: readonly Read[] = []): string {
  const out: string[] = [];
  steps.forEach((s, i) => {
    if (s.op === 'exec') {
      noNul(s.argv);
      out.push(`lbprov_step ${i} ${s.capture ? 0 : 1} ${shellJoin(s.argv)}`);
      return;
    }
    const b64 = s.content.toString('base64').replace(/.{1,76}/g, '$&\n');
    out.push(`w${i}() { base64 -d > "$1" <<'LBPROV_EOF'\n${b64}LBPROV_EOF\n}`);
    const args = [
      s.path,
      s.mode ?? '',
      s.owner ?? '',
      s.group ?? '',
      `w${i}`,
      s.backup ? '1' : '0',
      ...(s.validate ?? []),
    ];
    noNul(args);
    out.push(`lbprov_step ${i} 1 lbprov_put ${args.map(shq).join(' ')}`);
  });
  out.push(...readLines(after, steps.length));
  return `${out.join('\n')}\nlbprov_answer\n`;
}

export interface Answer {
  index: number;
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** Reads `@@ANSWER n|rcs|sizes` and the bytes after it (see prelude.sh). */
export function parseAnswers(out: Buffer): Map<number, Answer> {
  const answers = new Map<number, Answer>();
  const at = out.indexOf('@@ANSWER ');
  if (at < 0) return answers;
  const nl = out.indexOf(10, at);
  if (nl < 0) return answers;
  const [n, rcs, sizes] = out
    .subarray(at + 9, nl)
    .toString()
    .split('|');
  const rc = rcs ? rcs.split(' ').map(Number) : [];
  const size = sizes ? sizes.split(' ').map(Number) : [];
  let pos = nl + 1;
  for (let i = 0; i < Number(n); i++) {
    const o = size[2 * i] ?? 0;
    const e = size[2 * i + 1] ?? 0;
    answers.set(i, {
      index: i,
      rc: rc[i] ?? -1,
      stdout: out.subarray(pos, pos + o),
      stderr: out.subarray(pos + o, pos + o + e),
    });
    pos += o + e;
  }
  return answers;
}

/**
 * `lbprov_stat` output: `regular file|644|root|root|12` (+ a line with the link target), `absent`,
 * or `absent nodir` (its folder is missing too: parentMissing).
 */
export function parseStat(out: Buffer): { stat: FileStat | null; rest: Buffer; parentMissing?: boolean } {
  const nl = out.indexOf(10);
  const first = (nl < 0 ? out : out.subarray(0, nl)).toString();
  let rest = nl < 0 ? Buffer.alloc(0) : out.subarray(nl + 1);
  if (first === 'absent') return { stat: null, rest };
  if (first === 'absent nodir') return { stat: null, rest, parentMissing: true };
  const [kind, mode, owner, group, size] = first.split('|');
  const type =
    kind === 'regular file' || kind === 'regular empty file'
      ? 'file'
      : kind === 'directory'
        ? 'directory'
        : kind === 'symbolic link'
          ? 'link'
          : 'other';
  const stat: FileStat = { type, mode: mode.padStart(4, '0'), owner, group, size: Number(size) };
  if (type === 'link') {
    const nl2 = rest.indexOf(10);
    stat.target = rest.subarray(0, nl2 < 0 ? undefined : nl2).toString();
    rest = nl2 < 0 ? Buffer.alloc(0) : rest.subarray(nl2 + 1);
  }
  return { stat, rest };
}

export function toSeen(read: Read, a: Answer | undefined): Seen {
  if (!a) return { rc: -1, stdout: Buffer.alloc(0), stderr: 'no answer from the host for this read' };
  if (read.kind === 'exec') return { rc: a.rc, stdout: a.stdout, stderr: a.stderr.toString() };
  const { stat, rest, parentMissing } = parseStat(a.stdout);
  return {
    rc: a.rc,
    stat,
    stdout: read.kind === 'file' ? rest : Buffer.alloc(0),
    stderr: a.stderr.toString(),
    ...(parentMissing ? { parentMissing } : {}),
  };
}

export function toOutput(a: Answer): StepOutput {
  return { rc: a.rc, stdout: a.stdout.toString(), stderr: a.stderr.toString() };
}
