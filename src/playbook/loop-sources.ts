import { existsSync, opendirSync, statSync } from 'node:fs';
import { dirname, basename, isAbsolute, join } from 'node:path';
import { pyRepr, pyStr } from './filters-python.js';
import type { LoopLookup } from './loop-keys.js';

/**
 * The items of a `with_<lookup>` loop, computed as Ansible 2.14's lookup plugins compute them
 * (plugins/lookup/<name>.py) from the already templated terms. Errors carry Ansible's messages.
 */

export class LoopError extends Error {}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * listify_lookup_plugin_terms after templating: a string or a scalar is a list of one; a list or
 * a mapping stays what it is (a mapping is iterated by its keys, as Python iterates a dict).
 */
export function listify(terms: unknown): unknown[] | Dict {
  if (Array.isArray(terms) || isDict(terms)) return terms;
  return [terms];
}

/** Python's `for x in v`: a list's items, a dict's keys, a string's characters. */
function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  throw new LoopError(`'${pyTypeName(v)}' object is not iterable`);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return typeof v;
}

/** LookupBase._flatten: one level, lists spliced in. */
function flatten(terms: unknown): unknown[] {
  const out: unknown[] = [];
  for (const t of pyIter(terms))
    if (Array.isArray(t)) out.push(...(t as unknown[]));
    else out.push(t);
  return out;
}

export interface LookupEnv {
  /** Where relative fileglob patterns are looked for (Ansible's ansible_search_path): a role's folder first, then the playbook's. */
  searchPath: readonly string[];
}

/** Runs one lookup over its templated terms. */
export function runLookup(name: LoopLookup, terms: unknown[] | Dict, env: LookupEnv): unknown[] {
  switch (name) {
    case 'items':
      return flatten(terms);
    case 'list':
      if (!Array.isArray(terms)) throw new LoopError('with_list expects a list');
      return terms;
    case 'dict': {
      const out: unknown[] = [];
      for (const t of Array.isArray(terms) ? terms : [terms]) {
        if (!isDict(t)) throw new LoopError('with_dict expects a dict');
        for (const [key, value] of Object.entries(t)) out.push({ key, value });
      }
      return out;
    }
    case 'indexed_items': {
      if (!Array.isArray(terms)) throw new LoopError('with_indexed_items expects a list');
      return flatten(terms).map((x, i) => [i, x]);
    }
    case 'together': {
      const lists = pyIter(terms).map((x) => pyIter(listify(x)));
      if (!lists.length) throw new LoopError('with_together requires at least one element in each list');
      const n = Math.max(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => flatten(lists.map((l) => (i < l.length ? l[i] : null))));
    }
    case 'nested': {
      const lists = pyIter(terms).map((x) => pyIter(listify(x)));
      if (!lists.length) throw new LoopError('with_nested requires at least one element in the nested list');
      let result: unknown[] = lists[0];
      for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flatten([x, y])));
      return result.map(flatten);
    }
    case 'subelements':
      return subelements(terms);
    case 'sequence':
      return pyIter(terms).flatMap(sequence);
    case 'fileglob':
      return pyIter(terms).flatMap((t) => fileglob(pyStr(t), env.searchPath));
  }
}

// ---------------------------------------------------------------------------- subelements

function subelements(termsIn: unknown[] | Dict): unknown[] {
  const fail = (msg = ''): never => {
    throw new LoopError(`subelements lookup expects a list of two or three items, ${msg}`);
  };
  if (!Array.isArray(termsIn)) return fail();
  // the lookup pops the sub-list out of each element: work on a copy, never on the variable
  const terms = structuredClone(termsIn);
  terms[0] = listify(terms[0]);
  if (terms.length < 2 || terms.length > 3) fail();
  if (typeof terms[1] !== 'string') fail('first a dict or a list, second a string pointing to the subkey');
  const path = (terms[1] as string).split('.');
  let elements: unknown[];
  if (isDict(terms[0])) {
    if ((terms[0].skipped ?? false) !== false) return [];
    elements = Object.values(terms[0]);
  } else elements = terms[0] as unknown[];
  const flags = terms.length === 3 ? terms[2] : {};
  if (!isDict(flags) || Object.keys(flags).some((k) => k !== 'skip_missing'))
    fail("the optional third item must be a dict with flags ['skip_missing']");
  const skipMissing = [true, 'yes', 'true', 'on', '1', 1].includes(
    typeof (flags as Dict).skip_missing === 'string'
      ? ((flags as Dict).skip_missing as string).toLowerCase()
      : ((flags as Dict).skip_missing as never),
  );
  const out: unknown[] = [];
  for (const item0 of elements) {
    if (!isDict(item0)) throw new LoopError(`subelements lookup expects a dictionary, got '${pyStr(item0)}'`);
    if ((item0.skipped ?? false) !== false) continue;
    let sub: Dict = item0;
    let list: unknown[] = [];
    for (const [i, key] of path.entries()) {
      const last = i === path.length - 1;
      if (!Object.hasOwn(sub, key)) {
        if (skipMissing) continue;
        throw new LoopError(`could not find '${key}' key in iterated item '${pyStr(sub)}'`);
      }
      if (!last) {
        if (!isDict(sub[key])) {
          if (skipMissing) continue;
          throw new LoopError(`the key ${key} should point to a dictionary, got '${pyStr(sub[key])}'`);
        }
        sub = sub[key];
      } else {
        if (!Array.isArray(sub[key]))
          throw new LoopError(`the key ${key} should point to a list, got '${pyStr(sub[key])}'`);
        list = sub[key] as unknown[];
        delete sub[key];
      }
    }
    for (const item1 of list) out.push([item0, item1]);
  }
  return out;
}

// ---------------------------------------------------------------------------- sequence

const SHORTCUT = /^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(\/(0?x?[0-9a-f]+))?(:(.+))?$/is;

/** Python's int(s, 0): decimal without leading zeros, 0x / 0o / 0b prefixes, a sign, underscores between digits. */
export function pyInt0(s: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0(?:_?0)*)\s*$/.exec(
    s,
  );
  if (!m) return undefined;
  const body = m[2].replace(/_/g, '');
  const n = /^0[xob]/i.test(body) ? Number(body.toLowerCase()) : Number(body);
  return m[1] === '-' ? -n : n;
}

/** Ansible's parse_kv, enough for a sequence's `k=v` words (quotes kept together; a word without `=` is _raw_params). */
function parseKv(s: string): Dict {
  const out: Dict = {};
  const raw: string[] = [];
  for (const m of s.matchAll(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g)) {
    const w = m[0];
    const eq = /^([A-Za-z_]\w*)=(.*)$/s.exec(w);
    if (eq) out[eq[1]] = eq[2].replace(/^(["'])(.*)\1$/s, '$2');
    else raw.push(w);
  }
  if (raw.length) out._raw_params = raw.join(' ');
  return out;
}

/** One with_sequence term: the shortcut `[start-]end[/stride][:format]` or `start= end= count= stride= format=`. */
export function sequence(term: unknown): string[] {
  if (typeof term !== 'string')
    throw new LoopError(
      `unknown error parsing with_sequence arguments: ${pyRepr(term)}. Error was: expected string or bytes-like object, got '${pyTypeName(term)}'`,
    );
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const int = (name: string, v: string): number => {
    const n = pyInt0(v);
    if (n === undefined) throw new LoopError(`can't parse ${name}=${v} as integer`);
    return n;
  };
  const m = SHORTCUT.exec(term);
  if (m) {
    if (m[2] !== undefined) start = int('start', m[2]);
    end = int('end', m[3]);
    if (m[5] !== undefined) stride = int('stride', m[5]);
    if (m[7] !== undefined) format = m[7];
  } else {
    const args = parseKv(term);
    for (const k of ['start', 'end', 'count', 'stride'] as const) {
      if (args[k] === undefined) continue;
      const n = int(k, String(args[k]));
      delete args[k];
      if (k === 'start') start = n;
      else if (k === 'end') end = n;
      else if (k === 'count') count = n;
      else stride = n;
    }
    if (args.format !== undefined) {
      format = String(args.format);
      delete args.format;
    }
    if (Object.keys(args).length)
      throw new LoopError(`unrecognized arguments to with_sequence: ${pyRepr(Object.keys(args))}`);
  }
  if (count === undefined && end === undefined) throw new LoopError('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined)
    throw new LoopError("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1;
    else start = end = stride = 0;
  }
  const last = end!;
  if (stride > 0 && last < start) throw new LoopError('to count backwards make stride negative');
  if (stride < 0 && last > start) throw new LoopError("to count forward don't make stride negative");
  if ((format.match(/%/g) ?? []).length !== 1) throw new LoopError(`bad formatting string: ${format}`);
  if (stride === 0) return [];
  const out: string[] = [];
  const stop = last + (stride >= 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(pyPercent(format, i));
  return out;
}

/** Python's `format % n` for a format holding exactly one conversion. */
export function pyPercent(format: string, n: number): string {
  const m = /%([-+ 0#]*)(\d*)(?:\.(\d+))?([diouxXeEfFgGsrc])/.exec(format);
  if (!m) throw new LoopError(`problem formatting ${n} with ${pyRepr(format)}`);
  const [whole, flags, widthS, precS, conv] = m;
  const prec = precS === undefined ? undefined : Number(precS);
  const neg = n < 0;
  const a = Math.abs(n);
  let body: string;
  let prefix = '';
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
      body = String(a);
      if (prec !== undefined) body = body.padStart(prec, '0');
      break;
    case 'o':
      body = a.toString(8);
      if (flags.includes('#')) prefix = '0o';
      break;
    case 'x':
    case 'X':
      body = a.toString(16);
      if (flags.includes('#')) prefix = '0x';
      if (conv === 'X') {
        body = body.toUpperCase();
        prefix = prefix.toUpperCase();
      }
      if (prec !== undefined) body = body.padStart(prec, '0');
      break;
    case 'e':
    case 'E':
      body = a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      if (conv === 'E') body = body.toUpperCase();
      break;
    case 'f':
    case 'F':
      body = a.toFixed(prec ?? 6);
      break;
    case 'g':
    case 'G':
      body = String(a);
      break;
    case 'c':
      return format.replace(whole, String.fromCodePoint(n));
    default:
      // %s and %r of an int are its digits
      body = String(a);
  }
  const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const width = widthS ? Number(widthS) : 0;
  let s = sign + prefix + body;
  if (s.length < width) {
    if (flags.includes('-')) s = s.padEnd(width);
    else if (flags.includes('0') && conv !== 's' && conv !== 'r')
      s = sign + prefix + body.padStart(width - sign.length - prefix.length, '0');
    else s = s.padStart(width);
  }
  return format.replace(whole, () => s);
}

// ---------------------------------------------------------------------------- fileglob

/** Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; the whole name must match. */
export function fnmatchRegex(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) re += '\\[';
      else {
        let set = pat.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        else if (set.startsWith('^')) set = `\\${set}`;
        re += `[${set}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

const hasMagic = (s: string): boolean => /[*?[]/.test(s);

/** glob.glob(dir/pattern) for a pattern in the last segment only, in the directory's own order as Python's os.scandir lists it. */
function globDir(dir: string, pattern: string): string[] {
  if (!hasMagic(pattern)) {
    const p = join(dir, pattern);
    return existsSync(p) ? [p] : [];
  }
  let d;
  try {
    d = opendirSync(dir);
  } catch {
    return [];
  }
  const re = fnmatchRegex(pattern);
  const out: string[] = [];
  try {
    for (let e = d.readSync(); e; e = d.readSync()) {
      // glob leaves out hidden names unless the pattern itself starts with a dot
      if (e.name.startsWith('.') && !pattern.startsWith('.')) continue;
      if (re.test(e.name)) out.push(join(dir, e.name));
    }
  } finally {
    try {
      d.closeSync();
    } catch {
      /* closed */
    }
  }
  return out;
}

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * One with_fileglob term, on the controller: a bare pattern is tried in `files/` and then the
 * folder itself of each search path entry, the first with matches wins; a pattern with a folder
 * looks for that folder (absolute, or under `files/` or the folder of a search path entry).
 */
export function fileglob(term: string, searchPath: readonly string[]): string[] {
  const file = basename(term);
  const candidates: string[] = [];
  if (file !== term) {
    const dir = dirname(term);
    const found = isAbsolute(dir)
      ? [dir]
      : searchPath
          .flatMap((p) => [join(p, 'files', dir), join(p, dir)])
          .filter(isDir)
          .slice(0, 1);
    candidates.push(...found);
  } else for (const p of searchPath) candidates.push(join(p, 'files'), p);
  for (const dir of candidates) {
    const found = globDir(dir, file).filter(isFile);
    if (found.length) return found;
  }
  return [];
}
