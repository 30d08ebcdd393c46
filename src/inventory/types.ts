export type Vars = Record<string, unknown>;

export interface Host {
  name: string;
  /** Inventory vars merged: all < parent groups < child groups < host (group_vars/ and host_vars/ files included). */
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
}
