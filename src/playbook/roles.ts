import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { loadVarsFile } from '../inventory/load.js';
import type { Vars } from '../inventory/types.js';
import type { Problems } from '../util/errors.js';
import { SourceDoc } from '../util/yaml.js';
import type { RoleVars } from './types.js';

/** Ansible's roles_path when the config sets none. */
export const DEFAULT_ROLES_PATH = [
  join(homedir(), '.ansible', 'roles'),
  '/usr/share/ansible/roles',
  '/etc/ansible/roles',
];

/**
 * Where a role is looked for, in Ansible's order (RoleDefinition._load_role_path): a path as
 * given; else `roles/` beside the playbook, then roles_path, then beside the role that depends on
 * it, then the playbook's folder itself.
 */
export function roleSearchDirs(playbookDir: string, rolesPath: readonly string[], parentRoleDir?: string): string[] {
  return [
    join(playbookDir, 'roles'),
    ...rolesPath,
    ...(parentRoleDir ? [resolve(parentRoleDir, '..')] : []),
    playbookDir,
  ];
}

export function findRole(name: string, dirs: readonly string[]): string | undefined {
  const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
  if (isAbsolute(name)) return isDir(name) ? name : undefined;
  for (const d of dirs) if (isDir(join(d, name))) return resolve(d, name);
  return undefined;
}

/** A file of a role's folder: `main.yml`, `main.yaml` or `main` (or `<from>` likewise). */
export function roleFile(roleDir: string, sub: string, from = 'main'): string | undefined {
  return [`${from}.yml`, `${from}.yaml`, from]
    .map((f) => join(roleDir, sub, f))
    .find((p) => existsSync(p) && statSync(p).isFile());
}

/** What a role's folder holds, read once per run (roles are used several times). */
export interface RoleFiles {
  dir: string;
  defaults: Vars;
  vars: Vars;
  /** meta/main.yml, with positions for its dependencies. */
  meta?: SourceDoc;
  allowDuplicates: boolean;
}

const cache = new Map<string, RoleFiles>();

export function roleFiles(dir: string, problems: Problems, from: { defaults?: string; vars?: string } = {}): RoleFiles {
  const key = JSON.stringify([dir, from]);
  let r = cache.get(key);
  if (r) return r;
  const vars = (sub: string, name?: string): Vars => {
    const f = roleFile(dir, sub, name);
    return (f && problems.collect(() => loadVarsFile(f))) || {};
  };
  const metaFile = roleFile(dir, 'meta');
  const meta = metaFile ? problems.collect(() => SourceDoc.load(metaFile)) : undefined;
  const m = meta?.value as { allow_duplicates?: unknown } | null | undefined;
  r = {
    dir,
    defaults: vars('defaults', from.defaults),
    vars: vars('vars', from.vars),
    meta,
    allowDuplicates: m?.allow_duplicates === true,
  };
  cache.set(key, r);
  return r;
}

/** One use of a role (in `roles:`, a dependency, an import or include), with what it was given. */
export interface RoleUse {
  name: string;
  files: RoleFiles;
  /** `vars:` where it is used (Ansible: role vars level, below vars/main.yml). */
  varsKw: Vars;
  params: Vars;
  deps: RoleUse[];
}

const merge = (...vs: Vars[]): Vars => Object.assign({}, ...vs) as Vars;

/** Ansible's Role.get_default_vars(dep_chain): dependencies' defaults, then the parents', then its own. */
function defaultsOf(r: RoleUse, chain: readonly RoleUse[]): Vars {
  return merge(...r.deps.map((d) => defaultsOf(d, [])), ...chain.map((p) => p.files.defaults), r.files.defaults);
}

/** Ansible's Role.get_vars(dep_chain, include_params=False). */
function varsOf(r: RoleUse, chain: readonly RoleUse[]): Vars {
  return merge(
    ...chain.map((p) => merge(p.varsKw, p.files.vars)),
    ...r.deps.map((d) => varsOf(d, [])),
    r.varsKw,
    r.files.vars,
  );
}

/** The variables a task of role `r` sees, `chain` being the roles that depend on it (outermost first). */
export function roleVars(r: RoleUse, chain: readonly RoleUse[]): RoleVars {
  return {
    name: r.name,
    defaults: defaultsOf(r, chain),
    vars: varsOf(r, chain),
    params: merge(...chain.map((p) => p.params), r.params),
  };
}

/** The play-wide role variables (every role of the play's, as Ansible merges them when role vars are not private). */
export function playRoleVars(roles: readonly RoleUse[]): { defaults: Vars; vars: Vars } {
  return { defaults: merge(...roles.map((r) => defaultsOf(r, []))), vars: merge(...roles.map((r) => varsOf(r, []))) };
}
