import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, Problems } from '../util/errors.js';
import { SourceDoc, type PathSeg } from '../util/yaml.js';
import type { Host, Inventory, Vars } from './types.js';

const GROUP_KEYS = new Set(['hosts', 'vars', 'children']);

export interface GroupNode {
  name: string;
  vars: Vars;
  hosts: string[];
  children: string[];
  parents: Set<string>;
}

/** Inventory sources being read (YAML, INI, scripts, host lists), before vars are merged. */
export interface RawInventory {
  groups: Map<string, GroupNode>;
  hostVars: Map<string, Vars>;
  hostOrder: string[];
}

/**
 * Loads Ansible YAML inventories (several -i merge, later wins), with group_vars/ and host_vars/
 * beside each file. Every problem is reported with file:line:col at once.
 */
export function loadInventory(files: readonly string[]): Inventory {
  const raw: RawInventory = { groups: new Map(), hostVars: new Map(), hostOrder: [] };
  group(raw, 'all');
  group(raw, 'ungrouped');
  const problems = new Problems();
  for (const file of files) {
    problems.collect(() => {
      if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(`${file}: an inventory must be a YAML file`);
      readInventoryFile(raw, SourceDoc.load(file), problems);
      readVarsDirs(raw, dirname(file), problems);
    });
  }
  problems.throwIfAny();
  return resolve(raw, files);
}

/** The group of that name, created empty on first mention. */
export function group(raw: RawInventory, name: string): GroupNode {
  let g = raw.groups.get(name);
  if (!g) {
    g = { name, vars: {}, hosts: [], children: [], parents: new Set() };
    raw.groups.set(name, g);
  }
  return g;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readInventoryFile(raw: RawInventory, doc: SourceDoc, problems: Problems): void {
  const top = doc.value ?? {};
  if (!isMapping(top)) {
    problems.add('an inventory is a mapping of group names (start with `all:`)', doc.pos([]));
    return;
  }
  for (const [name, body] of Object.entries(top)) {
    readGroup(raw, doc, problems, name, body, [name]);
    if (name !== 'all') addChild(raw, 'all', name);
  }
}

export function addChild(raw: RawInventory, parent: string, child: string): void {
  const p = group(raw, parent);
  if (!p.children.includes(child)) p.children.push(child);
  group(raw, child).parents.add(parent);
}

function readGroup(raw: RawInventory, doc: SourceDoc, problems: Problems, name: string, body: unknown, path: PathSeg[]): void {
  const g = group(raw, name);
  if (body == null) return;
  if (!isMapping(body)) {
    problems.add(`group "${name}" must be a mapping with hosts, vars or children`, doc.pos(path));
    return;
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.has(key)) problems.add(`group "${name}": unknown key "${key}" (expected hosts, vars or children)`, doc.pos([...path, key], 'key'));
  }
  if (body.vars != null) {
    if (isMapping(body.vars)) Object.assign(g.vars, body.vars);
    else problems.add(`group "${name}": vars must be a mapping`, doc.pos([...path, 'vars']));
  }
  if (body.hosts != null) {
    if (!isMapping(body.hosts)) problems.add(`group "${name}": hosts must be a mapping of host names`, doc.pos([...path, 'hosts']));
    else {
      for (const [pattern, hv] of Object.entries(body.hosts)) {
        if (hv != null && !isMapping(hv)) {
          problems.add(`host "${pattern}": its vars must be a mapping`, doc.pos([...path, 'hosts', pattern]));
          continue;
        }
        for (const host of expandHostRange(pattern)) {
          if (!raw.hostVars.has(host)) {
            raw.hostVars.set(host, {});
            raw.hostOrder.push(host);
          }
          Object.assign(raw.hostVars.get(host)!, hv ?? {});
          if (!g.hosts.includes(host)) g.hosts.push(host);
        }
      }
    }
  }
  if (body.children != null) {
    if (!isMapping(body.children)) problems.add(`group "${name}": children must be a mapping of group names`, doc.pos([...path, 'children']));
    else {
      for (const [child, cbody] of Object.entries(body.children)) {
        addChild(raw, name, child);
        readGroup(raw, doc, problems, child, cbody, [...path, 'children', child]);
      }
    }
  }
}

/** An empty set of sources: the groups `all` and `ungrouped` only. */
export function newRawInventory(): RawInventory {
  const raw: RawInventory = { groups: new Map(), hostVars: new Map(), hostOrder: [] };
  group(raw, 'all');
  group(raw, 'ungrouped');
  return raw;
}

/** Puts a host in a group (created if new) and merges vars into its host vars; later sources win. */
export function addHost(raw: RawInventory, groupName: string, host: string, vars: Vars = {}): void {
  if (!raw.hostVars.has(host)) {
    raw.hostVars.set(host, {});
    raw.hostOrder.push(host);
  }
  Object.assign(raw.hostVars.get(host)!, vars);
  const g = group(raw, groupName);
  if (!g.hosts.includes(host)) g.hosts.push(host);
}

/** Ansible's host ranges: `web[01:03]` is web01, web02, web03. */
export function expandHostRange(pattern: string): string[] {
  const m = /^(.*)\[(\d+):(\d+)\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, pre, from, to, post] = m;
  const width = from.startsWith('0') ? from.length : 0;
  const out: string[] = [];
  for (let i = Number(from); i <= Number(to); i++) out.push(...expandHostRange(`${pre}${String(i).padStart(width, '0')}${post}`));
  return out;
}

/** group_vars/NAME.yml (or .yaml, or a NAME/ folder of them) and host_vars/ likewise. */
export function readVarsDirs(raw: RawInventory, dir: string, problems: Problems): void {
  for (const [kind, names] of [
    ['group_vars', [...raw.groups.keys()]],
    ['host_vars', [...raw.hostVars.keys()]],
  ] as const) {
    const base = join(dir, kind);
    if (!existsSync(base)) continue;
    for (const name of names) {
      for (const file of varsFilesFor(base, name)) {
        const vars = problems.collect(() => loadVarsFile(file));
        if (!vars) continue;
        if (kind === 'group_vars') Object.assign(group(raw, name).vars, vars);
        else Object.assign(raw.hostVars.get(name)!, vars);
      }
    }
  }
}

function varsFilesFor(base: string, name: string): string[] {
  const out: string[] = [];
  for (const ext of ['', '.yml', '.yaml']) {
    const p = join(base, name + ext);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      out.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)));
    } else if (ext !== '') out.push(p);
  }
  return out;
}

/** A vars file: a YAML mapping (empty is fine). */
export function loadVarsFile(file: string): Vars {
  const doc = SourceDoc.load(file);
  if (doc.value == null) return {};
  if (!isMapping(doc.value)) throw new InputError(`${basename(file)}: a vars file must be a mapping`, doc.pos([]));
  return doc.value;
}

/** Merges vars (all < parent < child < host) and group membership into the Inventory. */
export function resolve(raw: RawInventory, files: readonly string[]): Inventory {
  const depth = new Map<string, number>();
  const walk = (name: string, d: number, seen: Set<string>): void => {
    if (seen.has(name)) throw new InputError(`inventory: group "${name}" is its own descendant`);
    if ((depth.get(name) ?? -1) >= d) return;
    depth.set(name, d);
    for (const c of raw.groups.get(name)!.children) walk(c, d + 1, new Set([...seen, name]));
  };
  walk('all', 0, new Set());

  const members = new Map<string, string[]>();
  const collect = (name: string): string[] => {
    const known = members.get(name);
    if (known) return known;
    const g = raw.groups.get(name)!;
    const set = new Set(g.hosts);
    for (const c of g.children) for (const h of collect(c)) set.add(h);
    const ordered = raw.hostOrder.filter((h) => set.has(h));
    members.set(name, ordered);
    return ordered;
  };
  const allGroup = raw.groups.get('all')!;
  allGroup.hosts = [...raw.hostOrder];
  for (const name of raw.groups.keys()) collect(name);
  const grouped = new Set<string>();
  for (const [name, hs] of members) if (name !== 'all' && name !== 'ungrouped') hs.forEach((h) => grouped.add(h));
  members.set('ungrouped', raw.hostOrder.filter((h) => !grouped.has(h)));

  const hosts = new Map<string, Host>();
  for (const name of raw.hostOrder) {
    const groups = [...members].filter(([g, hs]) => g !== 'all' && hs.includes(name)).map(([g]) => g);
    const ordered = ['all', ...groups].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b));
    const vars: Vars = {};
    for (const g of ordered) Object.assign(vars, raw.groups.get(g)!.vars);
    Object.assign(vars, raw.hostVars.get(name));
    hosts.set(name, { name, vars, groups: groups.sort() });
  }
  return { hosts, groups: members, files: [...files] };
}
