import type { Vars } from '../inventory/types.js';
import type { ModuleDef } from '../module/types.js';
import type { Pos } from '../util/errors.js';

export interface Task {
  name: string;
  /** The module's canonical name (aliases resolved). */
  module: string;
  def: ModuleDef;
  /** Raw arguments; strings are templates rendered per host (and per loop item). */
  args: Record<string, unknown>;
  vars: Vars;
  when?: unknown;
  loop?: unknown;
  /** `with_items`: the rendered list is flattened one level */
  loopFlatten?: boolean;
  register?: string;
  notify: string[];
  /** For handlers: extra names it answers to. */
  listen: string[];
  /** The task's own tags plus its play's. */
  tags: string[];
  /** A boolean, or a template rendered for each host. */
  become?: boolean | string;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
  checkMode?: boolean;
  diff?: boolean;
  noLog: boolean;
  ignoreErrors: boolean;
  changedWhen?: unknown;
  failedWhen?: unknown;
  /** Seconds. */
  timeout?: number;
  /** Ansible's until/retries/delay: run again until the condition holds (retries and delay may be templates). */
  until?: unknown;
  retries?: number | string;
  delay?: number | string;
  /** `meta: flush_handlers`. */
  meta?: 'flush_handlers';
  pos: Pos;
}

export interface Play {
  name: string;
  hosts: string;
  vars: Vars;
  /** Unset: the host's ansible_become (-b, the config file) decides. A template is rendered per host. */
  become?: boolean | string;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
  gatherFacts: boolean;
  /** Batch sizes, as written (numbers or "N%"); empty means all hosts at once. */
  serial: Array<number | string>;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** `linear` or `free` as written; unset: linear when a failure rule is set, else free. */
  strategy?: 'linear' | 'free';
  tags: string[];
  tasks: Task[];
  handlers: Task[];
  pos: Pos;
}

export interface Playbook {
  file: string;
  dir: string;
  /** group_vars/all.yml beside the playbook: its defaults, below every inventory var. */
  defaults: Vars;
  plays: Play[];
  /** Found when loading, not fatal (a `when` wrapped in {{ }}): printed as [WARNING] lines. */
  warnings?: string[];
}
