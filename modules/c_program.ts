import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { defineModule, noChange, type Plan, type Step } from '../src/module/types.js';

interface Args {
  src: string;
  dest: string;
  src_dir: string;
  cflags: string[];
  libs: string[];
}

/**
 * Builds a C program on the host with clang, only when its source or flags changed (their hash is
 * recorded beside the binary); a failed build keeps the old binary and fails with clang's message.
 */
export default defineModule<Args>({
  name: 'c_program',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', minLength: 1 },
      dest: { type: 'string', pattern: '^/' },
      src_dir: { type: 'string', pattern: '^/', default: '/opt/lbprov/src' },
      cflags: { type: 'array', items: { type: 'string' }, default: ['-O2', '-Wall'] },
      libs: { type: 'array', items: { type: 'string' }, default: [] },
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  reads: (a) => ({
    src: { kind: 'file', path: `${a.src_dir}/${basename(a.src)}` },
    bin: { kind: 'stat', path: a.dest },
    hash: { kind: 'file', path: `${a.dest}.hash` },
  }),
  plan(a, seen, ctx): Plan {
    const source = ctx.localFile(a.src, 'files');
    const remoteSrc = `${a.src_dir}/${basename(a.src)}`;
    const hash = createHash('sha256').update(source).update('\0').update(JSON.stringify([a.cflags, a.libs, ctx.facts?.arch ?? ''])).digest('hex');
    const srcChanged = !seen.src.stat || !seen.src.stdout.equals(source);
    if (!srcChanged && seen.bin.stat && seen.hash.stdout.toString().trim() === hash) return noChange(`${a.dest} is built from the current source`, { built: false });
    const steps: Step[] = [{ op: 'exec', argv: ['mkdir', '-p', '--', a.src_dir] }];
    const diff = [];
    if (srcChanged) {
      steps.push({ op: 'write', path: remoteSrc, content: source, mode: '0644' });
      diff.push({ path: remoteSrc, before: seen.src.stat ? seen.src.stdout.toString() : '', after: source.toString() });
    }
    steps.push({ op: 'exec', argv: ['lbprov_compile', a.dest, `${a.dest}.hash`, hash, 'clang', ...a.cflags, remoteSrc, ...a.libs], what: `building ${a.dest}` });
    diff.push({ path: a.dest, before: seen.bin.stat ? 'built from an older source or flags\n' : '(absent)\n', after: `built from ${remoteSrc}\n` });
    return { changed: true, steps, diff, msg: `built ${a.dest}`, result: { built: true } };
  },
});
