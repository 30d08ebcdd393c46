import { globMatcher } from './glob.js';
import type { Inventory } from './types.js';

/**
 * Ansible host patterns: `a:b` or `a,b` union, `a:&b` intersection, `a:!b` exclusion, `*` globs,
 * `all`. Unions are taken first, then intersections, then exclusions, whatever their order.
 * Returns host names in inventory order; `unmatched` lists terms that named nothing.
 */
export function matchHosts(inv: Inventory, pattern: string): { hosts: string[]; unmatched: string[] } {
  const terms = splitPattern(pattern);
  const unmatched: string[] = [];
  const union = new Set<string>();
  const intersections: Set<string>[] = [];
  const exclusions = new Set<string>();
  for (const term of terms) {
    const op = term[0] === '&' || term[0] === '!' ? term[0] : '';
    const name = op ? term.slice(1) : term;
    const found = termHosts(inv, name);
    if (!found.size) unmatched.push(name);
    if (op === '&') intersections.push(found);
    else if (op === '!') found.forEach((h) => exclusions.add(h));
    else found.forEach((h) => union.add(h));
  }
  const hosts = [...inv.hosts.keys()].filter(
    (h) => union.has(h) && intersections.every((s) => s.has(h)) && !exclusions.has(h),
  );
  return { hosts, unmatched };
}

function splitPattern(pattern: string): string[] {
  // `:` separates terms except inside brackets (a `[1:3]` range); commas always do. A bare IPv6
  // address is split at its colons like any term.
  const out: string[] = [];
  for (const part of pattern.split(',')) {
    let depth = 0;
    let cur = '';
    for (const ch of part.trim()) {
      if (ch === '[') depth++;
      if (ch === ']') depth--;
      if (ch === ':' && depth === 0) {
        if (cur) out.push(cur);
        cur = '';
      } else cur += ch;
    }
    if (cur) out.push(cur);
  }
  return out;
}

function termHosts(inv: Inventory, name: string): Set<string> {
  if (name === 'all' || name === '*') return new Set(inv.hosts.keys());
  const group = inv.groups.get(name);
  if (group) return new Set(group);
  if (inv.hosts.has(name)) return new Set([name]);
  if (/[*?[]/.test(name)) {
    const isMatch = globMatcher(name);
    const out = new Set<string>();
    for (const h of inv.hosts.keys()) if (isMatch(h)) out.add(h);
    for (const [g, hs] of inv.groups) if (isMatch(g)) hs.forEach((h) => out.add(h));
    return out;
  }
  return new Set();
}
