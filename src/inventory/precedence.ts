import type { ExtraVarDirs, VarLayers, Vars } from './types.js';

/**
 * The group part of Ansible's precedence table, lowest first: the sources' group vars (all, then
 * parents before children), inventory group_vars/all, playbook group_vars/all, inventory
 * group_vars/GROUP, playbook group_vars/GROUP. `groups` are ranked already and include `all`
 * first. The one place that order is written: the inventory's own merge and the playbook's use it.
 */
export function groupLayers(l: VarLayers, groups: readonly string[], dir?: ExtraVarDirs): Array<Vars | undefined> {
  const rest = groups.filter((g) => g !== 'all');
  return [
    ...groups.map((g) => l.groupVars.get(g)),
    l.groupDirVars.get('all'),
    dir?.groups.get('all'),
    ...rest.map((g) => l.groupDirVars.get(g)),
    ...rest.map((g) => dir?.groups.get(g)),
  ];
}

/** The host part, above every group's: the sources' host vars, inventory host_vars/, playbook host_vars/. */
export function hostLayers(l: VarLayers, host: string, dir?: ExtraVarDirs): Array<Vars | undefined> {
  return [l.hostVars.get(host), l.hostDirVars.get(host), dir?.hosts.get(host)];
}
