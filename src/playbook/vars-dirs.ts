import { groupLayers, hostLayers } from '../inventory/precedence.js';
import type { Host, Inventory, Vars } from '../inventory/types.js';
import type { PlaybookVarsDir } from './types.js';

/**
 * A host's inventory vars with a playbook's group_vars/ and host_vars/ merged in at Ansible's
 * precedence (VariableManager.get_vars with the default VARIABLE_PRECEDENCE; the order is
 * groupLayers/hostLayers in inventory/precedence.ts, which the inventory's own merge uses too).
 */
export function hostVarsWith(inv: Inventory, host: Host, dir: PlaybookVarsDir | undefined): Vars {
  if (
    !dir ||
    !inv.layers ||
    (!dir.hosts.has(host.name) && ![...dir.groups.keys()].some((g) => g === 'all' || host.groups.includes(g)))
  )
    return host.vars;
  const l = inv.layers;
  const groups = ['all', ...host.groups.filter((g) => g !== 'all').sort(l.groupRank)];
  return Object.assign({}, ...groupLayers(l, groups, dir), ...hostLayers(l, host.name, dir)) as Vars;
}
