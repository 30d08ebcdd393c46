import type { HostStats } from '../executor/types.js';

/**
 * `h1 : ok=17 changed=13 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0`: Ansible's fields in
 * its order (format.md's five first, then rescued and ignored), names padded like Ansible's.
 */
export function recapLines(stats: Map<string, HostStats>): string[] {
  const width = Math.max(0, ...[...stats.keys()].map((h) => h.length));
  return [...stats].map(
    ([h, s]) =>
      `${h.padEnd(width)} : ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`,
  );
}
