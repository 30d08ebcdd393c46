import { isTemplate } from './template.js';

/**
 * Ansible converts a module argument to the type its spec declares (module_utils/common/validation.py:
 * check_type_bool, check_type_int, check_type_float, check_type_str, check_type_list), so
 * `-e nic_required=false` (a string, as every `-e K=V` is) is false for a boolean argument and
 * `"8080"` is 8080 for an integer one. This does the same against a JSON schema, in place, before
 * ajv validates: only where the value's own type is not allowed and the conversion is exact.
 */

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

type Schema = {
  type?: string | string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

function types(s: Schema | undefined): Set<string> {
  const out = new Set<string>();
  if (!s || typeof s !== 'object') return out;
  for (const t of Array.isArray(s.type) ? s.type : s.type ? [s.type] : []) out.add(t);
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) for (const t of types(alt)) out.add(t);
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function allowed(t: Set<string>, v: unknown): boolean {
  const k = typeOf(v);
  return t.has(k) || (k === 'integer' && t.has('number'));
}

/** One value converted to what `s` allows, or the value itself when no exact conversion exists. */
export function coerceValue(s: Schema | undefined, v: unknown): unknown {
  const t = types(s);
  if (!t.size || allowed(t, v) || (typeof v === 'string' && isTemplate(v))) return walk(s, v);
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (t.has('boolean') && (TRUE.has(l) || FALSE.has(l))) return TRUE.has(l);
    if (t.has('integer') && /^[-+]?\d+$/.test(v.trim())) return Number(v.trim());
    if (t.has('number') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    if (t.has('array')) return v.split(',').map((x) => x.trim());
  }
  if (typeof v === 'number') {
    if (t.has('string')) return String(v);
    if (t.has('boolean') && (v === 0 || v === 1)) return v === 1;
    if (t.has('array')) return [String(v)];
  }
  if (typeof v === 'boolean' && t.has('array')) return [v ? 'True' : 'False'];
  return v;
}

function walk(s: Schema | undefined, v: unknown): unknown {
  if (!s) return v;
  if (Array.isArray(v) && s.items) {
    for (let i = 0; i < v.length; i++) v[i] = coerceValue(s.items, v[i]);
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const sub =
        s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (sub) o[k] = coerceValue(sub, o[k]);
    }
  }
  return v;
}

/** Converts `data` (an arguments mapping) in place, as Ansible's argument spec does. */
export function coerce(schema: object, data: unknown): void {
  walk(schema, data);
}
