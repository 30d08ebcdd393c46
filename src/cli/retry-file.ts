import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { HostStats } from '../executor/types.js';
import { InputError } from '../util/errors.js';

/**
 * Retry files, as Ansible's: at the end of a run with failed, unreachable or stopped hosts, their
 * names one a line in `<playbook name>.retry`, read back by `--limit @FILE`. The file goes to
 * $LBPROV_RETRY_FILES_SAVE_PATH, else ~/.lbprov/retry/ (beside the playbook may be a checkout that
 * is read-only, or shared by several operators).
 */
export function retryPath(playbookFile: string): string {
  const dir = process.env.LBPROV_RETRY_FILES_SAVE_PATH || join(homedir(), '.lbprov', 'retry');
  return join(dir, `${basename(playbookFile, extname(playbookFile))}.retry`);
}

/** Hosts that did not finish: failed, unreachable, or stopped by a failure rule before their next task. */
export function hostsToRetry(stats: Map<string, HostStats>, stopped: ReadonlyMap<string, string>): string[] {
  const out = [...stats].filter(([, s]) => s.failed > 0 || s.unreachable > 0).map(([h]) => h);
  for (const [h, why] of stopped) if (!why.startsWith('not started') && !out.includes(h)) out.push(h);
  return out;
}

export function writeRetry(playbookFile: string, hosts: string[]): string | undefined {
  if (!hosts.length) return undefined;
  const path = retryPath(playbookFile);
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, hosts.map((h) => `${h}\n`).join(''));
  return path;
}

/** `--limit @FILE`: the host names in FILE (one a line), as a pattern. */
export function limitFrom(limit: string): string {
  if (!limit.startsWith('@')) return limit;
  const file = limit.slice(1);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`--limit ${limit}: cannot read ${file}: ${(e as Error).message}`);
  }
  const hosts = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!hosts.length) throw new InputError(`--limit ${limit}: ${file} names no host`);
  return hosts.join(',');
}
