/**
 * The execution keywords (Ansible's playbook/base.py and task.py): where a task runs
 * (delegate_to, delegate_facts), how many hosts run it (run_once, throttle), what an unreachable
 * host means for it (ignore_unreachable) and the environment of its processes. A play, a block,
 * a role use or an import sets them for every task inside; the innermost wins, except
 * `environment`, whose mappings merge outer first (Ansible's `extend=True, prepend=True`).
 */
export interface ExecKeywords {
  /** An inventory host, `localhost`, or a template of one (rendered with the delegating host's vars). */
  delegateTo?: string;
  delegateFacts?: boolean;
  /** A boolean or a template rendered per host. */
  runOnce?: boolean | string;
  /** At most this many hosts run the task at once (0: no limit); a number or a template. */
  throttle?: number | string;
  ignoreUnreachable?: boolean;
  /** Mappings (or templates of one), outermost first: later entries win. */
  environment?: unknown[];
}

const nonEmpty = { type: 'string', minLength: 1 };
const envEntry = { anyOf: [{ type: 'object' }, nonEmpty] };

/** Schema properties of the keywords a play may set (delegate_to is a task's or block's, as in Ansible). */
export const PLAY_EXEC_PROPS = {
  run_once: { type: ['boolean', 'string'] },
  throttle: { anyOf: [{ type: 'integer', minimum: 0 }, nonEmpty] },
  ignore_unreachable: { type: 'boolean' },
  environment: { anyOf: [envEntry, { type: 'array', items: envEntry }] },
};

/** Schema properties of the keywords of a task, block, role use or import. */
export const EXEC_PROPS = {
  ...PLAY_EXEC_PROPS,
  delegate_to: nonEmpty,
  delegate_facts: { type: 'boolean' },
};

export const EXEC_KEYS = Object.keys(EXEC_PROPS);

type Raw = Record<string, unknown>;

/** The keywords as written on one play, block, task or role use. */
export function execKeywords(raw: Raw): ExecKeywords {
  const out: ExecKeywords = {};
  if (typeof raw.delegate_to === 'string' && raw.delegate_to) out.delegateTo = raw.delegate_to;
  if (typeof raw.delegate_facts === 'boolean') out.delegateFacts = raw.delegate_facts;
  if (typeof raw.run_once === 'boolean' || typeof raw.run_once === 'string') out.runOnce = raw.run_once;
  if (typeof raw.throttle === 'number' || typeof raw.throttle === 'string') out.throttle = raw.throttle;
  if (typeof raw.ignore_unreachable === 'boolean') out.ignoreUnreachable = raw.ignore_unreachable;
  if (raw.environment != null)
    out.environment = Array.isArray(raw.environment) ? [...(raw.environment as unknown[])] : [raw.environment];
  return out;
}

/** What an inner task or block ends up with inside `outer`. */
export function mergeExec(outer: ExecKeywords | undefined, inner: ExecKeywords | undefined): ExecKeywords | undefined {
  if (!outer) return inner && Object.keys(inner).length ? inner : undefined;
  if (!inner) return Object.keys(outer).length ? outer : undefined;
  const environment = [...(outer.environment ?? []), ...(inner.environment ?? [])];
  const merged: ExecKeywords = { ...outer, ...inner };
  if (environment.length) merged.environment = environment;
  return Object.keys(merged).length ? merged : undefined;
}

/** A variable name a POSIX shell can export. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
