import { noChange, type ModuleDef } from './types.js';

/**
 * The def of a `meta:` task. The executor acts on Task.meta (flush_handlers) and never runs it as a
 * module: this def only gives the task its shape, and plans nothing.
 */
export const META_DEF: ModuleDef = { name: 'meta', schema: { type: 'object' }, plan: () => noChange() };
