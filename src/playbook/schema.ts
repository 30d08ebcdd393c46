import { coerce } from './coerce.js';
import type { ErrorObject } from 'ajv';
import type { JsonSchema } from '../module/types.js';
import { isTemplate } from './template.js';
import { LOOP_SCHEMA_PROPS } from './loop-keys.js';
import { EXEC_PROPS, PLAY_EXEC_PROPS } from './exec-keywords.js';

import { validator } from './validators.js';

export { validator };

const stringList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const condition = {
  anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
};
const serialItem = {
  anyOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', pattern: '^\\d+%?$' },
  ],
};

export const PLAY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    hosts: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'string' }, minItems: 1 },
      ],
    },
    vars: { type: 'object' },
    vars_files: stringList,
    become: { type: ['boolean', 'string'] },
    become_user: { type: 'string', minLength: 1 },
    become_method: { type: 'string', pattern: '^(sudo|su|.*\\{\\{.*)$' },
    become_flags: { type: 'string' },
    gather_facts: { type: 'boolean' },
    serial: { anyOf: [serialItem, { type: 'array', items: serialItem, minItems: 1 }] },
    max_fail_percentage: { type: 'number', minimum: 0, maximum: 100 },
    any_errors_fatal: { type: 'boolean' },
    strategy: { enum: ['linear', 'free'] },
    // inherited by every task of the play, as from a block
    ignore_errors: { type: 'boolean' },
    no_log: { type: 'boolean' },
    check_mode: { type: 'boolean' },
    diff: { type: 'boolean' },
    tags: stringList,
    tasks: { type: 'array', items: { type: 'object' } },
    handlers: { type: 'array', items: { type: 'object' } },
    pre_tasks: { type: 'array', items: { type: 'object' } },
    post_tasks: { type: 'array', items: { type: 'object' } },
    roles: { type: 'array', items: { type: ['object', 'string'] } },
    ...PLAY_EXEC_PROPS,
  },
  required: ['hosts'],
  additionalProperties: false,
};

/** The keys a task may have besides its one module key. */
export const TASK_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    when: condition,
    ...LOOP_SCHEMA_PROPS,
    register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    notify: stringList,
    listen: stringList,
    tags: stringList,
    become: { type: ['boolean', 'string'] },
    become_user: { type: 'string', minLength: 1 },
    become_method: { type: 'string', pattern: '^(sudo|su|.*\\{\\{.*)$' },
    become_flags: { type: 'string' },
    check_mode: { type: 'boolean' },
    diff: { type: 'boolean' },
    no_log: { type: 'boolean' },
    ignore_errors: { type: 'boolean' },
    changed_when: condition,
    failed_when: condition,
    timeout: { type: 'integer', minimum: 1 },
    until: condition,
    retries: {
      anyOf: [
        { type: 'integer', minimum: 0 },
        { type: 'string', minLength: 1 },
      ],
    },
    delay: {
      anyOf: [
        { type: 'number', minimum: 0 },
        { type: 'string', minLength: 1 },
      ],
    },
    vars: { type: 'object' },
    args: { type: 'object' },
    ...EXEC_PROPS,
    // local_action: MODULE ARGS is `MODULE: ARGS` + `delegate_to: localhost` (task.ts)
    local_action: { anyOf: [{ type: 'object' }, { type: 'string', minLength: 1 }] },
  },
};
export const TASK_KEYS = new Set(Object.keys((TASK_SCHEMA as { properties: object }).properties));

/** A path segment list from ajv's JSON pointer (`/tasks/0/when` -> ['tasks', 0, 'when']). */
export function pointerPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(k) ? Number(k) : k;
    });
}

function valueAt(data: unknown, path: Array<string | number>): unknown {
  let cur = data;
  for (const seg of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
  return cur;
}

export interface SchemaProblem {
  path: Array<string | number>;
  which: 'key' | 'value';
  message: string;
}

/**
 * Validates `data` (first converting values by type as Ansible does, in place: coerce.ts), returning
 * readable problems with the path to blame. A value that is a template
 * (`"{{ n }}"`) is not held to its type here: it is checked again once rendered on each host.
 */
export function check(schema: JsonSchema, data: unknown, what: string): SchemaProblem[] {
  const v = validator(schema);
  coerce(schema, data);
  if (v(data)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of v.errors ?? []) {
    const path = pointerPath(e.instancePath);
    const value = valueAt(data, path);
    if (typeof value === 'string' && isTemplate(value)) continue;
    const p = describe(e, path, what, value);
    if (!p) continue;
    const key = `${p.path.join('/')}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  }
  // anyOf/oneOf report each branch; keep the most specific message per path
  return problems.filter(
    (p) =>
      !(p.message.startsWith('must match') && problems.some((q) => q !== p && q.path.join('/') === p.path.join('/'))),
  );
}

function describe(
  e: ErrorObject,
  path: Array<string | number>,
  what: string,
  value: unknown,
): SchemaProblem | undefined {
  const at = path.length ? ` "${path.filter((s) => typeof s === 'string').at(-1) ?? path.at(-1)}"` : '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: [...path, key], which: 'key', message: `${what}: unknown key "${key}"` };
    }
    case 'required':
      return {
        path,
        which: 'value',
        message: `${what}: missing required argument "${(e.params as { missingProperty: string }).missingProperty}"`,
      };
    case 'type':
      return {
        path,
        which: 'value',
        message: `${what}:${at} must be ${(e.params as { type: string | string[] }).type.toString().replace(/,/g, ' or ')}, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`,
      };
    case 'enum':
      return {
        path,
        which: 'value',
        message: `${what}:${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`,
      };
    case 'oneOf':
      if (!path.length)
        return {
          path,
          which: 'value',
          message: `${what}: give exactly one of the alternative arguments (${altNames(e)})`,
        };
      return { path, which: 'value', message: `${what}:${at} ${e.message}` };
    case 'not':
      return { path, which: 'value', message: `${what}: these arguments cannot be used together` };
    case 'if':
      return undefined;
    case 'propertyNames':
      return undefined; // its `pattern` error below names the key
    case 'pattern': {
      const name = (e as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined)
        return {
          path: [...path, name],
          which: 'key',
          message: `${what}: "${name}" is not a valid variable name (a letter or _, then letters, digits or _)`,
        };
      // `patternMeans` says what a value must be (a package name, a user name); `description` is the argument's doc
      const d = (e.parentSchema as { patternMeans?: string } | undefined)?.patternMeans;
      return {
        path,
        which: 'value',
        message: d ? `${what}:${at} ${JSON.stringify(value)} is not ${d}` : `${what}:${at} ${e.message}`,
      };
    }
    default:
      return { path, which: 'value', message: `${what}:${at} ${e.message}` };
  }
}

function altNames(e: ErrorObject): string {
  const s = e.parentSchema as { oneOf?: Array<{ required?: string[] }> } | undefined;
  return (s?.oneOf ?? []).map((o) => (o.required ?? []).join('+')).join(' | ');
}
