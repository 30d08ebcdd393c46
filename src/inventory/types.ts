export type Vars = Record<string, unknown>;

export interface Host {
  name: string;
  /**
   * Inventory vars merged at Ansible's precedence: the sources' group vars (all < parent < child),
   * group_vars/ files (likewise), the source's host vars, host_vars/ files.
   */
  vars: Vars;
  /** Groups the host belongs to, directly or through children, without `all`, sorted. */
  groups: string[];
}

export interface Inventory {
  /** Hosts in the order the inventory names them. */
  hosts: Map<string, Host>;
  /** Every group with every host in it (through children too); includes `all` and `ungrouped`. */
  groups: Map<string, string[]>;
  /** The inventory files read; relative paths in connection vars (key, known_hosts, ssh config) start at the first one's folder. */
  files: string[];
  /**
   * Each group's and host's own vars, from the sources and from group_vars/ and host_vars/ apart, and
   * the order in which groups are merged (shallower first): so that a playbook's group_vars/ and
   * host_vars/ can be merged between them at Ansible's precedence (playbook/vars-dirs.ts).
   */
  layers?: VarLayers;
}

/** Each group's and host's own vars, by where they were written (see Inventory.layers). */
export interface VarLayers {
  groupVars: Map<string, Vars>;
  groupDirVars: Map<string, Vars>;
  hostVars: Map<string, Vars>;
  hostDirVars: Map<string, Vars>;
  groupRank: (a: string, b: string) => number;
}

/** A playbook's group_vars/ and host_vars/, merged between the inventory's layers. */
export interface ExtraVarDirs {
  groups: Map<string, Vars>;
  hosts: Map<string, Vars>;
}
