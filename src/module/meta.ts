import { Type } from './args.js';
import { noChange, type ModuleDef } from './types.js';

/**
 * `meta:` actions, as Ansible 2.14's StrategyBase._execute_meta runs them. `once`: the linear
 * strategy runs the action once for the batch, deciding its `when` on the batch's first live host
 * (so `meta: end_play` with `when: inventory_hostname == 'h3'` does nothing when h3 is not first).
 * `when`: the action honours `when` (noop and refresh_inventory ignore it, with a warning).
 * `role_complete` is internal: the loader adds it at the end of a role's tasks (block.ts).
 */
export const META_ACTIONS = {
  flush_handlers: { once: false, when: true, doc: 'runs the handlers notified so far, there and then.' },
  end_play: {
    once: true,
    when: true,
    doc: "ends the play for every host: no task, handler or later batch of it runs (hosts don't fail; later plays run).",
  },
  end_batch: {
    once: true,
    when: true,
    doc: 'ends the current serial batch (handlers do not run); the next batch starts.',
  },
  end_host: { once: false, when: true, doc: "ends the play for this host (its notified handlers don't run)." },
  clear_facts: {
    once: true,
    when: true,
    doc: "forgets the gathered facts (and set_fact's cacheable ones) of the play's hosts; set_fact vars stay.",
  },
  clear_host_errors: {
    once: true,
    when: true,
    doc: "forgives the play's failed and unreachable hosts: they run in later plays and don't count in the exit code (the recap still shows the failure).",
  },
  refresh_inventory: {
    once: true,
    when: false,
    doc: 'reads the inventory sources again: hosts and vars for the tasks and plays after it.',
  },
  noop: { once: false, when: false, doc: 'does nothing.' },
  role_complete: { once: false, when: false, doc: 'internal: the end of a role.' },
} as const;

export type MetaAction = keyof typeof META_ACTIONS;

/** The actions a playbook may write (role_complete is the loader's). */
export const USER_META_ACTIONS = (Object.keys(META_ACTIONS) as MetaAction[]).filter((a) => a !== 'role_complete');

/**
 * The def of a `meta:` task. The executor acts on Task.meta and never runs it as a module: this
 * def only gives the task its shape, and plans nothing. Not in the registry.
 */
export const META_DEF: ModuleDef = {
  name: 'meta',
  schema: Type.Object({}),
  description: `meta: ${USER_META_ACTIONS.join(', ')} (see README "Meta actions").`,
  examples: USER_META_ACTIONS.map((a) => `- meta: ${a}\n`).join(''),
  returns: {},
  check: 'full',
  diff: 'none',
  plan: () => noChange(),
};
