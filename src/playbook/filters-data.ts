import { FilterError, pyEqual, pyRepr, pyStr, pyType } from './filters-python.js';

/**
 * Ansible's and Jinja's filters over lists and mappings, with their quirks kept: `unique` and
 * `sort` ignore case unless told otherwise, `first`/`last` of a mapping are its keys, `combine`
 * merges left to right and takes a list of mappings too.
 */

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Thrown for a value Jinja would leave undefined (`[] | first`): `default` replaces it, anything else reports it. */
export class UndefinedValue extends FilterError {
  override name = 'UndefinedValue';
}

/** What Jinja iterates: a list's items, a string's characters, a mapping's keys. */
export function iterate(v: unknown, filter: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  throw new FilterError(`${filter}: '${pyType(v)}' object is not iterable`);
}

export function length(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  throw new FilterError(`object of type '${pyType(v)}' has no len()`);
}

export function first(v: unknown): unknown {
  const items = iterate(v, 'first');
  if (!items.length) throw new UndefinedValue('No first item, sequence was empty.');
  return items[0];
}

export function last(v: unknown): unknown {
  const items = iterate(v, 'last');
  if (!items.length) throw new UndefinedValue('No last item, sequence was empty.');
  return items[items.length - 1];
}

/** Jinja's comparison key: strings lowered unless case_sensitive, booleans as the numbers Python sees. */
function sortKey(v: unknown, caseSensitive: boolean, attribute: unknown): unknown {
  let x = v;
  if (attribute !== undefined && attribute !== null) {
    for (const part of pyStr(attribute).split('.')) {
      if (isDict(x) && Object.hasOwn(x, part)) x = x[part];
      else if (Array.isArray(x) && /^\d+$/.test(part)) x = x[Number(part)];
      else throw new FilterError(`'${pyType(x)}' object has no attribute '${part}'`);
    }
  }
  if (typeof x === 'string' && !caseSensitive) return x.toLowerCase();
  if (typeof x === 'boolean') return Number(x);
  return x;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  throw new FilterError(`'<' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`);
}

/** Jinja's sort(reverse=False, case_sensitive=False, attribute=None): stable, like Python's. */
export function sort(v: unknown, reverse: unknown, caseSensitive: unknown, attribute: unknown): unknown[] {
  const items = iterate(v, 'sort').map((x, i) => ({ x, i, k: sortKey(x, Boolean(caseSensitive), attribute) }));
  items.sort((a, b) => (reverse ? compare(b.k, a.k) : compare(a.k, b.k)) || a.i - b.i);
  return items.map((e) => e.x);
}

/** Jinja's unique (Ansible passes case_sensitive=False unless told): the first of each equal group, in order. */
export function unique(v: unknown, caseSensitive: unknown, attribute: unknown): unknown[] {
  const out: unknown[] = [];
  const keys: unknown[] = [];
  for (const x of iterate(v, 'unique')) {
    const k = sortKey(x, Boolean(caseSensitive), attribute);
    if (!keys.some((seen) => pyEqual(seen, k))) {
      keys.push(k);
      out.push(x);
    }
  }
  return out;
}

export function dict2items(v: unknown, keyName: unknown, valueName: unknown): Dict[] {
  if (!isDict(v)) throw new FilterError(`dict2items requires a dictionary, got <class '${pyType(v)}'> instead.`);
  return Object.entries(v).map(([k, x]) => ({ [pyStr(keyName)]: k, [pyStr(valueName)]: x }));
}

export function items2dict(v: unknown, keyName: unknown, valueName: unknown): Dict {
  if (!Array.isArray(v)) throw new FilterError(`items2dict requires a list, got <class '${pyType(v)}'> instead.`);
  const out: Dict = {};
  const k = pyStr(keyName);
  const val = pyStr(valueName);
  for (const item of v) {
    if (!isDict(item)) throw new FilterError(`items2dict requires a list of dictionaries, got ${pyRepr(v)} instead.`);
    if (!Object.hasOwn(item, k) || !Object.hasOwn(item, val))
      throw new FilterError(
        `items2dict requires each dictionary in the list to contain the keys '${k}' and '${val}', got ${pyRepr(v)} instead.`,
      );
    out[pyStr(item[k])] = item[val];
  }
  return out;
}

const LIST_MERGE = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'];

/** Ansible's merge_hash: y's keys win over x's; sub-mappings merged when recursive, lists as list_merge says. */
function mergeHash(x: Dict, y: Dict, recursive: boolean, listMerge: string): Dict {
  const out: Dict = { ...x };
  for (const [k, yv] of Object.entries(y)) {
    if (!Object.hasOwn(out, k)) {
      out[k] = yv;
      continue;
    }
    const xv = out[k];
    if (isDict(xv) && isDict(yv)) out[k] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    else if (Array.isArray(xv) && Array.isArray(yv)) {
      const [xl, yl] = [xv as unknown[], yv as unknown[]];
      if (listMerge === 'replace') out[k] = yv;
      else if (listMerge === 'append') out[k] = [...xl, ...yl];
      else if (listMerge === 'prepend') out[k] = [...yl, ...xl];
      else if (listMerge === 'append_rp') out[k] = [...xl.filter((z) => !yl.some((w) => pyEqual(w, z))), ...yl];
      else if (listMerge === 'prepend_rp') out[k] = [...yl, ...xl.filter((z) => !yl.some((w) => pyEqual(w, z)))];
      // 'keep': x's list stays
    } else out[k] = yv;
  }
  return out;
}

/** combine(*dicts, recursive=False, list_merge='replace'); `[d1, d2] | combine` works too. */
export function combine(terms: unknown[], recursive: unknown, listMerge: unknown): Dict {
  const dicts = terms.flatMap((t): unknown[] => (Array.isArray(t) ? (t as unknown[]) : [t]));
  const mode = pyStr(listMerge);
  if (!LIST_MERGE.includes(mode))
    throw new FilterError(
      `merge_hash: 'list_merge' argument can only be equal to ${LIST_MERGE.map((m) => `'${m}'`)
        .join(', ')
        .replace(/, ('[^']+')$/, ' or $1')}`,
    );
  if (!dicts.length) return {};
  for (let i = 1; i < dicts.length; i++) {
    const [a, b] = [dicts[i - 1], dicts[i]];
    if (!isDict(a) || !isDict(b))
      throw new FilterError(
        `failed to combine variables, expected dicts but got a '${pyType(a)}' and a '${pyType(b)}'`,
      );
  }
  if (dicts.length === 1) return dicts[0] as Dict;
  return (dicts as Dict[]).reduce((acc, d) => mergeHash(acc, d, Boolean(recursive), mode));
}
