import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';

/** A deliberate difference from Ansible: a case, a regex over the difference's line, and why. */
export interface Difference {
  case: string;
  match: string;
  reason: string;
}

/**
 * test/conformance/differences.yml: the deliberate differences both differential suites accept;
 * check-exceptions.yml: the tasks whose check-mode status differs from the apply's on purpose.
 */
export function readDifferences(file = 'differences.yml'): Difference[] {
  const f = join(packageRoot, 'test', 'conformance', file);
  return (parseYaml(readFileSync(f, 'utf8')) as Difference[] | null) ?? [];
}

/** What both differential suites compare of one run: exit code, `task | host = status` lines, recap. */
export interface RunOutcome {
  code: number;
  statuses: string[];
  recap: Record<string, string>;
}

/** Every way two runs differ in exit code, statuses and recap, as lines a Difference can match. */
export function compareRuns(a: RunOutcome, l: RunOutcome): string[] {
  const out: string[] = [];
  if (a.code !== l.code) out.push(`exit code: ansible ${a.code}, lbprov ${l.code}`);
  for (const s of a.statuses.filter((x) => !l.statuses.includes(x))) out.push(`only ansible: ${s}`);
  for (const s of l.statuses.filter((x) => !a.statuses.includes(x))) out.push(`only lbprov: ${s}`);
  for (const h of new Set([...Object.keys(a.recap), ...Object.keys(l.recap)]))
    if (a.recap[h] !== l.recap[h]) out.push(`recap ${h}: ansible ${a.recap[h]}, lbprov ${l.recap[h]}`);
  return out;
}

/** Modules whose effect only running them tells: check mode skips them (without creates/removes). */
const UNPREDICTABLE = new Set(['command', 'shell', 'uri', 'wait_for']);

/**
 * A result check mode cannot predict, left out of the check = apply comparison: a task the module
 * skips in check mode because only running it would tell (command/shell without creates/removes,
 * uri, wait_for; Ansible skips the first two the same way), a loop of them included (`All items
 * skipped`).
 */
export function unpredictableInCheck(r: { status: string; module: string; msg: string }): boolean {
  if (r.status !== 'skipped') return false;
  return (
    / in check mode\b/i.test(r.msg) || (UNPREDICTABLE.has(r.module) && /^(\d+ items|All items skipped)$/.test(r.msg))
  );
}

/**
 * The case files (`*.yml`, setup-*.yml left out: they prepare hosts) of a differential suite, in
 * order; LBPROV_CONFORMANCE_CASES=REGEX keeps only the matching names (while working on one).
 */
export function caseFiles(dir: string): string[] {
  const only = process.env.LBPROV_CONFORMANCE_CASES ? new RegExp(process.env.LBPROV_CONFORMANCE_CASES) : undefined;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') && !f.startsWith('setup-') && (!only || only.test(f)))
    .sort();
}
