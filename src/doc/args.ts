import type { ModuleDef } from '../module/types.js';

/** A JSON schema as `lbprov doc` reads it: only the keywords that say what a value is. */
interface Schema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  not?: { required?: string[] };
  default?: unknown;
  description?: string;
}

/** One argument of a module, as documented. */
export interface ArgDoc {
  name: string;
  description: string;
  type: string;
  required: boolean;
  default?: unknown;
  /** The values allowed (of the argument, or of each element of a list). */
  choices?: unknown[];
}

const NAMES: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  object: 'mapping',
  null: 'null',
};

/** A type as a user reads it: "string", "string or list of string", "mapping of ...", "any". */
export function typeName(s: Schema | undefined): string {
  if (!s || typeof s !== 'object') return 'any';
  const alts = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (alts.length) return [...new Set(alts.map(typeName))].join(' or ');
  if (s.enum)
    return [...new Set(s.enum.map((v) => (typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v)))]
      .map((t) => NAMES[t] ?? t)
      .join(' or ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (!types.length) return 'any';
  return types
    .map((t) => {
      if (t === 'array') return `list of ${typeName(s.items)}`;
      if (t === 'object' && typeof s.additionalProperties === 'object')
        return `mapping of string to ${typeName(s.additionalProperties)}`;
      return NAMES[t] ?? t;
    })
    .join(' or ');
}

function choices(s: Schema): unknown[] | undefined {
  return s.enum ?? s.items?.enum;
}

/** Every argument of a module's schema, in declaration order. */
export function argDocs(def: ModuleDef): ArgDoc[] {
  const schema = def.schema as Schema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    description: s.description ?? '',
    type: typeName(s),
    required: required.has(name),
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(choices(s) ? { choices: choices(s) } : {}),
  }));
}

/** Rules across arguments, from the schema's top-level oneOf/anyOf/not (e.g. "exactly one of cmd, argv"). */
export function argRules(def: ModuleDef): string[] {
  const schema = def.schema as Schema;
  const names = (alts: Schema[] | undefined): string | undefined => {
    const groups = (alts ?? []).map((a) => a.required?.join(' + ') ?? '');
    return groups.length && groups.every(Boolean) ? groups.join(', ') : undefined;
  };
  const rules: string[] = [];
  const one = names(schema.oneOf);
  if (one) rules.push(`Give exactly one of: ${one}.`);
  const any = names(schema.anyOf);
  if (any) rules.push(`Give at least one of: ${any}.`);
  if (schema.not?.required?.length) rules.push(`Not together: ${schema.not.required.join(', ')}.`);
  return rules;
}

/** A value as YAML flow text: strings bare (quoted when empty), lists as [a, b]. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  return JSON.stringify(v);
}
