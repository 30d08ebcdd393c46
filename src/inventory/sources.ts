import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError, Problems } from '../util/errors.js';
import { SourceDoc } from '../util/yaml.js';
import { readIniInventory, hostAndPort } from './ini.js';
import { addHost, newRawInventory, readInventoryFile, readVarsDirs, resolve, type RawInventory } from './load.js';
import { readScriptInventory, SCRIPT_TIMEOUT_S } from './script.js';
import type { Inventory } from './types.js';

export type SourceKind = 'host-list' | 'directory' | 'script' | 'yaml' | 'ini';

/**
 * What an `-i` source is, the way Ansible's enabled plugins (host_list, script, yaml, ini) decide:
 * a string with a comma that is no path is a host list; a directory holds several sources; an
 * executable file is a script; `.yml`, `.yaml` and `.json` are YAML; anything else is tried as INI.
 */
export function sourceKind(source: string): SourceKind {
  if (!existsSync(source)) {
    if (source.includes(',')) return 'host-list';
    throw new InputError(`inventory ${source}: no such file or directory (a host list needs a comma: -i 'h1,')`);
  }
  const st = statSync(source);
  if (st.isDirectory()) return 'directory';
  if (/\.(ya?ml|json)$/i.test(source)) return executable(source) ? 'script' : 'yaml';
  return executable(source) ? 'script' : 'ini';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What Ansible skips in an inventory directory: hidden files, group_vars/, host_vars/,
 * vars_plugins/, and the extensions of INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig .ini .cfg .retry).
 */
export const IGNORED_IN_DIR =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

export interface SourceOptions {
  /** Seconds an inventory script may take per call. */
  scriptTimeoutS?: number;
}

/**
 * Loads every -i source into one inventory (later sources win on conflicting vars), each with the
 * group_vars/ and host_vars/ of its folder (a directory source: its own). All problems are
 * reported at once with file:line:col.
 */
export function loadInventorySources(sources: readonly string[], opts: SourceOptions = {}): Inventory {
  const raw = newRawInventory();
  const problems = new Problems();
  const files: string[] = [];
  for (const source of sources) problems.collect(() => readSource(raw, source, problems, files, opts));
  problems.throwIfAny();
  return resolve(raw, files);
}

function readSource(raw: RawInventory, source: string, problems: Problems, files: string[], opts: SourceOptions): void {
  const kind = sourceKind(source);
  switch (kind) {
    case 'host-list':
      readHostList(raw, source, problems);
      return;
    case 'directory':
      for (const entry of readdirSync(source).sort()) {
        if (IGNORED_IN_DIR.test(entry)) continue;
        problems.collect(() => readSourceFileOrDir(raw, join(source, entry), problems, files, opts));
      }
      readVarsDirs(raw, source, problems);
      return;
    default:
      readFile(raw, source, kind, problems, files, opts);
      readVarsDirs(raw, dirname(source), problems);
  }
}

/** Inside a directory source: sub-directories recurse (with their own group_vars/), files are read. */
function readSourceFileOrDir(
  raw: RawInventory,
  path: string,
  problems: Problems,
  files: string[],
  opts: SourceOptions,
): void {
  const kind = sourceKind(path);
  if (kind === 'directory') readSource(raw, path, problems, files, opts);
  else readFile(raw, path, kind, problems, files, opts);
}

function readFile(
  raw: RawInventory,
  file: string,
  kind: SourceKind,
  problems: Problems,
  files: string[],
  opts: SourceOptions,
): void {
  files.push(file);
  if (kind === 'script') readScriptInventory(raw, file, opts.scriptTimeoutS ?? SCRIPT_TIMEOUT_S);
  else if (kind === 'yaml') readInventoryFile(raw, SourceDoc.load(file), problems);
  else readIniInventory(raw, file, problems);
}

/** `-i 'h1,h2:2222,'`: hosts in `ungrouped`, a port after a colon. */
function readHostList(raw: RawInventory, list: string, problems: Problems): void {
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const hp = hostAndPort(item);
    if (typeof hp === 'string') problems.add(`-i ${list}: ${hp}`);
    else addHost(raw, 'ungrouped', hp.pattern, hp.port !== undefined ? { ansible_port: hp.port } : {});
  }
}
