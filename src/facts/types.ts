import type { AnsibleFacts } from './ansible.js';

export interface Nic {
  name: string;
  vendor: string | null;
  device: string | null;
  driver: string | null;
  /** `connectx-7`, `e810-c`, `e810-xxv`, or null. */
  model: string | null;
}

/** What `lbprov facts` shows and tasks see as `facts.*` (format.md). */
export interface Facts {
  hostname: string;
  arch: string;
  kernel: { release: string; version: string };
  os: { id: string; version_id: string };
  pkg_manager: 'apt' | 'dnf' | null;
  nics: Nic[];
  systemd: boolean;
  user: { name: string; uid: number };
  /** Ansible's common facts, as in `ansible_facts` (also offered as `ansible_<key>` variables) */
  ansible: AnsibleFacts;
}
