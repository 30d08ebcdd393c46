import { RE2JS } from 're2js';
import { FilterError, pyStr } from './filters-python.js';

/**
 * Ansible's regex filters (regex_replace, regex_search; the match/search tests), on RE2: linear
 * time, so a hostile pattern such as (a+)+$ cannot backtrack for hours. Python's syntax mostly
 * works, named groups `(?P<n>...)` included; backreferences and lookaround inside a pattern do not
 * (they need backtracking). Backreferences in a replacement (`\1`, `\g<name>`) do.
 */

const cache = new Map<string, RE2JS>();

/** A pattern compiled by RE2JS, cached. */
export function regex(re: unknown, opts: { ignorecase?: unknown; multiline?: unknown } = {}): RE2JS {
  const src = pyStr(re);
  const flags = (opts.ignorecase ? RE2JS.CASE_INSENSITIVE : 0) | (opts.multiline ? RE2JS.MULTILINE : 0);
  const key = `${flags}:${src}`;
  let r = cache.get(key);
  if (!r) {
    try {
      r = RE2JS.compile(src, flags);
    } catch (e) {
      throw new FilterError(
        `invalid regular expression "${src}": ${(e as Error).message} (lbprov uses RE2: no backreferences or lookaround)`,
      );
    }
    if (cache.size > 1000) cache.clear();
    cache.set(key, r);
  }
  return r;
}

type Match = { start: number; end: number; group: (g: number | string) => string | null };

/** Every match, as Python's re.sub/re.finditer find them: an empty match right after a non-empty one counts, two empty ones at one place do not. */
function* matches(re: RE2JS, text: string): Generator<Match> {
  const m = re.matcher(text);
  let pos = 0;
  let mustAdvance = false;
  while (pos <= text.length) {
    if (!m.find(pos)) return;
    if (mustAdvance && m.start() === pos && m.end() === pos) {
      // Python's must_advance: no second empty match at the same place; look one character on
      const next = pos + (text.codePointAt(pos)! > 0xffff ? 2 : 1);
      if (next > text.length || !m.find(next)) return;
    }
    const start = m.start();
    const end = m.end();
    const groups = new Map<number | string, string | null>();
    for (let g = 0; g <= m.groupCount(); g++) groups.set(g, m.group(g));
    for (const name of Object.keys(re.namedGroups())) groups.set(name, m.group(name));
    yield { start, end, group: (g) => groups.get(g) ?? null };
    mustAdvance = start === end;
    pos = end;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Expands a Python re.sub replacement: `\1`..`\99`, `\g<n>`, `\g<name>`, `\n` and friends. */
function expand(repl: string, m: Match, re: RE2JS): string {
  let out = '';
  const groupCount = re.groupCount();
  const group = (ref: string): string => {
    const key = /^\d+$/.test(ref) ? Number(ref) : ref;
    if (typeof key === 'number' ? key > groupCount : !Object.hasOwn(re.namedGroups(), key))
      throw new FilterError(typeof key === 'number' ? `invalid group reference ${key}` : `unknown group name '${key}'`);
    return m.group(key) ?? '';
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = repl[i + 1];
    if (n === undefined) throw new FilterError('bad escape (end of pattern)');
    if (n === 'g') {
      const ref = /^<([^>]*)>/.exec(repl.slice(i + 2));
      if (!ref) throw new FilterError('missing < in \\g');
      out += group(ref[1]);
      i += 2 + ref[0].length - 1;
    } else if (/[0-9]/.test(n)) {
      const ref = /^[0-9]{1,2}/.exec(repl.slice(i + 1))![0];
      out += group(ref);
      i += ref.length;
    } else if (Object.hasOwn(ESCAPES, n)) {
      out += ESCAPES[n];
      i++;
    } else if (/[A-Za-z]/.test(n)) {
      throw new FilterError(`bad escape \\${n}`);
    } else {
      out += c + n;
      i++;
    }
  }
  return out;
}

/** regex_replace(value, pattern, replacement, ignorecase=False, multiline=False): Python's re.sub. */
export function regexReplace(
  value: unknown,
  pattern: unknown,
  replacement: unknown,
  opts: { ignorecase?: unknown; multiline?: unknown },
): string {
  const text = pyStr(value);
  const re = regex(pattern, opts);
  const repl = pyStr(replacement);
  let out = '';
  let last = 0;
  for (const m of matches(re, text)) {
    out += text.slice(last, m.start) + expand(repl, m, re);
    last = m.end;
  }
  return out + text.slice(last);
}

/** regex_search(value, regex, '\\1', '\\g<name>', ..., ignorecase, multiline): the match, the listed groups, or None. */
export function regexSearch(
  value: unknown,
  pattern: unknown,
  groups: unknown[],
  opts: { ignorecase?: unknown; multiline?: unknown },
): unknown {
  const refs = groups.map((g) => {
    const s = pyStr(g);
    const named = /^\\g<(\S+)>/.exec(s);
    if (named) return /^\d+$/.test(named[1]) ? Number(named[1]) : named[1];
    const num = /^\\(\d+)/.exec(s);
    if (num) return Number(num[1]);
    throw new FilterError('Unknown argument');
  });
  const re = regex(pattern, opts);
  const first = matches(re, pyStr(value)).next();
  if (first.done) return null;
  if (!refs.length) return first.value.group(0);
  return refs.map((r) => {
    if (typeof r === 'number' ? r > re.groupCount() : !Object.hasOwn(re.namedGroups(), r))
      throw new FilterError('no such group');
    return first.value.group(r);
  });
}

/** The `match` and `search` tests: the pattern at the start, or anywhere. */
export function regexTest(
  value: unknown,
  pattern: unknown,
  anchored: boolean,
  opts: { ignorecase?: unknown; multiline?: unknown } = {},
): boolean {
  const m = regex(pattern, opts).matcher(pyStr(value));
  return anchored ? m.lookingAt() : m.find();
}
