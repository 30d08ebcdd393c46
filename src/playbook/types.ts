import type { Vars } from '../inventory/types.js';
import type { ModuleDef } from '../module/types.js';
import type { MetaAction } from '../module/meta.js';
import type { Pos } from '../util/errors.js';
import type { LoopControlRaw, LoopLookup } from './loop-keys.js';
import type { ExecKeywords } from './exec-keywords.js';

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
  /** `with_<lookup>`: the lookup that turns the templated `loop` value into items (loop-sources.ts) */
  loopWith?: LoopLookup;
  /** `loop_control` as written (label, loop_var, index_var, pause, extended, extended_allitems) */
  loopControl?: LoopControlRaw;
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
  /** A `meta:` action (src/module/meta.ts); `role_complete`: the end of a role's tasks (block.ts). */
  meta?: MetaAction;
  /** A role's task: its name as written (`name` is shown as "ROLE : NAME"), what ansible_failed_task.name says. */
  ownName?: string;
  /** A role's task that does not run again on a host where this role use (role, parameters) completed. */
  roleOnce?: string;
  pos: Pos;
  /** The blocks around this task, outermost first, and which section of each it is in (blocks.ts). */
  blocks?: InBlock[];
  /** A task of a role: the role's variables as this task sees them (roles.ts). */
  role?: RoleVars;
  /** `include_tasks` / `include_role`: resolved per host when the host reaches it (executor/block.ts). */
  include?: Include;
  /** Where a relative `src:` is looked for first (the role's or the imported file's folder). */
  dir?: string;
  /** delegate_to, run_once, throttle, ignore_unreachable, environment, merged from the play inwards (exec-keywords.ts). */
  exec?: ExecKeywords;
}

/** A `block` with its `rescue` and `always` sections, as index ranges of the flat task list it is in. */
export interface Block {
  id: number;
  name?: string;
  /** Index of its first task, of its first rescue task, of its first always task, and one past its end. */
  start: number;
  rescue?: number;
  always?: number;
  end: number;
}

export interface InBlock {
  block: Block;
  section: 'block' | 'rescue' | 'always';
}

/** A role's variables as one of its tasks sees them (dependencies and parents merged as Ansible does). */
export interface RoleVars {
  name: string;
  /** defaults/main.yml: below every inventory var. */
  defaults: Vars;
  /** vars/main.yml and the `vars:` given where the role is used: above play vars. */
  vars: Vars;
  /** Inline parameters (`- role: x` + `port: 80`): above registered results, below -e. */
  params: Vars;
}

export interface Include {
  kind: 'tasks' | 'role';
  /** As written (may be a template); for a role, its name. */
  file: string;
  /** The folder a relative file is resolved from. */
  base: string;
  /** Loaded at load time when `file` is not a template (so its errors are load-time errors). */
  tasks?: Task[];
  /** include_role: the role's handlers were added to the play's at load time. */
  public?: boolean;
  /** Vars given on the include (include params, above registered results). */
  params: Vars;
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
  /** The folder of the playbook file holding the play (import_playbook): its group_vars/ and host_vars/ apply. */
  dir?: string;
  /** defaults of every role of the play (`roles:`, import_role), below inventory vars. */
  roleDefaults?: Vars;
  /** vars of every role of the play, above play vars. */
  roleVars?: Vars;
}

export interface Playbook {
  file: string;
  dir: string;
  /** group_vars/all.yml beside the playbook (kept for hosts: and serial: templates; per host, see vars-dirs.ts). */
  defaults: Vars;
  /** group_vars/ and host_vars/ beside each playbook file (import_playbook), by folder. */
  varsDirs?: Map<string, PlaybookVarsDir>;
  plays: Play[];
  /** Found when loading, not fatal (a `when` wrapped in {{ }}): printed as [WARNING] lines. */
  warnings?: string[];
}

/** group_vars/<group>.yml and host_vars/<host>.yml beside a playbook. */
export interface PlaybookVarsDir {
  groups: Map<string, Vars>;
  hosts: Map<string, Vars>;
}
