import { MODULES } from '../../modules/index.js';
import { META_DEF, USER_META_ACTIONS } from '../module/meta.js';
import type { Pos } from '../util/errors.js';
import type { Problems } from '../util/errors.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { check, TASK_KEYS, TASK_SCHEMA } from './schema.js';
import { checkExpressions, checkTemplates } from './syntax.js';
import { checkTaskArgs } from './task-checks.js';
import { isLoopKey } from './loop-keys.js';
import { checkLoop, loopKeywords } from './loop-task.js';
import type { Task } from './types.js';
import { execKeywords } from './exec-keywords.js';
import { checkExecKeywords } from './exec-check.js';

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function addSchemaProblems(
  doc: SourceDoc,
  problems: Problems,
  base: PathSeg[],
  schema: Record<string, unknown>,
  data: unknown,
  what: string,
): void {
  for (const p of check(schema, data, what)) problems.add(p.message, doc.pos([...base, ...p.path], p.which));
}

/** One module task (or `meta: flush_handlers`): its shape, module, arguments, templates and expressions checked. */
export function readTask(
  doc: SourceDoc,
  dir: string | readonly string[],
  given: unknown,
  path: PathSeg[],
  playTags: string[],
  problems: Problems,
  handler: boolean,
): Task | undefined {
  const pos = doc.pos(path);
  if (!isMap(given)) {
    problems.add('a task must be a mapping with a module key', pos);
    return undefined;
  }
  const raw = given.local_action !== undefined ? localAction(given) : given;
  checkExecKeywords(doc, problems, path, raw);
  const candidates = Object.keys(raw).filter((k) => !TASK_KEYS.has(k) && !isLoopKey(k));
  const label = typeof raw.name === 'string' ? `task "${raw.name}"` : 'task';
  if (candidates.length === 1 && candidates[0] === 'meta') {
    const action = USER_META_ACTIONS.find((a) => a === raw.meta);
    if (!action)
      problems.add(
        `${label}: meta supports ${USER_META_ACTIONS.join(', ')}; got ${JSON.stringify(raw.meta)}`,
        doc.pos([...path, 'meta']),
      );
    addSchemaProblems(doc, problems, path, TASK_SCHEMA, raw, label);
    checkExpressions(doc, problems, [...path, 'when'], raw.when);
    return {
      ...baseTask(raw, playTags, pos),
      name: typeof raw.name === 'string' ? raw.name : `meta: ${action ?? 'flush_handlers'}`,
      module: 'meta',
      def: META_DEF,
      meta: action ?? 'flush_handlers',
    };
  }
  const known = candidates.filter((k) => MODULES.has(k));
  for (const k of candidates.filter((c) => !MODULES.has(c))) {
    problems.add(
      `${label}: unknown module or task key "${k}" (modules: ${[...new Set([...MODULES.values()].map((m) => m.name))].sort().join(', ')})`,
      doc.pos([...path, k], 'key'),
    );
  }
  if (known.length > 1)
    problems.add(`${label}: more than one module (${known.join(', ')}); a task runs exactly one`, pos);
  if (known.length === 0) {
    if (!candidates.length) problems.add(`${label}: no module given`, pos);
    return undefined;
  }
  const key = known[0];
  const def = MODULES.get(key)!;
  let args: Raw;
  const rawArgs = raw[key];
  if (typeof rawArgs === 'string' || typeof rawArgs === 'number') {
    args =
      def.freeForm && !onlyKnownKeyValues(String(rawArgs), def)
        ? { [def.freeForm]: String(rawArgs) }
        : parseKeyValues(String(rawArgs));
  } else if (rawArgs == null) args = {};
  else if (isMap(rawArgs)) args = { ...rawArgs };
  else {
    problems.add(`${label}: the arguments of ${key} must be a mapping`, doc.pos([...path, key]));
    return undefined;
  }
  if (isMap(raw.args)) args = { ...raw.args, ...args };
  addSchemaProblems(doc, problems, path, TASK_SCHEMA, raw, label);
  const validated = structuredClone(args);
  for (const p of check(def.schema, validated, `${label} (${def.name})`)) {
    problems.add(p.message, doc.pos([...path, key, ...p.path], p.which));
  }
  checkTemplates(doc, problems, [...path, key], rawArgs);
  checkTaskArgs(doc, problems, [...path, key], def, args, dir);
  checkNul(doc, problems, [...path, key], rawArgs);
  checkTemplates(doc, problems, [...path, 'vars'], raw.vars);
  checkLoop(doc, problems, path, raw);
  for (const k of ['when', 'changed_when', 'failed_when', 'until'] as const)
    checkExpressions(doc, problems, [...path, k], raw[k]);
  for (const a of def.expressionArgs ?? []) checkExpressions(doc, problems, [...path, key, a], args[a]);
  // a task without a name is named by its module, never by its arguments (they may hold a secret)
  const name = typeof raw.name === 'string' ? raw.name : def.name;
  if (handler && typeof raw.name !== 'string' && !raw.listen)
    problems.add('a handler needs a name (or listen) to be notified by', pos);
  return { ...baseTask(raw, playTags, pos), name, module: def.name, def, args };
}

export function baseTask(raw: Raw, playTags: string[], pos: Pos): Omit<Task, 'name' | 'module' | 'def'> {
  return {
    args: {},
    vars: isMap(raw.vars) ? raw.vars : {},
    when: raw.when,
    ...loopKeywords(raw),
    register: typeof raw.register === 'string' ? raw.register : undefined,
    notify: list(raw.notify),
    listen: list(raw.listen),
    tags: [...new Set([...playTags, ...list(raw.tags)])],
    ...becomeKeywords(raw),
    checkMode: typeof raw.check_mode === 'boolean' ? raw.check_mode : undefined,
    diff: typeof raw.diff === 'boolean' ? raw.diff : undefined,
    noLog: raw.no_log === true,
    ignoreErrors: raw.ignore_errors === true,
    changedWhen: raw.changed_when,
    failedWhen: raw.failed_when,
    timeout: typeof raw.timeout === 'number' ? raw.timeout : undefined,
    until: raw.until,
    retries: typeof raw.retries === 'number' || typeof raw.retries === 'string' ? raw.retries : undefined,
    delay: typeof raw.delay === 'number' || typeof raw.delay === 'string' ? raw.delay : undefined,
    pos,
    exec: Object.keys(execKeywords(raw)).length ? execKeywords(raw) : undefined,
  };
}

/**
 * Ansible's `local_action: MODULE ARGS` (or `local_action: { module: MODULE, ...ARGS }`): the
 * module task, delegated to localhost. Anything not a module name is left for the usual messages.
 */
function localAction(raw: Raw): Raw {
  const { local_action: la, ...rest } = raw;
  if (typeof la === 'string') {
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(la);
    if (m) return { ...rest, [m[1]]: m[2] || null, delegate_to: 'localhost' };
  } else if (isMap(la) && typeof la.module === 'string') {
    const { module, ...args } = la;
    return { ...rest, [module]: args, delegate_to: 'localhost' };
  }
  return raw;
}

/** `debug: var=x`: nothing but k=v pairs of the module's own arguments is the k=v form, not free-form text. */
function onlyKnownKeyValues(s: string, def: { schema: unknown }): boolean {
  const props = (def.schema as { properties?: Record<string, unknown> }).properties ?? {};
  const pairs = [...s.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S+)/g)];
  return (
    pairs.length > 0 &&
    pairs.every((m) => Object.hasOwn(props, m[1])) &&
    !s.replace(/(\w+)=("([^"]*)"|'([^']*)'|\S+)/g, '').trim()
  );
}

/** `path=/x state=directory` as Ansible's k=v shorthand. */
function parseKeyValues(s: string): Raw {
  const out: Raw = {};
  for (const m of s.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S+)/g)) out[m[1]] = m[3] ?? m[4] ?? m[2];
  return out;
}

/** A NUL byte in an argument would be dropped on its way to the host (another path): refused here. */
function checkNul(doc: SourceDoc, problems: Problems, path: PathSeg[], value: unknown): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) problems.add('a NUL byte in a value: no path or argument can hold one', doc.pos(path));
  } else if (Array.isArray(value)) value.forEach((v, i) => checkNul(doc, problems, [...path, i], v));
  else if (isMap(value)) for (const [k, v] of Object.entries(value)) checkNul(doc, problems, [...path, k], v);
}

/** become, become_user, become_method, become_flags of a play or task; become may be a template. */
export function becomeKeywords(raw: Raw): Pick<Task, 'become' | 'becomeUser' | 'becomeMethod' | 'becomeFlags'> {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    become: typeof raw.become === 'boolean' || typeof raw.become === 'string' ? raw.become : undefined,
    becomeUser: str(raw.become_user),
    becomeMethod: str(raw.become_method),
    becomeFlags: str(raw.become_flags),
  };
}
