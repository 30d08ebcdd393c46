import { defineModule, type Plan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';

interface Args {
  pin: string;
  pin_maps?: string;
  dest_dir: string;
}

interface Pinned {
  id: number;
  tag: string;
  type: string;
}

const parse = (rc: number, out: Buffer): Pinned | undefined => {
  if (rc !== 0) return undefined;
  try {
    const j = JSON.parse(out.toString()) as Pinned;
    return typeof j.id === 'number' ? j : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Puts the previous program back: PIN_prev becomes PIN and the program that was at PIN becomes
 * PIN_prev. Idempotent: a rollback already done (the state file names these two tags, in this
 * order) changes nothing. The listener still runs its attached program until it reloads.
 *
 * The swap (lbprov_bpf_rollback in bpf_rollback.sh) never leaves PIN missing: the previous program
 * is pinned under a new name and renamed over PIN (bpffs renames like any fs). bpf_program's
 * markers for PIN are voided, so the next edge.yml re-pins from its source instead of trusting them.
 */
export default defineModule<Args>({
  name: 'bpf_rollback',
  shell: [shellLib('modules/bpf_rollback.sh')],
  schema: {
    type: 'object',
    properties: {
      pin: { type: 'string', pattern: '^/sys/fs/bpf/' },
      pin_maps: { type: 'string', pattern: '^/sys/fs/bpf/' },
      dest_dir: { type: 'string', pattern: '^/', default: '/opt/lbprov/bpf' },
    },
    required: ['pin'],
    additionalProperties: false,
  },
  reads: (a) => ({
    cur: { kind: 'exec', argv: ['bpftool', '-j', 'prog', 'show', 'pinned', a.pin] },
    prev: { kind: 'exec', argv: ['bpftool', '-j', 'prog', 'show', 'pinned', `${a.pin}_prev`] },
    state: { kind: 'file', path: `${a.dest_dir}/rollback.state` },
  }),
  plan(a, seen, ctx): Plan {
    const cur = parse(seen.cur.rc, seen.cur.stdout);
    const prev = parse(seen.prev.rc, seen.prev.stdout);
    const [from, to] = seen.state.stdout.toString().trim().split(' ');
    if (cur && prev && cur.tag === to && prev.tag === from) {
      return { changed: false, steps: [], msg: `${a.pin}: already rolled back to tag ${cur.tag} (tag ${prev.tag} kept at ${a.pin}_prev)`, result: { tag: cur.tag, id: cur.id, previous: prev.tag } };
    }
    if (!prev) return { changed: false, steps: [], failed: `${ctx.host}: nothing is pinned at ${a.pin}_prev: no previous program to roll back to` };
    if (!cur) return { changed: false, steps: [], failed: `${ctx.host}: nothing is pinned at ${a.pin}` };
    return {
      changed: true,
      steps: [{ op: 'exec', argv: ['lbprov_bpf_rollback', a.pin, a.pin_maps ?? '', a.dest_dir, cur.tag, prev.tag], what: `swapping ${a.pin} and ${a.pin}_prev` }],
      diff: [{ path: a.pin, before: `${cur.type} tag ${cur.tag} (id ${cur.id})\n`, after: `${prev.type} tag ${prev.tag} (id ${prev.id}); tag ${cur.tag} kept at ${a.pin}_prev\n` }],
      msg: `${a.pin}: rolled back from tag ${cur.tag} to ${prev.tag}`,
      result: { tag: prev.tag, id: prev.id, previous: cur.tag },
    };
  },
});
