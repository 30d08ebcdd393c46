import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Default } from '../src/module/args.js';

const schema = Type.Object(
  {
    pin: Type.String({
      pattern: '^/sys/fs/bpf/',
      patternMeans: 'a path under /sys/fs/bpf/',
      description: 'The pinned program to roll back (PIN_prev takes its place).',
    }),
    pin_maps: Type.Optional(
      Type.String({
        pattern: '^/sys/fs/bpf/',
        patternMeans: 'a path under /sys/fs/bpf/',
        description: 'Its maps directory (swapped with PIN_MAPS_prev when that exists).',
      }),
    ),
    dest_dir: Default(
      Type.String({
        pattern: '^/',
        patternMeans: 'an absolute path',
        description: "bpf_program's dest_dir: its markers for PIN are voided there, and the rollback's state kept.",
      }),
      '/opt/lbprov/bpf',
    ),
  },
  { additionalProperties: false },
);

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

export default defineModule({
  name: 'bpf_rollback',
  shell: [shellLib('modules/bpf_rollback.sh')],
  schema,
  description: 'Puts the previous BPF program back: PIN_prev becomes PIN, the replaced one is kept at PIN_prev.',
  notes: [
    'PIN never goes missing: the previous program is pinned under a new name and renamed over PIN.',
    'Idempotent: a rollback already done (its state file names these two tags, in this order) changes nothing. The next bpf_program run re-pins from its source.',
    'The listener keeps running its attached program until it reloads: notify a reload.',
  ],
  examples: `- name: Previous lb_hash back
  bpf_rollback:
    pin: /sys/fs/bpf/lb_hash
    pin_maps: /sys/fs/bpf/lb_hash_maps
  notify: reload listener
`,
  returns: {
    tag: { description: 'The tag of the program now at PIN.', type: 'string' },
    id: { description: 'Its id.', type: 'integer' },
    previous: { description: 'The tag of the program now at PIN_prev.', type: 'string' },
  },
  check: 'full',
  diff: 'full',
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
      return {
        changed: false,
        steps: [],
        msg: `${a.pin}: already rolled back to tag ${cur.tag} (tag ${prev.tag} kept at ${a.pin}_prev)`,
        result: { tag: cur.tag, id: cur.id, previous: prev.tag },
      };
    }
    if (!prev)
      return {
        changed: false,
        steps: [],
        failed: `${ctx.host}: nothing is pinned at ${a.pin}_prev: no previous program to roll back to`,
      };
    if (!cur) return failedPlan(`${ctx.host}: nothing is pinned at ${a.pin}`);
    return {
      changed: true,
      steps: [
        {
          op: 'exec',
          argv: ['lbprov_bpf_rollback', a.pin, a.pin_maps ?? '', a.dest_dir, cur.tag, prev.tag],
          what: `swapping ${a.pin} and ${a.pin}_prev`,
        },
      ],
      diff: [
        {
          path: a.pin,
          before: `${cur.type} tag ${cur.tag} (id ${cur.id})\n`,
          after: `${prev.type} tag ${prev.tag} (id ${prev.id}); tag ${cur.tag} kept at ${a.pin}_prev\n`,
        },
      ],
      msg: `${a.pin}: rolled back from tag ${cur.tag} to ${prev.tag}`,
      result: { tag: prev.tag, id: prev.id, previous: cur.tag },
    };
  },
});
