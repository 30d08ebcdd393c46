import { basename } from 'node:path';
import { defineModule, noChange, type Plan } from '../src/module/types.js';
import { BUILD_SHELL, buildReads, buildSteps, isBuilt, type BuildSpec } from '../src/module/build.js';

interface Args {
  src: string;
  dest: string;
  src_dir: string;
  cflags: string[];
  libs: string[];
}

const remoteSrc = (a: Args): string => `${a.src_dir}/${basename(a.src)}`;

/**
 * Builds a C program on the host with clang, only when its source or flags changed (their hash is
 * recorded beside the binary); a failed build keeps the old binary and fails with clang's message.
 */
export default defineModule<Args>({
  name: 'c_program',
  shell: [BUILD_SHELL],
  localSrc: 'files',
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
  reads: (a) => buildReads({ remoteSrc: remoteSrc(a), dest: a.dest }),
  plan(a, seen, ctx): Plan {
    const spec: BuildSpec = { source: ctx.localFile(a.src, 'files'), remoteSrc: remoteSrc(a), dest: a.dest, cflags: a.cflags, libs: a.libs, arch: ctx.facts?.arch ?? '' };
    if (isBuilt(spec, { src: seen.src, bin: seen.bin, hash: seen.hash })) return noChange(`${a.dest} is built from the current source`, { built: false });
    const { steps, diff } = buildSteps(spec, { src: seen.src, bin: seen.bin });
    return { changed: true, steps, diff, msg: `built ${a.dest}`, result: { built: true } };
  },
});
