import type { JsonSchema } from '../module/types.js';
import { LOOP_SCHEMA_PROPS } from './loop-keys.js';
import { EXEC_KEYS, EXEC_PROPS } from './exec-keywords.js';

const stringList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const condition = {
  anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
};

/** The keys of a block besides its sections: what its tasks inherit. */
export const BLOCK_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    block: { type: 'array', items: { type: 'object' } },
    rescue: { type: 'array', items: { type: 'object' } },
    always: { type: 'array', items: { type: 'object' } },
    when: condition,
    tags: stringList,
    vars: { type: 'object' },
    become: { type: ['boolean', 'string'] },
    become_user: { type: 'string', minLength: 1 },
    become_method: { type: 'string', pattern: '^(sudo|su|.*\\{\\{.*)$' },
    become_flags: { type: 'string' },
    ignore_errors: { type: 'boolean' },
    no_log: { type: 'boolean' },
    check_mode: { type: 'boolean' },
    diff: { type: 'boolean' },
    ...EXEC_PROPS,
  },
  required: ['block'],
  additionalProperties: false,
};

/** import_tasks / include_tasks / import_role / include_role (the include key itself is added per use). */
export const INCLUDE_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    when: condition,
    tags: stringList,
    vars: { type: 'object' },
    ...LOOP_SCHEMA_PROPS,
    become: { type: ['boolean', 'string'] },
    become_user: { type: 'string', minLength: 1 },
    become_method: { type: 'string', pattern: '^(sudo|su|.*\\{\\{.*)$' },
    become_flags: { type: 'string' },
    ignore_errors: { type: 'boolean' },
    no_log: { type: 'boolean' },
    ...EXEC_PROPS,
  },
  // an unknown with_<name> is reported by checkLoop (loop-task.ts), with the lookups there are
  patternProperties: { '^with_': {} },
  additionalProperties: false,
};

/** The keywords of a `roles:` entry; any other key is a role parameter. */
export const ROLE_ENTRY_KEYS = new Set([
  'role',
  'name',
  'vars',
  'tags',
  'when',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'ignore_errors',
  'no_log',
  'check_mode',
  'diff',
  ...EXEC_KEYS,
]);

const includeSchemas = new Map<string, JsonSchema>();

/** INCLUDE_SCHEMA with its include key (`import_tasks`, `ansible.builtin.include_role`, ...): one object per key. */
export function includeSchema(key: string): JsonSchema {
  let s = includeSchemas.get(key);
  if (!s) {
    s = { ...INCLUDE_SCHEMA, properties: { ...(INCLUDE_SCHEMA as { properties: object }).properties, [key]: {} } };
    includeSchemas.set(key, s);
  }
  return s;
}
