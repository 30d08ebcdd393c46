import { BUILD_SHELL } from '../src/module/build.js';
import { shellLib } from '../src/module/shell-lib.js';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { defineModule, type Plan, type Step, failedPlan } from '../src/module/types.js';
import { Type, Default } from '../src/module/args.js';

const bpffs = (description: string) =>
  Type.String({ pattern: '^/sys/fs/bpf/', patternMeans: 'a path under /sys/fs/bpf/', description });
const schema = Type.Object(
  {
    src: Type.String({
      minLength: 1,
      description:
        "The BPF C source, a local file (absolute, or relative to the playbook's directory or its files/ directory).",
    }),
    dest_dir: Default(
      Type.String({ minLength: 1, description: 'Where the source, the object and their markers go on the host.' }),
      '/opt/lbprov/bpf',
    ),
    pin: bpffs('Where the program is pinned.'),
    pin_maps: Type.Optional(bpffs('A directory where its maps are pinned (bpftool pinmaps).')),
    type: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The program type for bpftool (e.g. sk_reuseport); default: from the first SEC("...") of the source.',
      }),
    ),
    cflags: Default(Type.Array(Type.String(), { description: 'More clang flags (after -O2 -g -target bpf).' }), []),
    keep_previous: Default(
      Type.Boolean({ description: 'Keep the replaced program pinned at PIN_prev (for bpf_rollback).' }),
      true,
    ),
  },
  { additionalProperties: false },
);

/** The program type libbpf infers from the first `SEC("...")` that is not a map or license section. */
export function secType(source: string): string | undefined {
  for (const m of source.matchAll(/SEC\(\s*"([^"]+)"\s*\)/g)) {
    const sec = m[1];
    if (sec === '.maps' || sec === 'license' || sec === 'version' || sec.startsWith('.')) continue;
    return sec;
  }
  return undefined;
}

/** How `bpftool prog show` names a type given as a SEC name or a bpftool load type. */
export function shownType(t: string): string {
  const base = t.split('/')[0];
  return base === 'socket' ? 'socket_filter' : base;
}

interface Pinned {
  id: number;
  type: string;
  tag: string;
  name?: string;
}

function parsePinned(out: string): Pinned | undefined {
  try {
    const j = JSON.parse(out) as Pinned;
    return typeof j.id === 'number' ? j : undefined;
  } catch {
    return undefined;
  }
}

/** Markers (`grep -rH` lines "PATH:HASH PIN") other than ours that claim the same pin. */
export function otherMarkers(grepOut: string, ours: string, pin: string): string[] {
  const out: string[] = [];
  for (const line of grepOut.split('\n')) {
    const m = /^(.*\.pinned):\S+ (.*)$/.exec(line);
    if (m && m[2] === pin && m[1] !== ours) out.push(m[1]);
  }
  return out;
}

export default defineModule({
  name: 'bpf_program',
  shell: [BUILD_SHELL, shellLib('modules/bpf_program.sh')],
  localSrc: 'files',
  schema,
  description: 'Compiles a BPF C source on the host and pins the program, keeping the previous one at PIN_prev.',
  notes: [
    'clang runs only when the source, flags or architecture changed: their hash is recorded beside the object. The program is pinned with bpftool (maps under pin_maps) and the pinned type verified.',
    'The previous program stays pinned at PIN_prev (bpffs refuses dots in names, so not PIN.prev); bpf_rollback puts it back.',
  ],
  examples: `- name: lb_hash compiled and pinned
  bpf_program:
    src: lb_hash.c
    pin: /sys/fs/bpf/lb_hash
    pin_maps: /sys/fs/bpf/lb_hash_maps
  notify: reload listener
`,
  returns: {
    pin: { description: 'Where the program is pinned.', type: 'string' },
    type: { description: 'The pinned program type, as bpftool shows it.', type: 'string' },
    tag: { description: "The pinned program's tag.", type: 'string' },
    id: { description: "The pinned program's id.", type: 'integer' },
    compiled: { description: 'Whether clang ran.', type: 'boolean' },
    pinned: { description: 'Whether the program was (re)pinned.', type: 'boolean' },
  },
  check: 'full',
  diff: 'full',
  reads(a) {
    const base = `${a.dest_dir}/${basename(a.src, '.c')}`;
    return {
      src: { kind: 'file', path: `${base}.c` },
      obj: { kind: 'stat', path: `${base}.o` },
      hash: { kind: 'file', path: `${base}.o.hash` },
      pinned: { kind: 'file', path: `${base}.pinned` },
      prog: { kind: 'exec', argv: ['bpftool', '-j', 'prog', 'show', 'pinned', a.pin] },
      // every marker of the folder ("path:hash pin"): another source pinned at the same path makes ours stale
      markers: { kind: 'exec', argv: ['grep', '-r', '-H', '--include=*.pinned', '-e', '', '--', a.dest_dir] },
    };
  },
  plan(a, seen, ctx): Plan {
    const source = ctx.localFile(a.src, 'files');
    const sec = a.type ?? secType(source.toString());
    if (!sec) return failedPlan(`${a.src}: no SEC("...") program section found, and no type given`);
    const arch = ctx.facts?.arch ?? 'x86_64';
    const base = `${a.dest_dir}/${basename(a.src, '.c')}`;
    const hash = createHash('sha256')
      .update(source)
      .update('\0')
      .update(JSON.stringify([a.cflags, a.type ?? '', arch]))
      .digest('hex');
    const current = seen.prog.rc === 0 ? parsePinned(seen.prog.stdout.toString()) : undefined;
    const srcChanged = !seen.src.stat || !seen.src.stdout.equals(source);
    const compile = srcChanged || !seen.obj.stat || seen.hash.stdout.toString().trim() !== hash;
    const others = otherMarkers(seen.markers.stdout.toString(), `${base}.pinned`, a.pin);
    const pin = compile || !current || others.length > 0 || seen.pinned.stdout.toString().trim() !== `${hash} ${a.pin}`;
    const result = {
      pin: a.pin,
      type: current?.type,
      tag: current?.tag,
      id: current?.id,
      compiled: false,
      pinned: false,
    };
    if (!pin)
      return {
        changed: false,
        steps: [],
        msg: `${a.pin}: ${current.type} tag ${current.tag} (id ${current.id})`,
        result,
      };

    const steps: Step[] = [{ op: 'exec', argv: ['mkdir', '-p', '--', a.dest_dir] }];
    const diff = [];
    if (srcChanged) {
      steps.push({ op: 'write', path: `${base}.c`, content: source, mode: '0644' });
      diff.push({
        path: `${base}.c`,
        before: seen.src.stat ? seen.src.stdout.toString() : '',
        after: source.toString(),
      });
    }
    if (compile) {
      const clang = [
        'clang',
        '-O2',
        '-g',
        '-target',
        'bpf',
        `-I/usr/include/${arch}-linux-gnu`,
        ...a.cflags,
        '-c',
        `${base}.c`,
      ];
      steps.push({
        op: 'exec',
        argv: ['lbprov_compile', `${base}.o`, `${base}.o.hash`, hash, ...clang],
        what: `compiling ${base}.c`,
      });
    }
    steps.push({
      op: 'exec',
      argv: ['lbprov_bpf_pin', `${base}.o`, a.pin, a.type ?? '', a.pin_maps ?? '', a.keep_previous ? '1' : '0'],
      what: `loading and pinning ${base}.o at ${a.pin}`,
    });
    const verifyAt = steps.length;
    steps.push({ op: 'exec', argv: ['lbprov_bpf_verify', a.pin, shownType(sec)], what: `verifying ${a.pin}` });
    steps.push({ op: 'write', path: `${base}.pinned`, content: Buffer.from(`${hash} ${a.pin}\n`), mode: '0644' });
    // one marker per pin: switching lb_hash_src to another file and back re-pins (the self-test finds the object by it)
    if (others.length) steps.push({ op: 'exec', argv: ['rm', '-f', '--', ...others] });
    diff.push({
      path: a.pin,
      before: current
        ? `${current.type} ${current.name ?? ''} tag ${current.tag} (id ${current.id})\n`
        : '(nothing pinned)\n',
      after: `${shownType(sec)} from ${base}.o${compile ? ' (recompiled)' : ''}${a.keep_previous && current ? `; previous kept at ${a.pin}_prev` : ''}\n`,
    });
    return {
      changed: true,
      steps,
      diff,
      msg: `${compile ? 'compiled and ' : ''}pinned at ${a.pin}`,
      result: { ...result, compiled: compile, pinned: true },
      interpret: (outs) => {
        const p = parsePinned(outs[verifyAt]?.stdout ?? '');
        return { result: { ...result, compiled: compile, pinned: true, type: p?.type, tag: p?.tag, id: p?.id } };
      },
    };
  },
});
