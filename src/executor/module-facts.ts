import type { Vars } from '../inventory/types.js';
import type { HostContext } from './host-context.js';
import type { TaskResult } from './task-runner.js';

/**
 * Facts a module returns in its result's `ansible_facts` (Ansible's contract: service_facts,
 * package_facts, any module): kept on the host for the rest of the run, as Ansible's fact cache
 * keeps them, a later module's fact replacing an earlier one of the same name. A failed or
 * skipped result sets none; a loop's items each may. True when the host's facts changed (the
 * task scope must then be rebuilt).
 */
export function keepModuleFacts(hc: HostContext, r: TaskResult): boolean {
  let changed = false;
  for (const x of [r, ...(r.results ?? [])]) {
    if (x.status === 'failed' || x.status === 'skipped' || x.status === 'unreachable') continue;
    // set_fact's ansible_facts are variables (TaskResult.setVars), facts only when cacheable (play-runner.ts)
    if (x.setVars) continue;
    const f = x.data.ansible_facts;
    if (!f || typeof f !== 'object' || Array.isArray(f)) continue;
    hc.moduleFacts = { ...hc.moduleFacts, ...(f as Vars) };
    changed = true;
  }
  return changed;
}

/**
 * The variables module facts add, as Ansible's VariableManager shows a fact-cache entry: under
 * `ansible_facts` without an `ansible_` prefix (namespace_facts), and as a variable by the name
 * the module gave it (INJECT_FACTS_AS_VARS: `services`, `packages`). `gathered`: the
 * `ansible_facts` the setup step gathered, which these extend.
 */
export function moduleFactVars(gathered: unknown, facts: Vars | undefined): Vars {
  if (!facts) return {};
  const base = gathered && typeof gathered === 'object' ? (gathered as Vars) : {};
  const namespaced = Object.fromEntries(
    Object.entries(facts).map(([k, v]) => [k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k, v]),
  );
  return { ...facts, ansible_facts: { ...base, ...namespaced } };
}
