import { Type } from './args.js';
import { noChange, type ModuleDef } from './types.js';

/**
 * The def of a `meta:` task. The executor acts on Task.meta (flush_handlers) and never runs it as a
 * module: this def only gives the task its shape, and plans nothing. Not in the registry.
 */
export const META_DEF: ModuleDef = {
  name: 'meta',
  schema: Type.Object({}),
  description: 'meta: flush_handlers runs the handlers notified so far, there and then.',
  examples: '- meta: flush_handlers\n',
  returns: {},
  check: 'full',
  diff: 'none',
  plan: () => noChange(),
};
