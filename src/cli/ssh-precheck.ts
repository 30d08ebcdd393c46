import type { Inventory } from '../inventory/types.js';
import { connectionSpec } from '../executor/connection.js';
import { InputError } from '../util/errors.js';

/**
 * The ssh settings of every host a run will reach, read before any host is contacted: a broken
 * ssh_config (a bad value, a missing Include'd --ssh-config...) or ssh args that are not ssh
 * options are bad input (exit 5), as `ssh` itself refuses to start with them. Hosts whose
 * connection vars are templated are checked when they connect (their values need the play).
 */
export function precheckSsh(
  inv: Inventory,
  hostNames: Iterable<string>,
  extraVars: Record<string, unknown>,
  sshConfig: string | undefined,
): void {
  const problems: string[] = [];
  const conn = (vars: Record<string, unknown>): Array<[string, unknown]> =>
    Object.entries(vars).filter(([k]) => k.startsWith('ansible_') || k.startsWith('lbprov_'));
  for (const name of new Set(hostNames)) {
    const host = inv.hosts.get(name);
    if (!host) continue;
    const vars = Object.fromEntries([...conn(host.vars), ...conn(extraVars)]);
    if (
      Object.values(vars).some((v) => (typeof v !== 'string' ? typeof v === 'object' && v !== null : v.includes('{{')))
    )
      continue;
    try {
      const spec = connectionSpec(host, vars, inv, sshConfig);
      if (spec.problem) problems.push(spec.problem);
    } catch {
      // other connection problems are reported per host, as before
    }
  }
  if (problems.length) throw new InputError(problems.map((message) => ({ message })));
}
