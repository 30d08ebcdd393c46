import { createHash } from 'node:crypto';
import type { DiffItem, Seen, Step } from './types.js';
import { shellLib } from './shell-lib.js';

/** lbprov_compile (build.sh): the shell function every module that builds on the host needs. */
export const BUILD_SHELL = shellLib('src/module/build.sh');

/** A C program built on the host from a source lbprov uploads; rebuilt only when source or flags change. */
export interface BuildSpec {
  source: Buffer;
  /** Where the source goes on the host. */
  remoteSrc: string;
  dest: string;
  cflags: string[];
  libs: string[];
  arch: string;
}

export const buildHash = (b: BuildSpec): string =>
  createHash('sha256')
    .update(b.source)
    .update('\0')
    .update(JSON.stringify([b.cflags, b.libs, b.arch]))
    .digest('hex');

export const buildReads = (b: Pick<BuildSpec, 'remoteSrc' | 'dest'>) => ({
  src: { kind: 'file' as const, path: b.remoteSrc },
  bin: { kind: 'stat' as const, path: b.dest },
  hash: { kind: 'file' as const, path: `${b.dest}.hash` },
});

export function isBuilt(b: BuildSpec, seen: { src: Seen; bin: Seen; hash: Seen }): boolean {
  return (
    !!seen.src.stat &&
    seen.src.stdout.equals(b.source) &&
    !!seen.bin.stat &&
    seen.hash.stdout.toString().trim() === buildHash(b)
  );
}

/** Upload (if changed) and compile to a temp file renamed into place, the hash recorded beside it. */
export function buildSteps(b: BuildSpec, seen: { src: Seen; bin: Seen }): { steps: Step[]; diff: DiffItem[] } {
  const steps: Step[] = [
    { op: 'exec', argv: ['mkdir', '-p', '--', b.remoteSrc.replace(/\/[^/]+$/, ''), b.dest.replace(/\/[^/]+$/, '')] },
  ];
  const diff: DiffItem[] = [];
  if (!seen.src.stat || !seen.src.stdout.equals(b.source)) {
    steps.push({ op: 'write', path: b.remoteSrc, content: b.source, mode: '0644' });
    diff.push({
      path: b.remoteSrc,
      before: seen.src.stat ? seen.src.stdout.toString() : '',
      after: b.source.toString(),
    });
  }
  steps.push({
    op: 'exec',
    argv: ['lbprov_compile', b.dest, `${b.dest}.hash`, buildHash(b), 'clang', ...b.cflags, b.remoteSrc, ...b.libs],
    what: `building ${b.dest}`,
  });
  diff.push({
    path: b.dest,
    before: seen.bin.stat ? 'built from an older source or flags\n' : '(absent)\n',
    after: `built from ${b.remoteSrc}\n`,
  });
  return { steps, diff };
}
