/**
 * Python's view of values, for the filters that Ansible runs through Python: `str()` and `repr()`
 * (`join`, `string`, `b64encode` of a number), `json.dumps` (`to_json`), `int()` and `float()`.
 * JavaScript's spellings differ (`true` vs `True`, `1e+21` vs `1e+21` but `1e16` vs `1e+16`,
 * `[1,2]` vs `[1, 2]`), and a filter of Ansible's name should give Ansible's text.
 */

export class FilterError extends Error {
  override name = 'FilterError';
}

/** Python's repr() of a float (shortest round-trip digits, exponent below 1e-4 and from 1e16). */
function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const [mant, expS] = n.toExponential().split('e');
  const exp = Number(expS);
  // JavaScript writes fixed notation from 1e-7 to 1e21, Python from 1e-4 to 1e16
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** A number as Python prints it: whole numbers as ints (YAML's 1.0 reaches JavaScript as 1 anyway). */
export function pyNumber(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : floatRepr(n);
}

/** Python's repr() of a str: single quotes unless the text holds ' and no ". */
function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** Python's repr(). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return pyStr(v);
}

/** Python's str(): what Jinja prints and what `join`, `string` and `regex_replace` work on. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'object') return pyRepr(v);
  return String(v);
}

/** Python's json.dumps(): `, ` and `: ` between items (`,` once indented), non-ASCII escaped unless ensure_ascii=False. */
export function pyJson(
  v: unknown,
  opts: { indent?: number | null; sortKeys?: boolean; ensureAscii?: boolean } = {},
): string {
  const { indent = null, sortKeys = false, ensureAscii = true } = opts;
  const itemSep = indent === null ? ', ' : ',';
  const str = (s: string): string => {
    let out = '"';
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (ch === '"') out += '\\"';
      else if (ch === '\\') out += '\\\\';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (c < 0x20 || (ensureAscii && c > 0x7e)) {
        // astral characters are written as their UTF-16 surrogate pair, as Python does
        for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
      } else out += ch;
    }
    return `${out}"`;
  };
  const walk = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    if (x === true) return 'true';
    if (x === false) return 'false';
    if (typeof x === 'number')
      return Number.isNaN(x) ? 'NaN' : !Number.isFinite(x) ? (x > 0 ? 'Infinity' : '-Infinity') : pyNumber(x);
    if (typeof x === 'string') return str(x);
    const nl = indent === null ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
    const end = indent === null ? '' : `\n${' '.repeat(indent * depth)}`;
    if (Array.isArray(x))
      return x.length ? `[${nl}${x.map((e) => walk(e, depth + 1)).join(itemSep + nl)}${end}]` : '[]';
    if (typeof x === 'object') {
      let keys = Object.keys(x);
      if (sortKeys) keys = keys.sort();
      if (!keys.length) return '{}';
      return `{${nl}${keys.map((k) => `${str(k)}: ${walk((x as Record<string, unknown>)[k], depth + 1)}`).join(itemSep + nl)}${end}}`;
    }
    throw new FilterError(`Object of type ${typeof x} is not JSON serializable`);
  };
  return walk(v, 0);
}

/** Python's int(str, base): surrounding whitespace, a sign, `_` between digits, a 0x/0o/0b prefix in its own base (or base 0). */
function parsePyInt(s: string, base: number): number | undefined {
  let t = s.trim();
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  const prefix = /^0([xob])/i.exec(t)?.[1]?.toLowerCase();
  const prefixBase = prefix === 'x' ? 16 : prefix === 'o' ? 8 : prefix === 'b' ? 2 : undefined;
  if (prefixBase && (base === prefixBase || base === 0)) {
    t = t.slice(2).replace(/^_/, '');
    base = prefixBase;
  } else if (base === 0) base = 10;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  if (!t || t.startsWith('_') || t.endsWith('_') || t.includes('__')) return undefined;
  let n = 0;
  for (const ch of t.toLowerCase()) {
    if (ch === '_') continue;
    const d = digits.indexOf(ch);
    if (d < 0) return undefined;
    n = n * base + d;
  }
  return sign * n;
}

/** Python's float(str): whitespace, `_` between digits, inf/nan spellings. */
export function parsePyFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** Jinja's `int` filter: int(value, base), else int(float(value)), else the default. */
export function jinjaInt(v: unknown, dflt: unknown = 0, base: unknown = 10): unknown {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : intOfFloat(v);
  if (typeof v === 'string') {
    const n = parsePyInt(v, Number(base));
    if (n !== undefined) return n;
  }
  const f = parsePyFloat(v);
  return f === undefined ? dflt : intOfFloat(f);
}

function intOfFloat(f: number): number {
  if (Number.isNaN(f)) throw new FilterError('cannot convert float NaN to integer');
  if (!Number.isFinite(f)) throw new FilterError('cannot convert float infinity to integer');
  return Math.trunc(f);
}

/** Python's truth value: empty strings, lists and mappings, 0, None and False are false. */
export function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** The Python type name in messages (`got <class 'list'>`). */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python's == for the data YAML gives: True == 1, lists and dicts compared by value. */
export function pyEqual(a: unknown, b: unknown): boolean {
  const num = (x: unknown): unknown => (typeof x === 'boolean' ? Number(x) : x);
  if (num(a) === num(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every(
        (k) => Object.hasOwn(b, k) && pyEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}
