import type { Host, Inventory, Vars } from '../inventory/types.js';
import type { PlaybookVarsDir } from './types.js';

/**
 * A host's inventory vars with a playbook's group_vars/ and host_vars/ merged in at Ansible's
 * precedence (VariableManager.get_vars with the default VARIABLE_PRECEDENCE): inventory `all` <
 * playbook group_vars/all < inventory groups < playbook group_vars/<group> (each by depth, then
 * name) < inventory host vars < playbook host_vars/<host>.
 */
export function hostVarsWith(inv: Inventory, host: Host, dir: PlaybookVarsDir | undefined): Vars {
  if (
    !dir ||
    !inv.layers ||
    (!dir.hosts.has(host.name) && ![...dir.groups.keys()].some((g) => g === 'all' || host.groups.includes(g)))
  )
    return host.vars;
  const { groupVars, hostVars, groupRank } = inv.layers;
  const groups = host.groups.filter((g) => g !== 'all').sort(groupRank);
  return Object.assign(
    {},
    groupVars.get('all'),
    dir.groups.get('all'),
    ...groups.map((g) => groupVars.get(g)),
    ...groups.map((g) => dir.groups.get(g)),
    hostVars.get(host.name),
    dir.hosts.get(host.name),
  ) as Vars;
}
