import { basename } from 'node:path';
import { defineModule, noChange, type Plan } from '../src/module/types.js';
import { Type, Default, type ArgsOf } from '../src/module/args.js';
import { BUILD_SHELL, buildReads, buildSteps, isBuilt, type BuildSpec } from '../src/module/build.js';

const schema = Type.Object(
  {
    src: Type.String({
      minLength: 1,
      description:
        "The C source, a local file (absolute, or relative to the playbook's directory or its files/ directory).",
    }),
    dest: Type.String({
      pattern: '^/',
      patternMeans: 'an absolute path',
      description: 'The binary to build on the host.',
    }),
    src_dir: Default(
      Type.String({
        pattern: '^/',
        patternMeans: 'an absolute path',
        description: 'Where the source is put on the host.',
      }),
      '/opt/lbprov/src',
    ),
    cflags: Default(Type.Array(Type.String(), { description: 'clang flags.' }), ['-O2', '-Wall']),
    libs: Default(Type.Array(Type.String(), { description: 'Libraries to link, e.g. [-lbpf, -lpthread].' }), []),
  },
  { additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

const remoteSrc = (a: Args): string => `${a.src_dir}/${basename(a.src)}`;

export default defineModule({
  name: 'c_program',
  shell: [BUILD_SHELL],
  localSrc: 'files',
  schema,
  description: 'Builds a C program on the host with clang, when its source or flags changed.',
  notes: [
    "The hash of source, flags and architecture is recorded beside the binary. A failed build keeps the old binary and fails with clang's message.",
  ],
  examples: `- name: Reference listener built
  c_program:
    src: lb_listener.c
    dest: /usr/local/bin/lb-listener
    libs: [-lbpf, -lpthread]
  notify: restart listener
`,
  returns: { built: { description: 'Whether clang ran.', type: 'boolean' } },
  check: 'full',
  diff: 'full',
  reads: (a) => buildReads({ remoteSrc: remoteSrc(a), dest: a.dest }),
  plan(a, seen, ctx): Plan {
    const spec: BuildSpec = {
      source: ctx.localFile(a.src, 'files'),
      remoteSrc: remoteSrc(a),
      dest: a.dest,
      cflags: a.cflags,
      libs: a.libs,
      arch: ctx.facts?.arch ?? '',
    };
    if (isBuilt(spec, { src: seen.src, bin: seen.bin, hash: seen.hash }))
      return noChange(`${a.dest} is built from the current source`, { built: false });
    const { steps, diff } = buildSteps(spec, { src: seen.src, bin: seen.bin });
    return { changed: true, steps, diff, msg: `built ${a.dest}`, result: { built: true } };
  },
});
