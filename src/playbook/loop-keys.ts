/**
 * The loop keywords a task (or include) may carry, as Ansible 2.14 reads them: `loop`, one
 * `with_<lookup>` of the lookups below, and `loop_control`. No imports: schema.ts and
 * structure-schema.ts take their JSON schema fragments from here.
 */

/** The lookups a `with_<name>` loop may use (Ansible's plugins/lookup/<name>.py). */
export const LOOP_LOOKUPS = [
  'items',
  'list',
  'dict',
  'fileglob',
  'sequence',
  'nested',
  'together',
  'subelements',
  'indexed_items',
] as const;
export type LoopLookup = (typeof LOOP_LOOKUPS)[number];

/** Ansible's LoopControl attributes (playbook/loop_control.py). */
export const LOOP_CONTROL_KEYS = ['loop_var', 'index_var', 'label', 'pause', 'extended', 'extended_allitems'] as const;

/** The raw `loop_control` mapping; values may be templates, rendered when the loop starts. */
export type LoopControlRaw = Partial<Record<(typeof LOOP_CONTROL_KEYS)[number], unknown>>;

/** Schema properties for the task schemas: every `with_<lookup>` takes any value (a template or data). */
export const LOOP_SCHEMA_PROPS: Record<string, unknown> = {
  loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
  loop_control: { type: 'object' },
  ...Object.fromEntries(LOOP_LOOKUPS.map((l) => [`with_${l}`, {}])),
};

export const isLoopKey = (k: string): boolean => k === 'loop' || k.startsWith('with_');
