import type { DiffItem } from '../module/types.js';
import type { Inventory, Vars } from '../inventory/types.js';

export type Status = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

/** What one task did on one host, as reporters see it (already censored under no_log). */
export interface HostTaskReport {
  status: Status;
  msg?: string;
  diff?: DiffItem[];
  /** The failure was ignored (ignore_errors). */
  ignored?: boolean;
  /** The result says it changed something (a failed command that ran, say). */
  changed?: boolean;
  warnings?: string[];
  /** debug's output, shown on the line. */
  shown?: string;
  /** How long the task took on this host, in milliseconds. */
  ms?: number;
  /** A loop's items, each with its own line (`ok: [h] => (item=LABEL)`), in order. */
  items?: ItemReport[];
  /** delegate_to: the host(s) the task ran on for this host (shown `host -> delegate`, as Ansible). */
  delegate?: string;
}

/** One loop item as reporters see it: its status and label (loop_control.label, or the item). */
export interface ItemReport {
  status: Status;
  label: string;
  msg?: string;
  /** debug's output for this item */
  shown?: string;
}

/** Where a task stands in a play's output: tasks by index, handlers after the task that flushed them. */
export interface Slot {
  order: number;
  name: string;
  module: string;
  kind: 'facts' | 'task' | 'handler';
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  /** failures rescued by a block's rescue (none until blocks exist) */
  rescued: number;
  /** failures under ignore_errors: counted ok too, as Ansible counts them */
  ignored: number;
}

export interface RunOptions {
  check: boolean;
  diff: boolean;
  forks: number;
  tags: string[];
  skipTags: string[];
  extraVars: Vars;
  connectTimeoutMs: number;
  /** Default per-command timeout, seconds (a task's `timeout` wins). */
  commandTimeoutS: number;
  /** --ssh-config: the OpenSSH client config file, or `none` (default ~/.ssh/config) */
  sshConfig?: string;
  /** Vars below every other (CLI -u/-b/..., env, config file): see src/cli/settings.ts. */
  baseVars?: Vars;
  /** `meta: refresh_inventory`: reads the inventory sources again (absent: the inventory stays). */
  reloadInventory?: () => Inventory;
  /** --start-at-task: plays and tasks before the first task of this name (a glob) are skipped. */
  startAtTask?: string;
}

export interface Reporter {
  playStart(name: string, hosts: string[]): void;
  /** A batch starts: its hosts, its number (from 1) and how many batches the play has. */
  batchStart(hosts: string[], index?: number, total?: number): void;
  taskStart(slot: Slot, host: string): void;
  taskDone(slot: Slot, host: string, report: HostTaskReport): void;
  /** The host will report nothing more in this batch. */
  hostDone(host: string): void;
  warn(message: string): void;
  /** The recap; `stopped`: hosts a failure rule stopped or never started, and why. */
  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void;
  /** Called after each batch: a live display finishes drawing before the next one starts. */
  settle?(): Promise<void>;
}

export const NO_LOG_MSG =
  "the output has been hidden due to the fact that 'no_log: true' was specified for this result";
