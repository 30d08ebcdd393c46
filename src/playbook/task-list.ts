import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { META_DEF } from '../module/meta.js';
import type { Vars } from '../inventory/types.js';
import { InputError, Problems, type Pos } from '../util/errors.js';
import { SourceDoc, type PathSeg } from '../util/yaml.js';
import { findRole, roleFile, roleFiles, roleSearchDirs, roleVars, type RoleUse } from './roles.js';
import { BLOCK_SCHEMA, includeSchema, ROLE_ENTRY_KEYS } from './structure-schema.js';
import { checkExpressions, checkTemplates } from './syntax.js';
import { addSchemaProblems, baseTask, becomeKeywords, readTask } from './task.js';
import { isLoopKey } from './loop-keys.js';
import { checkLoop } from './loop-task.js';
import { isTemplate } from './template.js';
import type { Block, InBlock, RoleVars, Task } from './types.js';
import { execKeywords, mergeExec, type ExecKeywords } from './exec-keywords.js';
import { checkExecKeywords } from './exec-check.js';

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
/** `ansible.builtin.import_tasks` is `import_tasks`. */
const short = (k: string): string => k.replace(/^ansible\.(builtin|legacy)\./, '');
export const STRUCTURAL = [
  'block',
  'import_tasks',
  'include_tasks',
  'import_role',
  'include_role',
  'include',
  'import_playbook',
];

/** What a task inherits from the blocks, imports and roles around it. */
export interface ListCtx {
  doc: SourceDoc;
  /** The folder of the file being read: relative includes and `src:` are looked up from there first. */
  dir: string;
  handler: boolean;
  tags: string[];
  when: unknown[];
  become: Pick<Task, 'become' | 'becomeUser' | 'becomeMethod' | 'becomeFlags'>;
  keywords: Partial<Pick<Task, 'ignoreErrors' | 'noLog' | 'checkMode' | 'diff'>>;
  /** delegate_to, run_once, throttle, ignore_unreachable, environment from the play inwards. */
  exec?: ExecKeywords;
  vars: Vars;
  role?: RoleVars;
  /** Roles that depend on the role being read, outermost first, and the role itself (cycle checks, role vars). */
  roleChain: RoleUse[];
  blocks: InBlock[];
  /** Files being imported, outermost first: a file importing itself is a cycle. */
  files: string[];
}

/** Per play: what reading its task lists collects besides the tasks. */
export interface PlayLoad {
  playbookDir: string;
  rolesPath: readonly string[];
  problems: Problems;
  handlers: Task[];
  /** Roles of `roles:` and import_role (their vars are play-wide). */
  roles: RoleUse[];
  /** Role uses compiled so far (Ansible's role cache: the same role with the same parameters runs once). */
  compiled: Set<string>;
  /** Role handler files read so far. */
  handlerFiles: Set<string>;
  nextBlock: number;
}

export function rootCtx(doc: SourceDoc, dir: string, handler: boolean, tags: string[]): ListCtx {
  return {
    doc,
    dir,
    handler,
    tags,
    when: [],
    become: {},
    keywords: {},
    vars: {},
    roleChain: [],
    blocks: [],
    files: [doc.file],
  };
}

/** Reads a task list (tasks, handlers, a block section, an imported file) into `out`, flattening what is static. */
export function readList(pl: PlayLoad, raw: unknown, path: PathSeg[], ctx: ListCtx, out: Task[]): void {
  if (raw == null) return;
  if (!Array.isArray(raw)) {
    pl.problems.add('a task list must be a list', ctx.doc.pos(path));
    return;
  }
  raw.forEach((t, i) => readEntry(pl, t, [...path, i], ctx, out));
}

function readEntry(pl: PlayLoad, raw: unknown, path: PathSeg[], ctx: ListCtx, out: Task[]): void {
  const { doc, problems } = { doc: ctx.doc, problems: pl.problems };
  if (!isMap(raw)) {
    problems.add('a task must be a mapping with a module key', doc.pos(path));
    return;
  }
  const key = Object.keys(raw).find((k) => STRUCTURAL.includes(short(k)));
  if (!key) {
    const t = readTask(
      doc,
      ctx.dir === pl.playbookDir ? ctx.dir : [ctx.dir, pl.playbookDir],
      raw,
      path,
      ctx.tags,
      problems,
      ctx.handler,
    );
    if (t) out.push(inherit(t, ctx));
    return;
  }
  const kind = short(key);
  if (kind === 'block') return readBlock(pl, raw, path, ctx, out);
  if (kind === 'import_playbook') {
    problems.add('import_playbook is a play-level entry, not a task', doc.pos([...path, key], 'key'));
    return;
  }
  if (kind === 'include') {
    problems.add(
      '"include" was removed from Ansible: use import_tasks (static) or include_tasks (dynamic)',
      doc.pos([...path, key], 'key'),
    );
    return;
  }
  const label = `${kind}${typeof raw.name === 'string' ? ` "${raw.name}"` : ''}`;
  addSchemaProblems(doc, problems, path, includeSchema(key), raw, label);
  for (const k of ['when'] as const) checkExpressions(doc, problems, [...path, k], raw[k]);
  if (kind !== 'import_tasks' && kind !== 'import_role') checkLoop(doc, problems, path, raw);
  checkTemplates(doc, problems, [...path, 'vars'], raw.vars);
  checkExecKeywords(doc, problems, path, raw);
  const arg = raw[key];
  if (kind === 'import_tasks' || kind === 'include_tasks') {
    const file = typeof arg === 'string' ? arg : isMap(arg) && typeof arg.file === 'string' ? arg.file : undefined;
    if (!file) {
      problems.add(
        `${label}: give the file to ${kind === 'import_tasks' ? 'import' : 'include'} (${key}: FILE)`,
        doc.pos([...path, key]),
      );
      return;
    }
    if (kind === 'import_tasks') return importTasks(pl, raw, file, path, key, ctx, out);
    return includeTasks(pl, raw, file, path, key, ctx, out);
  }
  // import_role / include_role
  if (!isMap(arg) || typeof arg.name !== 'string') {
    problems.add(`${label}: give the role as ${key}: { name: ROLE }`, doc.pos([...path, key]));
    return;
  }
  const bad = Object.keys(arg).filter(
    (k) =>
      ![
        'name',
        'tasks_from',
        'vars_from',
        'defaults_from',
        'handlers_from',
        'allow_duplicates',
        'public',
        'apply',
      ].includes(k),
  );
  for (const k of bad) problems.add(`${label}: unknown key "${k}"`, doc.pos([...path, key, k], 'key'));
  if (isTemplate(arg.name)) {
    problems.add(
      `${label}: the role name must be literal (it is looked up before any host is contacted)`,
      doc.pos([...path, key, 'name']),
    );
    return;
  }
  const from = {
    tasks: str(arg.tasks_from),
    vars: str(arg.vars_from),
    defaults: str(arg.defaults_from),
    handlers: str(arg.handlers_from),
  };
  const use = {
    name: arg.name,
    pos: doc.pos([...path, key, 'name']),
    params: {},
    varsKw: isMap(raw.vars) ? raw.vars : {},
    from,
  };
  if (kind === 'import_role') {
    const inner = withKeywords(ctx, raw);
    compileRole(pl, use, inner, out, arg.allow_duplicates !== false, true);
    return;
  }
  // include_role: the role is loaded now (its errors are load-time errors), run when a host gets there
  const tasks: Task[] = [];
  const inner: ListCtx = { ...ctx, tags: ctx.tags, when: ctx.when, blocks: [], vars: {} };
  compileRole(pl, { ...use, varsKw: {} }, inner, tasks, true, arg.public === true);
  const t = includeTask(raw, key, ctx, path);
  t.include = { kind: 'role', file: arg.name, base: ctx.dir, tasks, params: isMap(raw.vars) ? raw.vars : {} };
  out.push(t);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The task an include is run as: its own when/loop/tags, with what its surroundings give every task. */
function includeTask(raw: Raw, key: string, ctx: ListCtx, path: PathSeg[]): Task {
  const t = baseTask({ ...raw, vars: undefined }, ctx.tags, ctx.doc.pos(path));
  // unnamed, it is called by its key as written, as Ansible does ("include_tasks", not the file)
  const name = typeof raw.name === 'string' ? raw.name : key;
  return inherit({ ...t, name, module: short(key), def: META_DEF }, ctx);
}

/**
 * A play's ignore_errors, no_log, check_mode and diff: every task of the play (handlers, roles and
 * blocks included) inherits them, as from a block. The rest of the play's keywords are the play's.
 */
export function playCtx(ctx: ListCtx, raw: Raw): ListCtx {
  return {
    ...ctx,
    keywords: withKeywords(ctx, {
      ignore_errors: raw.ignore_errors,
      no_log: raw.no_log,
      check_mode: raw.check_mode,
      diff: raw.diff,
    }).keywords,
  };
}

/** Keywords of a block, import or role use that every task inside inherits. */
function withKeywords(ctx: ListCtx, raw: Raw): ListCtx {
  const b = becomeKeywords(raw);
  const kw = { ...ctx.keywords };
  if (typeof raw.ignore_errors === 'boolean') kw.ignoreErrors = raw.ignore_errors;
  if (typeof raw.no_log === 'boolean') kw.noLog = raw.no_log;
  if (typeof raw.check_mode === 'boolean') kw.checkMode = raw.check_mode;
  if (typeof raw.diff === 'boolean') kw.diff = raw.diff;
  return {
    ...ctx,
    tags: [...new Set([...ctx.tags, ...list(raw.tags)])],
    when:
      raw.when === undefined
        ? ctx.when
        : [...ctx.when, ...(Array.isArray(raw.when) ? (raw.when as unknown[]) : [raw.when])],
    become: { ...ctx.become, ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) },
    keywords: kw,
    exec: mergeExec(ctx.exec, execKeywords(raw)),
    vars: isMap(raw.vars) ? { ...ctx.vars, ...raw.vars } : ctx.vars,
  };
}

/** What a task takes from around it: tags, conditions (outer first), become, vars below its own, its role and blocks. */
function inherit(t: Task, ctx: ListCtx): Task {
  const when =
    t.when === undefined ? ctx.when : [...ctx.when, ...(Array.isArray(t.when) ? (t.when as unknown[]) : [t.when])];
  // a role's task is shown as Ansible shows it, "ROLE : TASK", also when an include_tasks of the role read it
  const prefixed = ctx.role && !ctx.handler && !t.name.startsWith(`${ctx.role.name} : `);
  return {
    ...t,
    ...(prefixed ? { name: `${ctx.role!.name} : ${t.name}`, ownName: t.ownName ?? t.name } : {}),
    when: when.length ? when : undefined,
    become: t.become ?? ctx.become.become,
    becomeUser: t.becomeUser ?? ctx.become.becomeUser,
    becomeMethod: t.becomeMethod ?? ctx.become.becomeMethod,
    becomeFlags: t.becomeFlags ?? ctx.become.becomeFlags,
    ignoreErrors: t.ignoreErrors || (ctx.keywords.ignoreErrors ?? false),
    noLog: t.noLog || (ctx.keywords.noLog ?? false),
    checkMode: t.checkMode ?? ctx.keywords.checkMode,
    diff: t.diff ?? ctx.keywords.diff,
    exec: mergeExec(ctx.exec, t.exec),
    vars: Object.keys(ctx.vars).length ? { ...ctx.vars, ...t.vars } : t.vars,
    role: ctx.role,
    blocks: ctx.blocks.length ? ctx.blocks : undefined,
    dir: ctx.dir,
  };
}

function readBlock(pl: PlayLoad, raw: Raw, path: PathSeg[], ctx: ListCtx, out: Task[]): void {
  const { doc, problems } = { doc: ctx.doc, problems: pl.problems };
  const label = `block${typeof raw.name === 'string' ? ` "${raw.name}"` : ''}`;
  addSchemaProblems(doc, problems, path, BLOCK_SCHEMA, raw, label);
  checkExecKeywords(doc, problems, path, raw);
  checkExpressions(doc, problems, [...path, 'when'], raw.when);
  checkTemplates(doc, problems, [...path, 'vars'], raw.vars);
  const block: Block = { id: pl.nextBlock++, name: str(raw.name), start: out.length, end: out.length };
  const inner = withKeywords(ctx, raw);
  const section = (s: InBlock['section']): ListCtx => ({ ...inner, blocks: [...ctx.blocks, { block, section: s }] });
  readList(pl, raw.block, [...path, 'block'], section('block'), out);
  if (raw.rescue != null) {
    block.rescue = out.length;
    readList(pl, raw.rescue, [...path, 'rescue'], section('rescue'), out);
  }
  if (raw.always != null) {
    block.always = out.length;
    readList(pl, raw.always, [...path, 'always'], section('always'), out);
  }
  block.end = out.length;
}

/** A file to import or include: beside the file naming it (the role's tasks/ folder), then beside the playbook. */
function resolveTaskFile(
  pl: Pick<PlayLoad, 'playbookDir'>,
  file: string,
  ctx: Pick<ListCtx, 'dir'>,
): string | undefined {
  if (isAbsolute(file)) return existsSync(file) ? file : undefined;
  const tries = [
    join(ctx.dir, file),
    join(ctx.dir, 'tasks', file),
    join(pl.playbookDir, file),
    join(pl.playbookDir, 'tasks', file),
  ];
  return tries.find((p) => existsSync(p) && statSync(p).isFile());
}

/** Loads a task file: a YAML list, checked like the playbook (shared by import and include). */
function loadTaskFile(pl: PlayLoad, f: string, at: Pos, ctx: Pick<ListCtx, 'files'>): SourceDoc | undefined {
  if (ctx.files.includes(f)) {
    pl.problems.add(
      `import cycle: ${[...ctx.files.slice(ctx.files.indexOf(f)), f].map((x) => relative(pl.playbookDir, x) || x).join(' -> ')}`,
      at,
    );
    return undefined;
  }
  const doc = pl.problems.collect(() => SourceDoc.load(f));
  if (!doc) return undefined;
  if (doc.value != null && !Array.isArray(doc.value)) {
    pl.problems.add('a task file is a list of tasks', doc.pos([]));
    return undefined;
  }
  return doc;
}

function importTasks(
  pl: PlayLoad,
  raw: Raw,
  file: string,
  path: PathSeg[],
  key: string,
  ctx: ListCtx,
  out: Task[],
): void {
  const at = ctx.doc.pos([...path, key]);
  if (isTemplate(file)) {
    pl.problems.add(
      `import_tasks: "${file}" is a template; an import is read before any host is contacted (use include_tasks)`,
      at,
    );
    return;
  }
  for (const k of Object.keys(raw).filter(isLoopKey))
    if (raw[k] !== undefined)
      pl.problems.add(`import_tasks cannot loop (use include_tasks)`, ctx.doc.pos([...path, k], 'key'));
  const f = resolveTaskFile(pl, file, ctx);
  if (!f) {
    pl.problems.add(`import_tasks: "${file}" not found (looked in ${ctx.dir} and ${pl.playbookDir})`, at);
    return;
  }
  const doc = loadTaskFile(pl, f, at, ctx);
  if (!doc) return;
  readList(pl, doc.value, [], { ...withKeywords(ctx, raw), doc, dir: dirname(f), files: [...ctx.files, f] }, out);
}

function includeTasks(
  pl: PlayLoad,
  raw: Raw,
  file: string,
  path: PathSeg[],
  key: string,
  ctx: ListCtx,
  out: Task[],
): void {
  const t = includeTask(raw, key, ctx, path);
  t.include = { kind: 'tasks', file, base: ctx.dir, params: isMap(raw.vars) ? raw.vars : {} };
  // a literal file is read now, so its errors are load-time errors; a template is read per host
  if (!isTemplate(file)) {
    const at = ctx.doc.pos([...path, key]);
    const f = resolveTaskFile(pl, file, ctx);
    if (!f) {
      pl.problems.add(`include_tasks: "${file}" not found (looked in ${ctx.dir} and ${pl.playbookDir})`, at);
      return;
    }
    const doc = loadTaskFile(pl, f, at, ctx);
    if (!doc) return;
    const tasks: Task[] = [];
    // the included tasks inherit from the include's surroundings, not the include's own tags and when
    readList(
      pl,
      doc.value,
      [],
      {
        ...ctx,
        doc,
        dir: dirname(f),
        files: [...ctx.files, f],
        blocks: [],
        vars: ctx.vars,
        exec: mergeExec(ctx.exec, execKeywords(raw)),
      },
      tasks,
    );
    t.include.tasks = tasks;
  }
  out.push(t);
}

/** Loads a task file named by a template once rendered for a host (include_tasks: "{{ x }}.yml"): problems are thrown. */
export function loadIncludedFile(file: string, from: Task, playbookDir: string): Task[] {
  const pl: PlayLoad = {
    playbookDir,
    rolesPath: [],
    problems: new Problems(),
    handlers: [],
    roles: [],
    compiled: new Set(),
    handlerFiles: new Set(),
    nextBlock: 1e6,
  };
  const dir = from.include?.base ?? playbookDir;
  const f = resolveTaskFile(pl, file, { dir });
  if (!f) throw new InputError(`include_tasks: "${file}" not found (looked in ${dir} and ${playbookDir})`);
  const doc = loadTaskFile(pl, f, from.pos, { files: [] });
  const tasks: Task[] = [];
  if (doc) readList(pl, doc.value, [], { ...rootCtx(doc, dirname(f), false, []), role: from.role }, tasks);
  pl.problems.throwIfAny();
  return tasks;
}

export interface RoleRef {
  name: string;
  pos: Pos;
  params: Vars;
  varsKw: Vars;
  from?: { tasks?: string; vars?: string; defaults?: string; handlers?: string };
}

/** A `roles:` entry (a name, or a mapping with role/name, keywords and inline parameters). */
export function readRoleEntry(pl: PlayLoad, raw: unknown, path: PathSeg[], ctx: ListCtx, out: Task[]): void {
  const doc = ctx.doc;
  if (typeof raw === 'string') {
    compileRole(pl, { name: raw, pos: doc.pos(path), params: {}, varsKw: {} }, ctx, out, false, true);
    return;
  }
  if (!isMap(raw) || (typeof raw.role !== 'string' && typeof raw.name !== 'string')) {
    pl.problems.add('a role entry is a role name or a mapping with "role: NAME"', doc.pos(path));
    return;
  }
  const nameKey = typeof raw.role === 'string' ? 'role' : 'name';
  const params: Vars = {};
  for (const [k, v] of Object.entries(raw)) if (!ROLE_ENTRY_KEYS.has(k)) params[k] = v;
  checkExpressions(doc, pl.problems, [...path, 'when'], raw.when);
  checkTemplates(doc, pl.problems, [...path, 'vars'], raw.vars);
  const inner = withKeywords({ ...ctx }, { ...raw, vars: undefined });
  const use: RoleRef = {
    name: String(raw[nameKey]),
    pos: doc.pos([...path, nameKey]),
    params,
    varsKw: isMap(raw.vars) ? raw.vars : {},
  };
  // Ansible's role cache: the key holds the parameters, when, tags and vars of the use
  compileRole(pl, use, inner, out, false, true, roleKey(params, raw));
}

/**
 * Expands a role where it is used: its dependencies (meta/main.yml) first, each once per play unless
 * it allows duplicates, then its tasks; its handlers join the play's.
 */
function compileRole(
  pl: PlayLoad,
  ref: RoleRef,
  ctx: ListCtx,
  out: Task[],
  allowDup: boolean,
  playWide: boolean,
  key = roleKey(ref.params, { vars: ref.varsKw }),
): RoleUse | undefined {
  const parent = ctx.roleChain.at(-1);
  const dir = findRole(ref.name, roleSearchDirs(pl.playbookDir, pl.rolesPath, parent?.files.dir));
  if (!dir) {
    pl.problems.add(
      `role "${ref.name}" not found (looked in ${roleSearchDirs(pl.playbookDir, pl.rolesPath, parent?.files.dir).join(', ')})`,
      ref.pos,
    );
    return undefined;
  }
  const cyc = ctx.roleChain.findIndex((r) => r.files.dir === dir);
  if (cyc >= 0) {
    pl.problems.add(
      `role dependency cycle: ${[...ctx.roleChain.slice(cyc).map((r) => r.name), ref.name].join(' -> ')}`,
      ref.pos,
    );
    return undefined;
  }
  const files = roleFiles(dir, pl.problems, { vars: ref.from?.vars, defaults: ref.from?.defaults });
  const use: RoleUse = { name: ref.name, files, varsKw: ref.varsKw, params: ref.params, deps: [] };
  const chain = [...ctx.roleChain, use];
  const cacheKey = `${dir}\0${ref.from?.tasks ?? ''}\0${key}`;
  // dependencies first; whether a use that ran already on a host runs again is decided per host,
  // as Ansible's has_run(): see the role_complete marker below and executor/block.ts
  const meta = files.meta;
  const depsRaw = (meta?.value as { dependencies?: unknown } | null)?.dependencies;
  if (depsRaw != null && meta) {
    if (!Array.isArray(depsRaw)) pl.problems.add('dependencies must be a list of roles', meta.pos(['dependencies']));
    else {
      const depCtx: ListCtx = { ...ctx, doc: meta, roleChain: chain, role: undefined };
      depsRaw.forEach((d, i) => {
        const dep = compileDep(pl, d, ['dependencies', i], depCtx, out);
        if (dep) use.deps.push(dep);
      });
    }
  }
  if (playWide && ctx.roleChain.length === 0 && !pl.compiled.has(cacheKey)) pl.roles.push(use);
  pl.compiled.add(cacheKey);
  const once = allowDup || files.allowDuplicates ? undefined : cacheKey;
  const rv = roleVars(use, ctx.roleChain);
  const inner: ListCtx = { ...ctx, dir: join(dir, 'tasks'), role: rv, roleChain: chain };
  const tasksFile = roleFile(dir, 'tasks', ref.from?.tasks);
  if (ref.from?.tasks && !tasksFile)
    pl.problems.add(`role "${ref.name}": tasks_from "${ref.from.tasks}" not found in ${join(dir, 'tasks')}`, ref.pos);
  if (tasksFile) {
    const doc = loadTaskFile(pl, tasksFile, ref.pos, ctx);
    // read into `out` itself: the blocks' sections are index ranges of the list they are in
    const first = out.length;
    if (doc) readList(pl, doc.value, [], { ...inner, doc, files: [...ctx.files, tasksFile] }, out);
    // shown as Ansible shows them: "ROLE : TASK"
    for (let k = first; k < out.length; k++) {
      const t = out[k];
      if (t.role === rv)
        out[k] = {
          ...t,
          name: t.name.startsWith(`${ref.name} : `) ? t.name : `${ref.name} : ${t.name}`,
          ownName: t.ownName ?? t.name,
          roleOnce: once,
        };
    }
  }
  if (once)
    out.push({
      ...baseTask({}, [], ref.pos),
      name: `${ref.name} : role_complete`,
      module: 'meta',
      def: META_DEF,
      meta: 'role_complete',
      roleOnce: once,
    });
  const handlersFile = roleFile(dir, 'handlers', ref.from?.handlers);
  if (handlersFile && !pl.handlerFiles.has(handlersFile)) {
    pl.handlerFiles.add(handlersFile);
    const doc = loadTaskFile(pl, handlersFile, ref.pos, ctx);
    const hs: Task[] = [];
    if (doc)
      readList(
        pl,
        doc.value,
        [],
        { ...inner, doc, handler: true, when: [], blocks: [], files: [...ctx.files, handlersFile] },
        hs,
      );
    // Ansible also answers to "ROLE : HANDLER"
    for (const h of hs) pl.handlers.push({ ...h, name: `${ref.name} : ${h.name}`, listen: [...h.listen, h.name] });
  }
  return use;
}

function compileDep(pl: PlayLoad, raw: unknown, path: PathSeg[], ctx: ListCtx, out: Task[]): RoleUse | undefined {
  const doc = ctx.doc;
  if (typeof raw === 'string')
    return compileRole(pl, { name: raw, pos: doc.pos(path), params: {}, varsKw: {} }, ctx, out, false, false);
  if (!isMap(raw) || (typeof raw.role !== 'string' && typeof raw.name !== 'string')) {
    pl.problems.add('a dependency is a role name or a mapping with "role: NAME"', doc.pos(path));
    return undefined;
  }
  const nameKey = typeof raw.role === 'string' ? 'role' : 'name';
  const params: Vars = {};
  for (const [k, v] of Object.entries(raw)) if (!ROLE_ENTRY_KEYS.has(k)) params[k] = v;
  const inner = withKeywords(ctx, { ...raw, vars: undefined });
  return compileRole(
    pl,
    { name: String(raw[nameKey]), pos: doc.pos([...path, nameKey]), params, varsKw: isMap(raw.vars) ? raw.vars : {} },
    inner,
    out,
    false,
    false,
    roleKey(params, raw),
  );
}

/** Ansible's role cache key: the same role with the same parameters, when, tags and vars is the same role. */
function roleKey(params: Vars, raw: Raw): string {
  return JSON.stringify([params, raw.when ?? null, raw.tags ?? null, raw.vars ?? {}]);
}
