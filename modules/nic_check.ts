import picomatch from 'picomatch';
import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { KNOWN_MODELS } from '../src/facts/nics.js';

const schema = Type.Object(
  {
    models: Default(
      Type.Array(Choice<readonly string[]>(KNOWN_MODELS), { minItems: 1, description: 'The NIC models to look for.' }),
      [...KNOWN_MODELS],
    ),
    interfaces: Default(
      Type.String({ minLength: 1, description: 'Which interfaces to look at, a glob on their names (e.g. "ens*").' }),
      '*',
    ),
    require: Default(Type.Boolean({ description: 'Fail the host when none is found; false: a warning.' }), true),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'nic_check',
  schema,
  description: 'Fails the host unless one of its interfaces is a NIC model the rollout is tuned for. Changes nothing.',
  notes: [
    "Models (ConnectX-7, E810-C, E810-XXV) are recognised from the facts' PCI vendor/device ids: the play needs gather_facts.",
  ],
  examples: `- name: A tuned NIC, or a warning on lab hosts
  nic_check:
    interfaces: "e*"
    require: "{{ nic_required }}"
`,
  returns: {
    nics: { description: 'Matching interfaces: name -> model.', type: 'mapping' },
    models: { description: 'The models found.', type: 'list' },
    interfaces: { description: 'Every interface looked at, with its model and driver.', type: 'list' },
  },
  check: 'full',
  diff: 'none',
  plan(a, _seen, ctx): Plan {
    if (!ctx.facts) return failedPlan('nic_check needs facts (gather_facts: true)');
    const match = picomatch(a.interfaces);
    const nics = ctx.facts.nics.filter((n) => match(n.name));
    const found = Object.fromEntries(
      nics.filter((n) => n.model && a.models.includes(n.model)).map((n) => [n.name, n.model]),
    );
    const result = {
      nics: found,
      models: [...new Set(Object.values(found))],
      interfaces: nics.map((n) => ({ name: n.name, model: n.model, driver: n.driver })),
    };
    if (Object.keys(found).length) {
      return {
        changed: false,
        steps: [],
        msg: Object.entries(found)
          .map(([n, m]) => `${n}: ${m}`)
          .join(', '),
        result,
      };
    }
    const why = `${ctx.host}: no NIC of model ${a.models.join(', ')} among ${nics.map((n) => `${n.name}${n.driver ? ` (${n.driver})` : ''}`).join(', ') || 'no interfaces'} matching "${a.interfaces}"`;
    if (a.require) return failedPlan(why, result);
    return { changed: false, steps: [], msg: 'no required NIC model (require: false)', warnings: [why], result };
  },
});
