import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { META_DEF } from '../module/meta.js';
import { loadVarsFile } from '../inventory/load.js';
import type { Vars } from '../inventory/types.js';
import { formatProblem, Problems, type Pos } from '../util/errors.js';
import { SourceDoc, type PathSeg } from '../util/yaml.js';
import { PLAY_SCHEMA } from './schema.js';
import { execKeywords, mergeExec } from './exec-keywords.js';
import { checkExecKeywords } from './exec-check.js';
import { checkTemplates } from './syntax.js';
import { DEFAULT_ROLES_PATH, playRoleVars } from './roles.js';
import { addSchemaProblems, baseTask, becomeKeywords } from './task.js';
import { playCtx, readList, readRoleEntry, rootCtx, type PlayLoad } from './task-list.js';
import { isTemplate } from './template.js';
import type { Play, Playbook, PlaybookVarsDir, Task } from './types.js';

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] => (v == null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export interface LoadOptions {
  /** roles_path from the config (src/config): searched after roles/ beside the playbook. */
  rolesPath?: readonly string[];
}

/**
 * Loads a playbook and checks everything that can be checked without a host: its shape, module
 * names and argument types, template and expression syntax, handler names; roles, imports and
 * blocks are expanded here (task-list.ts), so their problems are load-time problems too. All
 * problems are thrown at once as an InputError (exit 5), each with file:line:col.
 */
export function loadPlaybook(file: string, opts: LoadOptions = {}): Playbook {
  const path = resolve(file);
  const problems = new Problems();
  const plays: Play[] = [];
  const varsDirs = new Map<string, PlaybookVarsDir>();
  readPlaybookFile(path, problems, plays, varsDirs, [], opts.rolesPath ?? DEFAULT_ROLES_PATH, {});
  problems.throwIfAny();
  const dir = dirname(path);
  return {
    file: path,
    dir,
    defaults: varsDirs.get(dir)?.groups.get('all') ?? {},
    plays,
    varsDirs,
    warnings: problems.warnings.map(formatProblem),
  };
}

/** A playbook file's plays, with those of the playbooks it imports in their place. */
function readPlaybookFile(
  path: string,
  problems: Problems,
  plays: Play[],
  varsDirs: Map<string, PlaybookVarsDir>,
  stack: string[],
  rolesPath: readonly string[],
  given: { vars?: Vars; tags?: string[]; at?: Pos },
): void {
  const doc = problems.collect(() => SourceDoc.load(path));
  if (!doc) return;
  const dir = dirname(path);
  if (!varsDirs.has(dir)) varsDirs.set(dir, readVarsDirs(dir, problems));
  if (!Array.isArray(doc.value)) {
    problems.add('a playbook is a list of plays', doc.pos([]));
    return;
  }
  (doc.value as unknown[]).forEach((raw, i) => {
    const key = isMap(raw)
      ? Object.keys(raw).find((k) => k.replace(/^ansible\.(builtin|legacy)\./, '') === 'import_playbook')
      : undefined;
    if (isMap(raw) && key) {
      for (const k of Object.keys(raw))
        if (![key, 'name', 'vars', 'tags'].includes(k))
          problems.add(`import_playbook: unknown key "${k}" (name, vars, tags)`, doc.pos([i, k], 'key'));
      const target = raw[key];
      const at = doc.pos([i, key]);
      if (typeof target !== 'string' || isTemplate(target)) {
        problems.add('import_playbook: give a literal file name', at);
        return;
      }
      const f = isAbsolute(target) ? target : join(dir, target);
      if (!existsSync(f) || !statSync(f).isFile()) {
        problems.add(`import_playbook: "${target}" not found (looked in ${dir})`, at);
        return;
      }
      if ([...stack, path].includes(f)) {
        problems.add(
          `import cycle: ${[...stack, path]
            .slice([...stack, path].indexOf(f))
            .map((x) => relative(dir, x) || x)
            .concat(relative(dir, f))
            .join(' -> ')}`,
          at,
        );
        return;
      }
      readPlaybookFile(f, problems, plays, varsDirs, [...stack, path], rolesPath, {
        vars: { ...given.vars, ...(isMap(raw.vars) ? raw.vars : {}) },
        tags: [...(given.tags ?? []), ...list(raw.tags)],
      });
      return;
    }
    const play = readPlay(doc, dir, raw, [i], problems, rolesPath);
    if (!play) return;
    if (given.vars && Object.keys(given.vars).length) play.vars = { ...play.vars, ...given.vars };
    if (given.tags?.length) {
      play.tags = [...new Set([...given.tags, ...play.tags])];
      for (const t of [...play.tasks, ...play.handlers]) t.tags = [...new Set([...given.tags, ...t.tags])];
    }
    plays.push(play);
  });
}

/** group_vars/<group>(.yml|.yaml|/) and host_vars/<host>(...) beside a playbook, by name (the inventory says who is in which group). */
function readVarsDirs(dir: string, problems: Problems): PlaybookVarsDir {
  const out: PlaybookVarsDir = { groups: new Map(), hosts: new Map() };
  for (const [sub, into] of [
    ['group_vars', out.groups],
    ['host_vars', out.hosts],
  ] as const) {
    const base = join(dir, sub);
    if (!existsSync(base) || !statSync(base).isDirectory()) continue;
    for (const entry of readdirSync(base).sort()) {
      const p = join(base, entry);
      const isDir = statSync(p).isDirectory();
      if (!isDir && !/\.ya?ml$/.test(entry)) continue;
      const name = isDir ? entry : entry.replace(/\.ya?ml$/, '');
      const files = isDir
        ? readdirSync(p)
            .filter((f) => /\.ya?ml$/.test(f))
            .sort()
            .map((f) => join(p, f))
        : [p];
      for (const f of files) {
        const vars = problems.collect(() => loadVarsFile(f));
        if (vars) into.set(name, { ...into.get(name), ...vars });
      }
    }
  }
  return out;
}

function readPlay(
  doc: SourceDoc,
  dir: string,
  raw: unknown,
  path: PathSeg[],
  problems: Problems,
  rolesPath: readonly string[],
): Play | undefined {
  if (!isMap(raw)) {
    problems.add('a play must be a mapping (hosts:, tasks:, ...)', doc.pos(path));
    return undefined;
  }
  const name = typeof raw.name === 'string' ? raw.name : String(raw.hosts ?? '');
  addSchemaProblems(doc, problems, path, PLAY_SCHEMA, raw, `play "${name}"`);
  const vars: Vars = isMap(raw.vars) ? { ...raw.vars } : {};
  list(raw.vars_files).forEach((vf, i) => {
    const f = isAbsolute(vf) ? vf : ([join(dir, vf), join(dir, 'vars', vf)].find(existsSync) ?? join(dir, vf));
    const at = Array.isArray(raw.vars_files) ? [...path, 'vars_files', i] : [...path, 'vars_files'];
    if (!existsSync(f)) {
      problems.add(
        `vars_files: "${vf}" not found${isAbsolute(vf) ? '' : ` (looked in ${dir} and ${join(dir, 'vars')})`}`,
        doc.pos(at),
      );
      return;
    }
    if (!statSync(f).isFile()) {
      problems.add(`vars_files: "${vf}" is not a file`, doc.pos(at));
      return;
    }
    const loaded = problems.collect(() => loadVarsFile(f));
    if (loaded) Object.assign(vars, loaded);
  });
  checkTemplates(doc, problems, [...path, 'vars'], raw.vars);
  const tags = list(raw.tags);
  // Ansible's order: pre_tasks, handlers flushed, roles, tasks, handlers flushed, post_tasks
  const pl: PlayLoad = {
    playbookDir: dir,
    rolesPath,
    problems,
    handlers: [],
    roles: [],
    compiled: new Set(),
    handlerFiles: new Set(),
    nextBlock: 0,
  };
  const tasks: Task[] = [];
  const ctx = { ...playCtx(rootCtx(doc, dir, false, tags), raw), exec: mergeExec(undefined, execKeywords(raw)) };
  checkExecKeywords(doc, problems, path, raw);
  const flush = (at: PathSeg[]): void => {
    if (tasks.length)
      tasks.push({
        ...baseTask({}, ['always'], doc.pos(at)),
        name: 'meta: flush_handlers',
        module: 'meta',
        def: META_DEF,
        meta: 'flush_handlers',
      });
  };
  readList(pl, raw.pre_tasks, [...path, 'pre_tasks'], ctx, tasks);
  if (raw.pre_tasks) flush([...path, 'pre_tasks']);
  if (raw.roles != null)
    (Array.isArray(raw.roles) ? raw.roles : []).forEach((r, i) =>
      readRoleEntry(pl, r, [...path, 'roles', i], ctx, tasks),
    );
  readList(pl, raw.tasks, [...path, 'tasks'], ctx, tasks);
  if (raw.post_tasks) flush([...path, 'tasks']);
  readList(pl, raw.post_tasks, [...path, 'post_tasks'], ctx, tasks);
  const handlers: Task[] = [...pl.handlers];
  readList(pl, raw.handlers, [...path, 'handlers'], { ...ctx, handler: true }, handlers);
  const notifying = [...tasks, ...handlers, ...tasks.flatMap((t) => includedTasks(t))];
  const names = new Set(handlers.flatMap((h) => [h.name, ...h.listen]));
  for (const t of notifying) {
    for (const n of t.notify)
      if (!names.has(n))
        problems.add(
          `task "${t.name}" notifies "${n}", but no handler of this play has that name or listens to it`,
          t.pos,
        );
  }
  return {
    name,
    hosts: Array.isArray(raw.hosts) ? raw.hosts.join(':') : String(raw.hosts ?? ''),
    vars,
    ...becomeKeywords(raw),
    gatherFacts: raw.gather_facts !== false,
    serial:
      raw.serial === undefined
        ? []
        : Array.isArray(raw.serial)
          ? (raw.serial as Array<number | string>)
          : [raw.serial as number | string],
    maxFailPercentage: typeof raw.max_fail_percentage === 'number' ? raw.max_fail_percentage : undefined,
    anyErrorsFatal: raw.any_errors_fatal === true,
    strategy: raw.strategy === 'linear' || raw.strategy === 'free' ? raw.strategy : undefined,
    tags,
    tasks,
    handlers,
    pos: doc.pos(path),
    dir,
    ...(pl.roles.length
      ? { roleDefaults: playRoleVars(pl.roles).defaults, roleVars: playRoleVars(pl.roles).vars }
      : {}),
  };
}

/** Tasks of include_tasks / include_role read at load time (for checks that span the play). */
function includedTasks(t: Task): Task[] {
  return (t.include?.tasks ?? []).flatMap((x) => [x, ...includedTasks(x)]);
}
