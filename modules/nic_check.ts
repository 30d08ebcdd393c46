import picomatch from 'picomatch';
import { defineModule, type Plan } from '../src/module/types.js';
import { KNOWN_MODELS } from '../src/facts/nics.js';

interface Args {
  models: string[];
  interfaces: string;
  require: boolean;
}

/**
 * Finds the NIC models the rollout is tuned for (ConnectX-7, E810-C, E810-XXV) among the host's
 * interfaces, from the facts' PCI vendor/device ids. `require: false` makes a miss a warning.
 */
export default defineModule<Args>({
  name: 'nic_check',
  schema: {
    type: 'object',
    properties: {
      models: { type: 'array', items: { enum: [...KNOWN_MODELS] }, minItems: 1, default: [...KNOWN_MODELS] },
      interfaces: { type: 'string', minLength: 1, default: '*' },
      require: { type: 'boolean', default: true },
    },
    additionalProperties: false,
  },
  plan(a, _seen, ctx): Plan {
    if (!ctx.facts) return { changed: false, steps: [], failed: 'nic_check needs facts (gather_facts: true)' };
    const match = picomatch(a.interfaces);
    const nics = ctx.facts.nics.filter((n) => match(n.name));
    const found = Object.fromEntries(nics.filter((n) => n.model && a.models.includes(n.model)).map((n) => [n.name, n.model]));
    const result = { nics: found, models: [...new Set(Object.values(found))], interfaces: nics.map((n) => ({ name: n.name, model: n.model, driver: n.driver })) };
    if (Object.keys(found).length) {
      return { changed: false, steps: [], msg: Object.entries(found).map(([n, m]) => `${n}: ${m}`).join(', '), result };
    }
    const why = `${ctx.host}: no NIC of model ${a.models.join(', ')} among ${nics.map((n) => `${n.name}${n.driver ? ` (${n.driver})` : ''}`).join(', ') || 'no interfaces'} matching "${a.interfaces}"`;
    if (a.require) return { changed: false, steps: [], failed: why, result };
    return { changed: false, steps: [], msg: 'no required NIC model (require: false)', warnings: [why], result };
  },
});
