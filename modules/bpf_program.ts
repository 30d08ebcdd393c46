import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { defineModule, type Plan, type Step } from '../src/module/types.js';

interface Args {
  src: string;
  dest_dir: string;
  pin: string;
  pin_maps?: string;
  type?: string;
  cflags: string[];
  keep_previous: boolean;
}

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

/**
 * Puts a BPF C source on the host, compiles it there with clang (only when the source or flags
 * changed: their hash is recorded beside the object), pins it with bpftool (maps under pin_maps),
 * verifies the pinned program's type, and keeps the previous program pinned at PIN_prev (bpffs
 * refuses dots in names, so PIN.prev cannot exist).
 */
export default defineModule<Args>({
  name: 'bpf_program',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', minLength: 1 },
      dest_dir: { type: 'string', minLength: 1, default: '/opt/lbprov/bpf' },
      pin: { type: 'string', pattern: '^/sys/fs/bpf/' },
      pin_maps: { type: 'string', pattern: '^/sys/fs/bpf/' },
      type: { type: 'string', minLength: 1 },
      cflags: { type: 'array', items: { type: 'string' }, default: [] },
      keep_previous: { type: 'boolean', default: true },
    },
    required: ['src', 'pin'],
    additionalProperties: false,
  },
  reads(a) {
    const base = `${a.dest_dir}/${basename(a.src, '.c')}`;
    return {
      src: { kind: 'file', path: `${base}.c` },
      obj: { kind: 'stat', path: `${base}.o` },
      hash: { kind: 'file', path: `${base}.o.hash` },
      pinned: { kind: 'file', path: `${base}.pinned` },
      prog: { kind: 'exec', argv: ['bpftool', '-j', 'prog', 'show', 'pinned', a.pin] },
    };
  },
  plan(a, seen, ctx): Plan {
    const source = ctx.localFile(a.src, 'files');
    const sec = a.type ?? secType(source.toString());
    if (!sec) return { changed: false, steps: [], failed: `${a.src}: no SEC("...") program section found, and no type given` };
    const arch = ctx.facts?.arch ?? 'x86_64';
    const base = `${a.dest_dir}/${basename(a.src, '.c')}`;
    const hash = createHash('sha256').update(source).update('\0').update(JSON.stringify([a.cflags, a.type ?? '', arch])).digest('hex');
    const current = seen.prog.rc === 0 ? parsePinned(seen.prog.stdout.toString()) : undefined;
    const srcChanged = !seen.src.stat || !seen.src.stdout.equals(source);
    const compile = srcChanged || !seen.obj.stat || seen.hash.stdout.toString().trim() !== hash;
    const pin = compile || !current || seen.pinned.stdout.toString().trim() !== `${hash} ${a.pin}`;
    const result = { pin: a.pin, type: current?.type, tag: current?.tag, id: current?.id, compiled: false, pinned: false };
    if (!pin) return { changed: false, steps: [], msg: `${a.pin}: ${current.type} tag ${current.tag} (id ${current.id})`, result };

    const steps: Step[] = [{ op: 'exec', argv: ['mkdir', '-p', '--', a.dest_dir] }];
    const diff = [];
    if (srcChanged) {
      steps.push({ op: 'write', path: `${base}.c`, content: source, mode: '0644' });
      diff.push({ path: `${base}.c`, before: seen.src.stat ? seen.src.stdout.toString() : '', after: source.toString() });
    }
    if (compile) {
      const clang = ['clang', '-O2', '-g', '-target', 'bpf', `-I/usr/include/${arch}-linux-gnu`, ...a.cflags, '-c', `${base}.c`];
      steps.push({ op: 'exec', argv: ['lbprov_compile', `${base}.o`, `${base}.o.hash`, hash, ...clang], what: `compiling ${base}.c` });
    }
    steps.push({ op: 'exec', argv: ['lbprov_bpf_pin', `${base}.o`, a.pin, a.type ?? '', a.pin_maps ?? '', a.keep_previous ? '1' : '0'], what: `loading and pinning ${base}.o at ${a.pin}` });
    const verifyAt = steps.length;
    steps.push({ op: 'exec', argv: ['lbprov_bpf_verify', a.pin, shownType(sec)], what: `verifying ${a.pin}` });
    steps.push({ op: 'write', path: `${base}.pinned`, content: Buffer.from(`${hash} ${a.pin}\n`), mode: '0644' });
    diff.push({
      path: a.pin,
      before: current ? `${current.type} ${current.name ?? ''} tag ${current.tag} (id ${current.id})\n` : '(nothing pinned)\n',
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
