import type { Vars } from '../inventory/types.js';
import { Scope } from '../playbook/scope.js';
import type { Play, Task } from '../playbook/types.js';
import type { IncludeExtra } from './block.js';

/** What a host's variables are made of, lowest first (see README "Variable precedence"). */
export interface ScopeParts {
  /** CLI/config settings (-u, --private-key, ...). */
  base: Vars;
  /** Inventory vars with the playbook's group_vars/ and host_vars/ merged in (playbook/vars-dirs.ts). */
  hostVars: Vars;
  extraVars: Vars;
  /** inventory_hostname, groups, hostvars, facts, ...: never templated. */
  magic: Vars;
  /** register results (and a rescue's ansible_failed_*): never templated. */
  registered: Vars;
}

/**
 * The scope of a task, at Ansible's precedence: role defaults (every role of the play's, then the
 * task's own role's) < inventory < play vars < role vars < role params < include params < -e.
 * Registered results sit above play and role vars and below role params, include params and -e:
 * one flat scope (a var's template may use any other var), so a registered name that one of those
 * also sets is left out of the registered layer. The task's own vars are added by the task runner.
 */
export function taskScope(play: Play, p: ScopeParts, task?: Task, extra?: IncludeExtra): Scope {
  const role = task?.role;
  const above: Vars = { ...role?.params, ...extra?.params, ...p.extraVars };
  const templated: Vars = {
    ...p.base,
    ...play.roleDefaults,
    ...role?.defaults,
    ...p.hostVars,
    ...play.vars,
    ...play.roleVars,
    ...role?.vars,
    ...above,
  };
  const registered = Object.fromEntries(Object.entries(p.registered).filter(([k]) => !Object.hasOwn(above, k)));
  return new Scope(templated, { ...p.magic, ...registered, ...extra?.data });
}

/** Whether a task needs a scope of its own (a role's task, an included one) rather than the play's. */
export const ownScope = (task: Task, extra: IncludeExtra): boolean =>
  !!task.role || Object.keys(extra.params).length > 0 || Object.keys(extra.data).length > 0;
