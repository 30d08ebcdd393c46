import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Where a `src:` path is looked for: absolute, or relative to the playbook's folder, then its files/ or
 * templates/ folder. A role's task (or an imported file's) gives its own folder first, then the playbook's.
 */
export function localCandidates(dir: string | readonly string[], path: string, kind: 'files' | 'templates'): string[] {
  if (isAbsolute(path)) return [path];
  return [
    ...new Set(
      (typeof dir === 'string' ? [dir] : dir).flatMap((d) => [
        join(d, path),
        join(d, kind, path),
        join(d, '..', kind, path),
      ]),
    ),
  ];
}

/** A `src:` path resolved (see localCandidates); throws when none exists. */
export function localPath(dir: string | readonly string[], path: string, kind: 'files' | 'templates'): string {
  if (isAbsolute(path)) return path;
  const tries = localCandidates(dir, path, kind);
  const found = tries.find((p) => existsSync(p));
  if (!found) throw new Error(`local file "${path}" not found (looked in ${tries.join(', ')})`);
  return found;
}
