import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Suites that could not run here, named so the summary shows them. */
export const skipped: string[] = [];

/**
 * Whether a suite that needs root (and the lab's tools) can run. Outside CI it is skipped visibly;
 * in CI (CI=true) a missing requirement is a failure, never a silent skip.
 */
export function requireRoot(suite: string, missing: string[]): boolean {
  const why = process.getuid?.() !== 0 ? ['root'] : missing;
  if (!why.length) return true;
  const msg = `${suite}: needs ${why.join(', ')}`;
  if (process.env.CI) throw new Error(`${msg} (CI=true: integration tests must run; see .ci/run)`);
  skipped.push(msg);
  process.stdout.write(`\n  SKIP ${msg}\n`);
  return false;
}

/**
 * Whether the programs a pure suite compares against (e.g. Debian's ansible-vault) are installed.
 * Skipped visibly outside CI; under CI=true (.ci/run installs them) a missing one is a failure.
 */
export function requireTools(suite: string, tools: string[]): boolean {
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  const missing = tools.filter((t) => !path.some((d) => existsSync(join(d, t))));
  if (!missing.length) return true;
  const msg = `${suite}: needs ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${msg} (CI=true: these tests must run; scripts/system-deps.sh installs it)`);
  skipped.push(msg);
  process.stdout.write(`\n  SKIP ${msg}\n`);
  return false;
}
