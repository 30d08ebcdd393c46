import { defineModule, type Plan, type StepOutput, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { ACCOUNT_NAME, parseGroups } from './user.js';

const schema = Type.Object(
  {
    name: Type.String({ pattern: ACCOUNT_NAME, patternMeans: 'a group name', description: 'The group name.' }),
    state: Default(
      Choice(['present', 'absent'], { description: 'present: the group exists; absent: removed.' }),
      'present',
    ),
    gid: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The group id (changed with groupmod when it differs).' }),
    ),
    system: Default(
      Type.Boolean({ description: 'A system group (groupadd -r); only when the group is created.' }),
      false,
    ),
    non_unique: Default(Type.Boolean({ description: 'With gid: allow a gid another group has (-o).' }), false),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'group',
  aliases: ['ansible.builtin.group'],
  schema,
  description: 'Local groups (groupadd, groupmod, groupdel).',
  notes: ["Ansible's arguments, defaults and results. Not supported: local (lgroupadd)."],
  examples: `- name: Group of the operators
  group:
    name: lbops
    gid: 4100

- name: System group
  group:
    name: lbprov
    system: true
`,
  returns: {
    name: { description: 'The group name.', type: 'string' },
    state: { description: 'present or absent.', type: 'string' },
    gid: { description: 'The group id.', type: 'integer', returned: 'state present' },
    system: { description: 'The system argument.', type: 'boolean', returned: 'state present' },
  },
  check: 'full',
  diff: 'full',
  reads(a) {
    return { group: { kind: 'exec', argv: ['getent', 'group', '--', a.name] } };
  },
  plan(a, seen, ctx): Plan {
    if (a.non_unique && a.gid === undefined)
      return failedPlan('non_unique is True but all of the following are missing: gid');
    const rc = seen.group.rc;
    // getent: 2 is "no such key"; anything else is an error
    if (rc !== 0 && rc !== 2)
      return {
        changed: false,
        steps: [],
        failed: `getent group ${a.name} failed (rc ${rc}): ${seen.group.stderr.trim()}`,
      };
    const cur = rc === 0 ? parseGroups(seen.group.stdout.toString())[0] : undefined;
    const base = { name: a.name, state: a.state };
    const text = (gid: number | undefined): string => (gid === undefined ? 'present\n' : `gid: ${gid}\n`);
    if (a.state === 'absent') {
      if (!cur) return { changed: false, steps: [], result: base };
      return {
        changed: true,
        steps: [{ op: 'exec', argv: ['groupdel', '--', a.name], what: `groupdel ${a.name}` }],
        diff: [{ path: `group ${a.name}`, before: text(cur.gid), after: '' }],
        msg: `groupdel ${a.name}`,
        result: ctx.check ? {} : base,
      };
    }
    const present = { ...base, system: a.system };
    const gidArgs = a.gid === undefined ? [] : ['-g', String(a.gid), ...(a.non_unique ? ['-o'] : [])];
    if (cur && (a.gid === undefined || a.gid === cur.gid))
      return { changed: false, steps: [], result: { ...present, gid: cur.gid } };
    const argv = cur
      ? ['groupmod', ...gidArgs, '--', a.name]
      : ['groupadd', ...gidArgs, ...(a.system ? ['-r'] : []), '--', a.name];
    return {
      changed: true,
      steps: [
        { op: 'exec', argv, what: `${argv[0]} ${a.name}` },
        // the gid groupadd chose
        { op: 'exec', argv: ['getent', 'group', '--', a.name], capture: true, what: `reading ${a.name}` },
      ],
      diff: [{ path: `group ${a.name}`, before: cur ? text(cur.gid) : '', after: text(a.gid) }],
      msg: `${argv[0]} ${a.name}`,
      result: ctx.check && !cur ? {} : { ...present, ...(a.gid !== undefined ? { gid: a.gid } : {}) },
      interpret: (outs: StepOutput[]) => {
        const g = parseGroups(outs[1].stdout)[0];
        return { result: { ...present, ...(g ? { gid: g.gid } : {}) } };
      },
    };
  },
});
