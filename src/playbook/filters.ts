import { compareVersions } from 'compare-versions';
import {
  combine,
  dict2items,
  first,
  items2dict,
  iterate,
  last,
  length,
  sort,
  UndefinedValue,
  unique,
} from './filters-data.js';
import { ipaddr } from './filters-net.js';
import { FilterError, jinjaInt, parsePyFloat, pyJson, pyStr, pyTruthy } from './filters-python.js';
import { regexReplace, regexSearch, regexTest } from './filters-regex.js';
import { b64decode, b64encode, basename, dirname, fromYaml, quote, split, toYaml } from './filters-text.js';

export { FilterError, UndefinedValue };

/**
 * The one set of functions behind templates (`{{to_json x}}`, Handlebars helpers) and expressions
 * (`x | to_json`, `to_json(x)` in `when` and friends): each is defined once here, under Ansible's
 * name, with Ansible's parameters (positional or by keyword) and defaults, so a value computes the
 * same either way and the same as in Ansible.
 */

type Args = Record<string, unknown>;

export interface FilterDef {
  /** One line for the README and for "unknown function" messages. */
  doc: string;
  /** Parameters after the value, in order, with their defaults (`undefined`: required). */
  params?: Array<[string, unknown]>;
  /** Parameters only given by keyword (after `*args`, as in Python). */
  keywords?: Array<[string, unknown]>;
  /** Further positional arguments are collected (combine's mappings, regex_search's groups). */
  rest?: boolean;
  /** The value may be undefined (`default`): for the others an undefined value is an error. */
  undefinedOk?: boolean;
  fn: (value: unknown, a: Args, rest: unknown[]) => unknown;
}

const VERSION_OPS: Record<string, (c: number) => boolean> = {
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  ne: (c) => c !== 0,
};

/** The numeric release prefix: `6.8.0-1012-aws` -> `6.8.0`, `5.14.0-427.el9` -> `5.14.0`. */
export function numericVersion(v: unknown): string {
  const m = /^\d+(\.\d+)*/.exec(String(v).trim());
  if (!m) throw new FilterError(`"${String(v)}" is not a version`);
  return m[0];
}

/** version(a, '>=', b): compares numeric release prefixes, never strings. */
export function versionCompare(a: unknown, op: string, b: unknown): boolean {
  const test = Object.hasOwn(VERSION_OPS, op) ? VERSION_OPS[op] : undefined;
  if (!test) throw new FilterError(`version(): unknown operator "${op}"`);
  return test(compareVersions(numericVersion(a), numericVersion(b)));
}

/** Jinja's `bool` as Ansible defines it: yes/on/1/true (any case) and 1 are true, None stays None, the rest false. */
function toBool(v: unknown): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true'].includes(v.toLowerCase());
  return v === 1;
}

const numbers = (v: unknown, f: string): number[] =>
  iterate(v, f).map((x) => (typeof x === 'boolean' ? Number(x) : (x as number)));
const jsonOpts = (a: Args): { indent: number | null; sortKeys: boolean; ensureAscii: boolean } => ({
  indent: a.indent === null || a.indent === undefined ? null : Number(a.indent),
  sortKeys: Boolean(a.sort_keys),
  ensureAscii: a.ensure_ascii !== false,
});

export const FILTERS: Record<string, FilterDef> = {
  default: {
    doc: 'the value, or default_value when it is undefined (or, with boolean=true, also when empty/false/0/None)',
    params: [
      ['default_value', ''],
      ['boolean', false],
    ],
    undefinedOk: true,
    fn: (v, a) => (v === undefined || (a.boolean && !pyTruthy(v)) ? a.default_value : v),
  },
  to_json: {
    doc: 'JSON as Python writes it (`{"a": 1}`); indent, sort_keys, ensure_ascii',
    params: [
      ['indent', null],
      ['sort_keys', false],
      ['ensure_ascii', true],
    ],
    fn: (v, a) => pyJson(v, jsonOpts(a)),
  },
  to_nice_json: {
    doc: 'indented JSON, keys sorted (indent=4, sort_keys=true)',
    params: [
      ['indent', 4],
      ['sort_keys', true],
      ['ensure_ascii', true],
    ],
    fn: (v, a) => pyJson(v, jsonOpts(a)),
  },
  from_json: {
    doc: 'the data in a JSON text',
    fn: (v) => {
      try {
        return JSON.parse(pyStr(v)) as unknown;
      } catch (e) {
        throw new FilterError(`from_json: ${(e as Error).message}`);
      }
    },
  },
  to_yaml: {
    doc: 'YAML, keys sorted, collections of scalars inline',
    params: [
      ['indent', 2],
      ['sort_keys', true],
      ['default_flow_style', null],
      ['width', 80],
    ],
    fn: (v, a) =>
      toYaml(v, { indent: a.indent, sortKeys: a.sort_keys, flowStyle: a.default_flow_style, width: a.width }),
  },
  to_nice_yaml: {
    doc: 'block-style YAML, indent 4',
    params: [
      ['indent', 4],
      ['sort_keys', true],
      ['width', 80],
    ],
    fn: (v, a) => toYaml(v, { indent: a.indent, sortKeys: a.sort_keys, flowStyle: false, width: a.width }),
  },
  from_yaml: { doc: 'the data in a YAML text', fn: (v) => fromYaml(v) },
  b64encode: {
    doc: 'base64 of the text (encoding utf-8)',
    params: [['encoding', 'utf-8']],
    fn: (v, a) => b64encode(v, a.encoding),
  },
  b64decode: {
    doc: 'the text in base64 (encoding utf-8)',
    params: [['encoding', 'utf-8']],
    fn: (v, a) => b64decode(v, a.encoding),
  },
  regex_replace: {
    doc: "Python's re.sub: pattern, replacement (\\1, \\g<name>), ignorecase, multiline",
    params: [
      ['pattern', ''],
      ['replacement', ''],
      ['ignorecase', false],
      ['multiline', false],
    ],
    fn: (v, a) => regexReplace(v, a.pattern, a.replacement, a),
  },
  regex_search: {
    doc: "the first match (or the groups named by '\\1', '\\g<name>'), None if none; ignorecase, multiline",
    params: [['regex', undefined]],
    rest: true,
    keywords: [
      ['ignorecase', false],
      ['multiline', false],
    ],
    fn: (v, a, rest) => regexSearch(v, a.regex, rest, a),
  },
  match: {
    doc: 'whether the pattern matches at the start (the Ansible test)',
    params: [
      ['pattern', undefined],
      ['ignorecase', false],
      ['multiline', false],
    ],
    fn: (v, a) => regexTest(v, a.pattern, true, a),
  },
  search: {
    doc: 'whether the pattern matches anywhere (the Ansible test)',
    params: [
      ['pattern', undefined],
      ['ignorecase', false],
      ['multiline', false],
    ],
    fn: (v, a) => regexTest(v, a.pattern, false, a),
  },
  basename: { doc: "the path's last component (os.path.basename)", fn: (v) => basename(v) },
  dirname: { doc: "the path's directory (os.path.dirname)", fn: (v) => dirname(v) },
  bool: { doc: 'yes/on/1/true are true, the rest false', fn: (v) => toBool(v) },
  int: {
    doc: 'an integer ("42", "42.9", "0x1A" with base=16), else default (0)',
    params: [
      ['default', 0],
      ['base', 10],
    ],
    fn: (v, a) => jinjaInt(v, a.default, a.base),
  },
  float: { doc: 'a number, else default (0.0)', params: [['default', 0]], fn: (v, a) => parsePyFloat(v) ?? a.default },
  string: { doc: "the value as Python's str() writes it", fn: (v) => pyStr(v) },
  length: { doc: 'items of a list or mapping, characters of a text', fn: (v) => length(v) },
  count: { doc: 'the same as length', fn: (v) => length(v) },
  first: { doc: 'the first item (a mapping: its first key)', fn: (v) => first(v) },
  last: { doc: 'the last item', fn: (v) => last(v) },
  unique: {
    doc: 'items without repeats, in order (case-insensitive unless case_sensitive=true)',
    params: [
      ['case_sensitive', false],
      ['attribute', null],
    ],
    fn: (v, a) => unique(v, a.case_sensitive, a.attribute),
  },
  sort: {
    doc: 'sorted items: reverse, case_sensitive, attribute',
    params: [
      ['reverse', false],
      ['case_sensitive', false],
      ['attribute', null],
    ],
    fn: (v, a) => sort(v, a.reverse, a.case_sensitive, a.attribute),
  },
  dict2items: {
    doc: 'a mapping as a list of {key, value} (key_name, value_name)',
    params: [
      ['key_name', 'key'],
      ['value_name', 'value'],
    ],
    fn: (v, a) => dict2items(v, a.key_name, a.value_name),
  },
  items2dict: {
    doc: 'a list of {key, value} as a mapping (key_name, value_name)',
    params: [
      ['key_name', 'key'],
      ['value_name', 'value'],
    ],
    fn: (v, a) => items2dict(v, a.key_name, a.value_name),
  },
  combine: {
    doc: 'mappings merged, later ones win: recursive, list_merge',
    rest: true,
    keywords: [
      ['recursive', false],
      ['list_merge', 'replace'],
    ],
    fn: (v, a, rest) => combine([v, ...rest], a.recursive, a.list_merge),
  },
  ipaddr: {
    doc: "the value if it is an IP address or network, else false; query 'address', 'network', 'netmask', 'prefix', 'broadcast', 'network/prefix', 'host', 'size', 'version', or a network to test membership",
    params: [['query', '']],
    fn: (v, a) => ipaddr(v, a.query),
  },
  ipv4: { doc: 'ipaddr for IPv4 only', params: [['query', '']], fn: (v, a) => ipaddr(v, a.query, 4) },
  ipv6: { doc: 'ipaddr for IPv6 only', params: [['query', '']], fn: (v, a) => ipaddr(v, a.query, 6) },
  ternary: {
    doc: 'true_val if the value is true, else false_val (none_val for None when given)',
    params: [
      ['true_val', undefined],
      ['false_val', undefined],
      ['none_val', null],
    ],
    fn: (v, a) => (v === null && a.none_val !== null ? a.none_val : pyTruthy(v) ? a.true_val : a.false_val),
  },
  quote: { doc: 'the text quoted for a shell (shlex.quote)', fn: (v) => quote(v) },
  join: {
    doc: 'the items joined by d (default "")',
    params: [
      ['d', ''],
      ['attribute', null],
    ],
    fn: (v, a) =>
      (Array.isArray(v)
        ? (v as unknown[]).map((x) => (a.attribute == null ? x : (x as Args)?.[pyStr(a.attribute)]))
        : iterate(v, 'join')
      )
        .map(pyStr)
        .join(pyStr(a.d)),
  },
  split: {
    doc: 'str.split: on whitespace, or on sep',
    params: [
      ['sep', null],
      ['maxsplit', -1],
    ],
    fn: (v, a) => split(v, a.sep, a.maxsplit),
  },
  lower: { doc: 'lower case', fn: (v) => pyStr(v).toLowerCase() },
  upper: { doc: 'upper case', fn: (v) => pyStr(v).toUpperCase() },
  trim: { doc: 'without leading and trailing whitespace', fn: (v) => pyStr(v).trim() },
  contains: {
    doc: 'whether a list holds the item, or a text the substring',
    params: [['item', undefined]],
    fn: (v, a) => (Array.isArray(v) ? v.includes(a.item) : pyStr(v).includes(pyStr(a.item))),
  },
  startswith: {
    doc: 'whether the text starts with prefix',
    params: [['prefix', undefined]],
    fn: (v, a) => pyStr(v).startsWith(pyStr(a.prefix)),
  },
  endswith: {
    doc: 'whether the text ends with suffix',
    params: [['suffix', undefined]],
    fn: (v, a) => pyStr(v).endsWith(pyStr(a.suffix)),
  },
  keys: { doc: "a mapping's keys", fn: (v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []) },
  min: { doc: 'the smallest item', fn: (v) => Math.min(...numbers(v, 'min')) },
  max: { doc: 'the largest item', fn: (v) => Math.max(...numbers(v, 'max')) },
  sum: {
    doc: 'the sum of the items',
    params: [
      ['attribute', null],
      ['start', 0],
    ],
    fn: (v, a) => numbers(v, 'sum').reduce((s, x) => s + Number(x), Number(a.start)),
  },
  version: {
    doc: "version(a, '>=', b): compares release numbers (6.8.0-1012-aws >= 5.11)",
    params: [
      ['op', undefined],
      ['other', undefined],
    ],
    fn: (v, a) => versionCompare(v, pyStr(a.op), a.other),
  },
  // lbprov's template helpers from before the Ansible names; kept so existing templates render the same
  json: { doc: 'compact JSON (JSON.stringify)', fn: (v) => JSON.stringify(v) },
  eq: { doc: 'a === b', params: [['other', undefined]], fn: (v, a) => v === a.other },
  ne: { doc: 'a !== b', params: [['other', undefined]], fn: (v, a) => v !== a.other },
  not: { doc: 'the negation', fn: (v) => !pyTruthy(v) },
  add: { doc: 'a + b as numbers', params: [['other', undefined]], fn: (v, a) => Number(v) + Number(a.other) },
  octal: { doc: 'a number in octal (file modes)', fn: (v) => (typeof v === 'number' ? v.toString(8) : pyStr(v)) },
};
FILTERS.d = FILTERS.default;

export const FILTER_NAMES = Object.keys(FILTERS);

export function hasFilter(name: string): boolean {
  return Object.hasOwn(FILTERS, name);
}

/**
 * Calls a filter as Python would: positional arguments fill its parameters in order, keywords by
 * name, the rest from the defaults; too many, unknown or missing ones are errors.
 */
export function callFilter(name: string, value: unknown, args: unknown[], kw: Args = {}): unknown {
  const def = hasFilter(name) ? FILTERS[name] : undefined;
  if (!def) throw new FilterError(`unknown function "${name}" (known: ${FILTER_NAMES.join(', ')})`);
  if (value === undefined && !def.undefinedOk) throw new UndefinedValue(`${name}: the value is undefined`);
  const params = def.params ?? [];
  if (args.length > params.length && !def.rest)
    throw new FilterError(
      `${name}() takes ${params.length ? `at most ${params.length} argument${params.length > 1 ? 's' : ''}` : 'no arguments'} after the value (${args.length} given)`,
    );
  const a: Args = {};
  params.forEach(([p, d], i) => (a[p] = i < args.length ? args[i] : d));
  for (const [p, d] of def.keywords ?? []) a[p] = d;
  const names = new Set([...params, ...(def.keywords ?? [])].map(([p]) => p));
  for (const [k, v] of Object.entries(kw)) {
    if (!names.has(k)) throw new FilterError(`${name}() got an unexpected keyword argument '${k}'`);
    if (params.findIndex(([p]) => p === k) < args.length && params.some(([p]) => p === k))
      throw new FilterError(`${name}() got multiple values for argument '${k}'`);
    a[k] = v;
  }
  const given = new Set([...params.slice(0, args.length).map(([p]) => p), ...Object.keys(kw)]);
  for (const [p, d] of params)
    if (d === undefined && !given.has(p)) throw new FilterError(`${name}() missing required argument: '${p}'`);
  for (const [k, v] of [
    ...Object.entries(a),
    ...args.slice(params.length).map((x, i): [string, unknown] => [String(params.length + i + 1), x]),
  ]) {
    if (v === undefined) throw new UndefinedValue(`${name}: argument ${k} is undefined`);
  }
  return def.fn(value, a, args.slice(params.length));
}
