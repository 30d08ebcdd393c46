import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, Problems, type Pos } from '../util/errors.js';
import { SourceDoc, type PathSeg } from '../util/yaml.js';
import { checkTemplates } from '../playbook/syntax.js';
import { expandHostRange } from './ranges.js';
import { groupLayers, hostLayers } from './precedence.js';
import type { Host, Inventory, VarLayers, Vars } from './types.js';

const GROUP_KEYS = new Set(['hosts', 'vars', 'children']);

export interface GroupNode {
  name: string;
  /** Vars set in the inventory source itself (`vars:` of the group, INI `[g:vars]`) */
  vars: Vars;
  /** Vars from `group_vars/NAME` beside the source: Ansible ranks these above every source's group vars */
  dirVars: Vars;
  hosts: string[];
  /** The same hosts, for a constant-time "already there?" (inventories of 100,000s of hosts). */
  hostSet: Set<string>;
  children: string[];
  parents: Set<string>;
  /** Where each child was named, for the error that reports a cycle. */
  childPos: Map<string, Pos>;
}

/** Inventory sources being read (YAML, INI, scripts, host lists), before vars are merged. */
export interface RawInventory {
  groups: Map<string, GroupNode>;
  hostVars: Map<string, Vars>;
  /** `host_vars/NAME` beside the source: above the host's vars in the source */
  hostDirVars: Map<string, Vars>;
  hostOrder: string[];
}

/**
 * Loads Ansible YAML inventories (several -i merge, later wins), with group_vars/ and host_vars/
 * beside each file. Every problem is reported with file:line:col at once.
 */
export function loadInventory(files: readonly string[]): Inventory {
  const raw = newRawInventory();
  const problems = new Problems();
  for (const file of files) {
    problems.collect(() => {
      if (existsSync(file) && statSync(file).isDirectory())
        throw new InputError(`${file}: an inventory must be a YAML file`);
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
    g = {
      name,
      vars: {},
      dirVars: {},
      hosts: [],
      hostSet: new Set(),
      children: [],
      parents: new Set(),
      childPos: new Map(),
    };
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

export function addChild(raw: RawInventory, parent: string, child: string, pos?: Pos): void {
  const p = group(raw, parent);
  if (!p.children.includes(child)) p.children.push(child);
  if (pos && !p.childPos.has(child)) p.childPos.set(child, pos);
  group(raw, child).parents.add(parent);
}

function readGroup(
  raw: RawInventory,
  doc: SourceDoc,
  problems: Problems,
  name: string,
  body: unknown,
  path: PathSeg[],
): void {
  const g = group(raw, name);
  if (body == null) return;
  if (!isMapping(body)) {
    problems.add(`group "${name}" must be a mapping with hosts, vars or children`, doc.pos(path));
    return;
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.has(key))
      problems.add(
        `group "${name}": unknown key "${key}" (expected hosts, vars or children)`,
        doc.pos([...path, key], 'key'),
      );
  }
  if (body.vars != null) {
    if (isMapping(body.vars)) {
      checkTemplates(doc, problems, [...path, 'vars'], body.vars);
      Object.assign(g.vars, body.vars);
    } else problems.add(`group "${name}": vars must be a mapping`, doc.pos([...path, 'vars']));
  }
  if (body.hosts != null) {
    if (!isMapping(body.hosts))
      problems.add(`group "${name}": hosts must be a mapping of host names`, doc.pos([...path, 'hosts']));
    else {
      for (const [pattern, hv] of Object.entries(body.hosts)) {
        if (hv != null && !isMapping(hv)) {
          problems.add(`host "${pattern}": its vars must be a mapping`, doc.pos([...path, 'hosts', pattern]));
          continue;
        }
        const hosts = problems.collect(() => {
          try {
            return expandHostRange(pattern);
          } catch (e) {
            throw e instanceof InputError ? new InputError(e.message, doc.pos([...path, 'hosts', pattern], 'key')) : e;
          }
        });
        if (hv) checkTemplates(doc, problems, [...path, 'hosts', pattern], hv);
        for (const host of hosts ?? []) {
          if (!raw.hostVars.has(host)) {
            raw.hostVars.set(host, {});
            raw.hostOrder.push(host);
          }
          Object.assign(raw.hostVars.get(host)!, hv ?? {});
          if (!g.hostSet.has(host)) {
            g.hostSet.add(host);
            g.hosts.push(host);
          }
        }
      }
    }
  }
  if (body.children != null) {
    if (!isMapping(body.children))
      problems.add(`group "${name}": children must be a mapping of group names`, doc.pos([...path, 'children']));
    else {
      for (const [child, cbody] of Object.entries(body.children)) {
        addChild(raw, name, child, doc.pos([...path, 'children', child], 'key'));
        readGroup(raw, doc, problems, child, cbody, [...path, 'children', child]);
      }
    }
  }
}

export { expandHostRange };

/** An empty set of sources: the groups `all` and `ungrouped` only. */
export function newRawInventory(): RawInventory {
  const raw: RawInventory = { groups: new Map(), hostVars: new Map(), hostDirVars: new Map(), hostOrder: [] };
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
  if (!g.hostSet.has(host)) {
    g.hosts.push(host);
    g.hostSet.add(host);
  }
}

/**
 * group_vars/NAME.yml (or .yaml, or a NAME/ folder of them) and host_vars/ likewise. Kept apart from
 * the source's own vars: Ansible's table puts inventory group_vars/all above every group's vars in
 * the inventory file, and group_vars/GROUP above those too (a child group's file vars included).
 */
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
        if (kind === 'group_vars') Object.assign(group(raw, name).dirVars, vars);
        else {
          if (!raw.hostDirVars.has(name)) raw.hostDirVars.set(name, {});
          Object.assign(raw.hostDirVars.get(name)!, vars);
        }
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
      out.push(
        ...readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(p, f)),
      );
    } else if (ext !== '') out.push(p);
  }
  return out;
}

/** A vars file: a YAML mapping (empty is fine). */
export function loadVarsFile(file: string): Vars {
  const doc = SourceDoc.load(file);
  if (doc.value == null) return {};
  if (!isMapping(doc.value)) throw new InputError(`${basename(file)}: a vars file must be a mapping`, doc.pos([]));
  const problems = new Problems();
  checkTemplates(doc, problems, [], doc.value);
  problems.throwIfAny();
  return doc.value;
}

/**
 * The groups in an order where every parent comes before its children (Kahn's algorithm, no
 * recursion: a chain of 100,000 groups is fine). A cycle is an input error at the place where the
 * child that closes it is named.
 */
function groupOrder(raw: RawInventory): string[] {
  const indegree = new Map<string, number>();
  for (const g of raw.groups.values()) indegree.set(g.name, g.parents.size);
  const order = [...raw.groups.keys()].filter((n) => indegree.get(n) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const c of raw.groups.get(order[i])!.children) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) order.push(c);
    }
  }
  if (order.length === raw.groups.size) return order;
  // walk up through parents that are left over (each is on or above a cycle) until one repeats
  const left = (n: string): boolean => indegree.get(n)! > 0;
  const path: string[] = [[...raw.groups.keys()].find(left)!];
  const seen = new Map<string, number>([[path[0], 0]]);
  for (;;) {
    const up = [...raw.groups.get(path[path.length - 1])!.parents].find(left)!;
    if (seen.has(up)) {
      // up is a parent of the last group on the path: reading the path back down closes the cycle
      const chain = [up, ...path.slice(seen.get(up)).reverse()];
      const pos = raw.groups.get(up)!.childPos.get(path[path.length - 1]);
      throw new InputError(`inventory: group "${up}" is its own descendant (${chain.join(' -> ')})`, pos);
    }
    seen.set(up, path.length);
    path.push(up);
  }
}

/**
 * Merges vars and group membership into the Inventory. Vars, lowest first (Ansible's table): every
 * group's vars in the sources (all < parent < child), group_vars/all, group_vars/GROUP (parent <
 * child), the host's vars in the sources, host_vars/HOST.
 */
export function resolve(raw: RawInventory, files: readonly string[]): Inventory {
  const order = groupOrder(raw);
  // a group's depth is its longest path from the top: deeper (more specific) groups win
  const depth = new Map<string, number>();
  for (const name of order) {
    const d = depth.get(name) ?? 0;
    for (const c of raw.groups.get(name)!.children) depth.set(c, Math.max(depth.get(c) ?? 0, d + 1));
  }

  const index = new Map(raw.hostOrder.map((h, i) => [h, i]));
  const allGroup = raw.groups.get('all')!;
  allGroup.hosts = [...raw.hostOrder];
  const members = new Map<string, string[]>();
  for (const name of [...order].reverse()) {
    const g = raw.groups.get(name)!;
    const set = new Set(g.hosts);
    for (const c of g.children) for (const h of members.get(c)!) set.add(h);
    // back into inventory order: a numeric sort of positions is much faster than comparing names
    const at = Int32Array.from(set, (h) => index.get(h)!).sort();
    members.set(
      name,
      Array.from(at, (i) => raw.hostOrder[i]),
    );
  }
  const grouped = new Set<string>();
  for (const [name, hs] of members) if (name !== 'all' && name !== 'ungrouped') hs.forEach((h) => grouped.add(h));
  members.set(
    'ungrouped',
    raw.hostOrder.filter((h) => !grouped.has(h)),
  );

  const groupsOf = new Map<string, string[]>(raw.hostOrder.map((h) => [h, []]));
  for (const [g, hs] of members) if (g !== 'all') for (const h of hs) groupsOf.get(h)!.push(g);
  const groupRank = (a: string, b: string): number => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b);
  const layers: VarLayers = {
    groupVars: new Map([...raw.groups].map(([n, g]) => [n, g.vars])),
    groupDirVars: new Map([...raw.groups].map(([n, g]) => [n, g.dirVars])),
    hostVars: raw.hostVars,
    hostDirVars: raw.hostDirVars,
    groupRank,
  };
  const hosts = new Map<string, Host>();
  // hosts in the same groups share the merge of those groups' vars: worked out once per set of groups
  const merged = new Map<string, { vars: Vars; groups: string[] }>();
  for (const name of raw.hostOrder) {
    const groups = groupsOf.get(name)!;
    const key = groups.join('\0');
    let m = merged.get(key);
    if (!m) {
      const vars = Object.assign({}, ...groupLayers(layers, ['all', ...groups].sort(groupRank))) as Vars;
      m = { vars, groups: [...groups].sort() };
      merged.set(key, m);
    }
    hosts.set(name, {
      name,
      vars: Object.assign({}, m.vars, ...hostLayers(layers, name)) as Vars,
      groups: [...m.groups],
    });
  }
  return { hosts, groups: members, files: [...files], layers };
}
