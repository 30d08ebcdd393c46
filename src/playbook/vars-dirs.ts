import type { Host, Inventory, Vars } from '../inventory/types.js';
import type { PlaybookVarsDir } from './types.js';

/**
 * A host's inventory vars with a playbook's group_vars/ and host_vars/ merged in at Ansible's
 * precedence (VariableManager.get_vars with the default VARIABLE_PRECEDENCE): the inventory
 * sources' group vars < inventory group_vars/all < playbook group_vars/all < inventory
 * group_vars/<group> < playbook group_vars/<group> (groups by depth, then name) < the sources'
 * host vars < inventory host_vars/<host> < playbook host_vars/<host>.
 */
export function hostVarsWith(inv: Inventory, host: Host, dir: PlaybookVarsDir | undefined): Vars {
  if (
    !dir ||
    !inv.layers ||
    (!dir.hosts.has(host.name) && ![...dir.groups.keys()].some((g) => g === 'all' || host.groups.includes(g)))
  )
    return host.vars;
  const { groupVars, groupDirVars, hostVars, hostDirVars, groupRank } = inv.layers;
  const groups = host.groups.filter((g) => g !== 'all').sort(groupRank);
  return Object.assign(
    {},
    groupVars.get('all'),
    ...groups.map((g) => groupVars.get(g)),
    groupDirVars.get('all'),
    dir.groups.get('all'),
    ...groups.map((g) => groupDirVars.get(g)),
    ...groups.map((g) => dir.groups.get(g)),
    hostVars.get(host.name),
    hostDirVars.get(host.name),
    dir.hosts.get(host.name),
  ) as Vars;
}
