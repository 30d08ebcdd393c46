import { Default, Type } from '../src/module/args.js';
import { defineModule, type Plan } from '../src/module/types.js';

const schema = Type.Object(
  {
    cacheable: Default(
      Type.Boolean({
        description:
          'The variables are host facts too (`ansible_facts.NAME`, cleared by `meta: clear_facts`); the variables themselves stay.',
      }),
      false,
    ),
  },
  {
    // every other key is a variable to set: a name as Ansible allows one, the value any YAML (templates rendered)
    additionalProperties: true,
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  },
);

/** "true"/"yes"/... strings are booleans, as Ansible's set_fact makes them (k=v values are strings). */
function value(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const l = v.toLowerCase();
  return l === 'true' || l === 'yes' ? true : l === 'false' || l === 'no' ? false : v;
}

export default defineModule({
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact'],
  schema,
  description:
    'Sets variables (`NAME: value` pairs) on the host for the rest of the run, above play, role and task vars.',
  notes: [
    'The variables sit where Ansible puts set_fact and register: above inventory, play, role, block and task vars, below role and include parameters and -e (README "Variable precedence"). They last for the run\'s later plays too.',
    'In a loop each item sets its variables in turn: the last item wins. Items do not see what earlier items set (Ansible sets them after the loop).',
    'Runs in check mode too (it changes nothing on the host) and reports ok. The values are rendered once, when the task runs; the names are not templates.',
  ],
  examples: `- name: Remember the port
  set_fact:
    lb_port: "{{add base_port 1}}"
    lb_ready: true

- name: Also a host fact
  set_fact:
    lb_role: edge
    cacheable: true
`,
  returns: {
    ansible_facts: { description: 'The variables set, by name.', type: 'mapping', sample: { lb_port: 8081 } },
  },
  check: 'full',
  diff: 'none',
  plan(a): Plan {
    const { cacheable, ...rest } = a as Record<string, unknown> & { cacheable: boolean };
    const vars = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, value(v)]));
    if (!Object.keys(vars).length)
      return {
        changed: false,
        steps: [],
        failed: 'No key/value pairs provided, at least one is required for this action to succeed',
      };
    return { changed: false, steps: [], setVars: vars, cacheable, result: { ansible_facts: vars } };
  },
});
