import type { Vars } from '../inventory/types.js';
import { pyStr } from '../playbook/filters-python.js';
import { listify, LoopError, runLookup } from '../playbook/loop-sources.js';
import type { Scope } from '../playbook/scope.js';
import { renderString, renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import type { TaskResult } from './task-runner.js';
import type { ItemReport, Status } from './types.js';

/**
 * A task's loop as Ansible 2.14's TaskExecutor runs it (_get_loop_items, _run_loop): the items
 * from `loop` or a `with_<lookup>`, then one run per item with the loop variable, the index
 * variable and `ansible_loop` set, `pause` seconds between items, and the results collated into
 * `results` with Ansible's summary (changed if any item changed, failed if any failed, skipped
 * only if all were).
 */

export interface LoopSetup {
  items: unknown[];
  loopVar: string;
  indexVar?: string;
  /** loop_control.label as written (a template rendered per item); default: the item itself */
  label?: unknown;
  pauseMs: number;
  extended: boolean;
  allItems: boolean;
}

const truthyFlag = (v: unknown): boolean =>
  v === true || (typeof v === 'string' && ['yes', 'true', 'on', '1', 'y'].includes(v.toLowerCase())) || v === 1;

/** The items and the loop_control of a looping task, templated with the host's variables. */
export function loopSetup(
  task: Pick<Task, 'loop' | 'loopWith' | 'loopControl'>,
  scope: Scope,
  searchPath: readonly string[],
): LoopSetup {
  let items: unknown[];
  if (task.loopWith) {
    const src = typeof task.loop === 'string' ? task.loop.trim() : task.loop;
    items = runLookup(task.loopWith, listify(renderValue(src, scope)), { searchPath });
  } else {
    const rendered = renderValue(task.loop, scope);
    if (!Array.isArray(rendered))
      throw new LoopError(
        `Invalid data passed to 'loop', it requires a list, got this instead: ${pyStr(rendered)}. ` +
          'Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.',
      );
    items = rendered;
  }
  const lc = task.loopControl ?? {};
  const get = (k: keyof typeof lc): unknown => (lc[k] === undefined ? undefined : renderValue(lc[k], scope));
  const loopVar = get('loop_var') ?? 'item';
  const indexVar = get('index_var');
  for (const [k, v] of [
    ['loop_var', loopVar],
    ['index_var', indexVar],
  ] as const)
    if (v !== undefined && v !== null && (typeof v !== 'string' || !/^[A-Za-z_]\w*$/.test(v)))
      throw new LoopError(`loop_control.${k} must be a variable name, got ${pyStr(v)}`);
  const pause = Number(get('pause') ?? 0);
  if (!Number.isFinite(pause) || pause < 0)
    throw new LoopError(`loop_control.pause must be a number of seconds >= 0, got ${pyStr(get('pause'))}`);
  const allItems = get('extended_allitems');
  return {
    items,
    loopVar: loopVar as string,
    indexVar: typeof indexVar === 'string' && indexVar ? indexVar : undefined,
    label: lc.label,
    pauseMs: pause * 1000,
    extended: truthyFlag(get('extended')),
    allItems: allItems === undefined ? true : truthyFlag(allItems),
  };
}

/** The variables item `i` runs with (and its registered result holds): the loop var, the index var, ansible_loop. */
export function itemVars(s: LoopSetup, i: number): Vars {
  const out: Vars = { [s.loopVar]: s.items[i], ansible_loop_var: s.loopVar };
  if (s.indexVar) Object.assign(out, { [s.indexVar]: i, ansible_index_var: s.indexVar });
  if (s.extended) {
    const n = s.items.length;
    const loop: Vars = {
      index: i + 1,
      index0: i,
      first: i === 0,
      last: i + 1 === n,
      length: n,
      revindex: n - i,
      revindex0: n - i - 1,
    };
    if (s.allItems) loop.allitems = s.items;
    if (i + 1 < n) loop.nextitem = s.items[i + 1];
    if (i > 0) loop.previtem = s.items[i - 1];
    out.ansible_loop = loop;
  }
  return out;
}

/** What the output shows for the item (`(item=...)`): the rendered label, or the item, as Python prints it. */
export function itemLabel(s: LoopSetup, i: number, itemScope: Scope): string {
  if (s.label === undefined) return pyStr(s.items[i]);
  return pyStr(typeof s.label === 'string' ? renderString(s.label, itemScope) : s.label);
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

function summary(results: TaskResult[]): { status: Status; msg: string } {
  const any = (st: Status): boolean => results.some((r) => r.status === st);
  if (any('failed')) return { status: 'failed', msg: 'One or more items failed' };
  if (results.every((r) => r.status === 'skipped')) return { status: 'skipped', msg: 'All items skipped' };
  return { status: any('changed') ? 'changed' : 'ok', msg: 'All items completed' };
}

const base = (status: Status, extra: Partial<TaskResult>): TaskResult => ({
  status,
  changed: status === 'changed',
  failed: status === 'failed' || status === 'unreachable',
  skipped: status === 'skipped',
  diff: [],
  warnings: [],
  data: {},
  ...extra,
});

/**
 * Runs a looping task on one host; `runOne` runs the task once in a scope (its `when`, `until`,
 * module). A failed item does not stop the loop (Ansible runs every item); an unreachable host does.
 */
export async function runLoop(
  task: Task,
  scope: Scope,
  searchPath: readonly string[],
  runOne: (scope: Scope) => Promise<TaskResult>,
  itemScope: (vars: Vars) => Scope = (vars) => scope.child({}, vars),
): Promise<TaskResult> {
  let s: LoopSetup;
  try {
    s = loopSetup(task, scope, searchPath);
  } catch (e) {
    if (e instanceof LoopError) return base('failed', { msg: e.message });
    throw e;
  }
  if (!s.items.length) return base('skipped', { results: [], data: { skipped_reason: 'No items in the list' } });
  const warnings = scope.has(s.loopVar)
    ? [
        `The loop variable '${s.loopVar}' is already in use. You should set the \`loop_var\` value in the ` +
          '`loop_control` option for the task to something else to avoid variable collisions and unexpected behavior.',
      ]
    : [];
  const results: TaskResult[] = [];
  for (let i = 0; i < s.items.length; i++) {
    if (i > 0 && s.pauseMs) await sleep(s.pauseMs);
    const vars = itemVars(s, i);
    const s1 = itemScope(vars);
    const r = await runOne(s1);
    r.data = { ...r.data, ...vars };
    try {
      r.label = itemLabel(s, i, s1);
    } catch (e) {
      r.label = pyStr(s.items[i]);
      Object.assign(r, {
        status: 'failed',
        failed: true,
        msg: `Failed to template loop_control.label: ${(e as Error).message}`,
      });
    }
    results.push(r);
    if (r.status === 'unreachable') return { ...r, results };
  }
  const { status, msg } = summary(results);
  const set = results.filter((r) => r.setVars);
  return base(status, {
    // changed stays true when an item changed, even if another failed (Ansible's result keeps both)
    changed: results.some((r) => r.changed),
    msg,
    results,
    diff: results.flatMap((r) => r.diff),
    warnings: [...warnings, ...results.flatMap((r) => r.warnings)],
    // as Ansible: each item's set_fact variables in turn, so the last item's win
    ...(set.length
      ? {
          setVars: set.reduce<Record<string, unknown>>((all, r) => ({ ...all, ...r.setVars }), {}),
          cacheable: set.some((r) => r.cacheable),
        }
      : {}),
  });
}

/** The per-item lines of a loop's report; `noLog` hides labels and messages as Ansible's "(censored due to no_log)". */
export function itemReports(r: TaskResult, noLog: boolean, showsMsg: boolean | undefined): ItemReport[] | undefined {
  if (!r.results?.length) return undefined;
  return r.results.map((x) => ({
    status: x.status,
    label: noLog ? '(censored due to no_log)' : (x.label ?? ''),
    ...(x.msg !== undefined && !noLog && (x.status === 'failed' || x.status === 'unreachable') ? { msg: x.msg } : {}),
    ...(showsMsg && !noLog && x.status === 'ok' && x.msg !== undefined ? { shown: x.msg } : {}),
  }));
}
