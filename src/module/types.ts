import type { TObject } from '@sinclair/typebox';
import type { Facts } from '../facts/types.js';
import type { ArgsOf } from './args.js';

/** A read-only look at the host, all of a task's reads done in one round trip. */
export type Read = { kind: 'stat'; path: string } | { kind: 'file'; path: string } | { kind: 'exec'; argv: string[] };

/** What a read found. `stat` is null when the path does not exist. */
export interface Seen {
  rc: number;
  stdout: Buffer;
  stderr: string;
  stat?: FileStat | null;
  /** A stat or file read of a path that does not exist, whose folder does not exist either. */
  parentMissing?: boolean;
}

/** What an earlier task of a check run would have left at a path (ModuleContext.checkKnown). */
export interface CheckKnown {
  /** null: the path would not exist (removed) */
  stat: FileStat | null;
  /** a file's content, when the run knows it (a write; an empty file made by touch) */
  content?: Buffer;
  /** not named by any task, but something under it would exist: a directory of unknown attributes */
  implied?: boolean;
}

export interface FileStat {
  type: 'file' | 'directory' | 'link' | 'other';
  /** Permission bits as 4 octal digits, e.g. "0644". */
  mode: string;
  owner: string;
  group: string;
  size: number;
  /** For a symlink: where it points. */
  target?: string;
}

/** One change the executor makes on the host; steps run in order, the first failure stops the task. */
export type Step =
  | {
      op: 'write';
      path: string;
      content: Buffer;
      mode?: string;
      owner?: string;
      group?: string;
      /** argv run on the temp file before it replaces `path`; `%s` is the temp file. */
      validate?: string[];
      backup?: boolean;
    }
  | {
      op: 'exec';
      argv: string[];
      /** The task's result takes rc/stdout/stderr from this step, and a non-zero rc does not stop the script. */
      capture?: boolean;
      /** What the step does, for error messages. */
      what?: string;
    };

export interface DiffItem {
  path: string;
  before: string;
  after: string;
}

export interface StepOutput {
  rc: number;
  stdout: string;
  stderr: string;
}

/** What a module decided: pure data computed from the arguments, facts and reads. */
export interface Plan {
  changed: boolean;
  steps: Step[];
  diff?: DiffItem[];
  msg?: string;
  /** The task fails on this host with this message, before anything is changed. */
  failed?: string;
  /** Extra fields for the registered result. */
  result?: Record<string, unknown>;
  warnings?: string[];
  /** In check mode the task is reported skipped with this message (the module cannot predict its effect). */
  checkSkip?: string;
  /** In check mode, the message of a task that would apply its steps (default: msg). */
  checkMsg?: string;
  /**
   * What the steps would make true, by key (e.g. `systemd:lb-listener.service` -> the unit's state
   * after a start): a check run remembers it, so a later task of the same run plans against it.
   */
  checkState?: Record<string, unknown>;
  /**
   * For a check run: what the steps would leave at paths they do not name as file-system steps
   * (e.g. a command's `creates`): a stat (type etc.) or null (absent). Later tasks plan against it.
   */
  checkPaths?: Record<string, Partial<FileStat> | null>;
  /**
   * Variables the task sets on the host (set_fact): at the precedence of registered results, above
   * play, role, block and task vars, for the rest of the run (Ansible's non-persistent facts). In a
   * loop, each item's are set in turn, so the last item wins.
   */
  setVars?: Record<string, unknown>;
  /** setVars are also host facts (`ansible_facts.NAME`), which `meta: clear_facts` clears (set_fact's cacheable). */
  cacheable?: boolean;
  /** Milliseconds the executor waits before reporting the task (pause): the plan itself stays pure. */
  waitMs?: number;
  /** Reads the outcome of the steps after a real run (e.g. a command's rc decides failure). */
  interpret?: (outputs: StepOutput[]) => {
    failed?: string;
    result?: Record<string, unknown>;
    changed?: boolean;
    msg?: string;
  };
}

/** What a module may know about the run, besides its arguments. */
export interface ModuleContext {
  host: string;
  facts: Facts | undefined;
  check: boolean;
  /** A local source file (`src:`), resolved against the playbook's directory and its files/ or templates/. */
  localFile(path: string, kind: 'files' | 'templates'): Buffer;
  /** Renders a Handlebars template text with the task's variables. */
  render(text: string): string;
  /** Evaluates a `when`-style expression with the task's variables. */
  evaluate(expr: unknown): unknown;
  /**
   * In check mode: what earlier tasks of this run would have left at `path` (its stat, null when
   * removed, and a written file's content); undefined when no earlier task touched it, and always
   * outside check mode. For modules whose reads are their own probes (exec reads), which the
   * executor cannot correct as it corrects stat and file reads.
   */
  checkKnown(path: string): CheckKnown | undefined;
  /** In check mode: the state an earlier task of this run would have left under `key` (Plan.checkState). */
  checkState(key: string): unknown;
}

export type JsonSchema = Record<string, unknown>;

/** How far a module supports check mode or diff mode (Ansible's attribute values). */
export type Support = 'full' | 'partial' | 'none';

/** One field of what the module registers (`register:`), besides changed/failed/msg. */
export interface ReturnDoc {
  description: string;
  /** A JSON type name: string, integer, number, boolean, list, mapping. */
  type: string;
  /** When it is there, if not always (e.g. "after a real run"). */
  returned?: string;
  sample?: unknown;
}

/** What `lbprov doc` and the README's module table show; declared beside the module's schema. */
export interface ModuleDocs {
  /** One line: what the module does (`lbprov doc --list`, the README table). */
  description: string;
  /** What else a user must know (one paragraph each). */
  notes?: string[];
  /** A YAML list of tasks; each must pass the module's schema (test/module-docs.test.ts checks). */
  examples: string;
  /** The registered result's own fields. */
  returns: Record<string, ReturnDoc>;
  /** full: check mode predicts changes; partial: see notes; none: the task is skipped in check mode. */
  check: Support;
  /** full: changes come with a before/after diff; none: no diff. */
  diff: Support;
}

export interface ModuleDef<A = Record<string, unknown>> extends ModuleDocs {
  name: string;
  /** Other names the module answers to (`ansible.builtin.copy`). */
  aliases?: string[];
  /** The arguments, declared once (src/module/args.ts): the JSON schema ajv checks, defaults filled in. */
  schema: TObject;
  /** String shorthand (`command: uname -r`): the argument the string goes to. */
  freeForm?: string;
  /** What to read on the host before planning (one round trip). */
  reads?(args: A, ctx: ModuleContext): Record<string, Read>;
  /** Pure: what to do, from the arguments, facts and what the reads saw. */
  plan(args: A, seen: Record<string, Seen>, ctx: ModuleContext): Plan;
  /** The task's message is output for the user (debug): reporters show it without -v. */
  showsMsg?: boolean;
  /**
   * The task runs once for the whole batch, on its first host, as Ansible's BYPASS_HOST_LOOP
   * actions (pause): the other hosts wait for it and report nothing; a play holding such a task
   * moves task by task (linear), so every host has reached it first.
   */
  once?: boolean;
  /** Arguments that hold `when`-style expressions (assert's `that`): checked at load time as `when` is. */
  expressionArgs?: string[];
  /** Where a local `src` argument is found beside the playbook (files/ or templates/): checked at load time. */
  localSrc?: 'files' | 'templates';
  /** Shell functions the module's reads and steps call (modules/<name>.sh): sent only to hosts that run it. */
  shell?: ShellLib[];
}

/** A file of shell functions that a module's reads and steps call by name (see src/executor/prelude.ts). */
export interface ShellLib {
  /** The file, relative to the package root: what the script per host is built from, and what shellcheck checks. */
  file: string;
  text: string;
}

/**
 * Typed module factory (the ESLint `createRule` shape): `plan` and `reads` get the type of the
 * schema's arguments, so the type and the schema cannot drift. The registry holds ModuleDef (any
 * arguments): the executor calls `plan` only with arguments ajv has validated against `schema`.
 */
export function defineModule<S extends TObject>(
  def: Omit<ModuleDef<ArgsOf<S>>, 'schema'> & { schema: S },
): ModuleDef<ArgsOf<S>> {
  return def;
}

export const noChange = (msg?: string, result?: Record<string, unknown>): Plan => ({
  changed: false,
  steps: [],
  msg,
  result,
});

/** A plan that fails the task with `failed` (Ansible's msg), changing nothing. */
export const failedPlan = (failed: string, result?: Record<string, unknown>): Plan => ({
  changed: false,
  steps: [],
  failed,
  ...(result ? { result } : {}),
});
