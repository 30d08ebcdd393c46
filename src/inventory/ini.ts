import { readFileSync } from 'node:fs';
import type { Problems } from '../util/errors.js';
import { addChild, addHost, expandHostRange, group, type RawInventory } from './load.js';
import { pyValue, shlexSplit } from './py-literal.js';

/**
 * Ansible's INI inventory (lib/ansible/plugins/inventory/ini.py): `[group]` host lines with
 * `key=value` host vars, `[group:children]`, `[group:vars]` with `key = value`, `host:port`,
 * `web[01:10]` ranges, comments with `#` or `;`. Values are typed as Ansible types them (Python
 * literals: `5` is a number, `True` a boolean, anything else a string). Children and vars may name
 * a group that is declared further down; one never declared is an error, as in Ansible.
 */
export function readIniInventory(
  raw: RawInventory,
  file: string,
  problems: Problems,
  text = readFileSync(file, 'utf8'),
): void {
  let groupName = 'ungrouped';
  let state = 'hosts';
  // groups named under :children or :vars before they were declared, with where
  const pending = new Map<string, { line: number; state: string; parents: string[] }>();
  const declared = new Set(raw.groups.keys());
  const lines = text.split(/\r?\n/);
  for (let n = 1; n <= lines.length; n++) {
    const line = lines[n - 1].trim();
    const at = { file, line: n, col: 1 };
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const section = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/.exec(line);
    if (section) {
      groupName = section[1];
      state = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) {
        problems.add(`Section [${section[1]}:${state}] has unknown type: ${state}`, at);
        state = 'skip';
        continue;
      }
      if (!declared.has(groupName)) {
        if (state === 'vars' && !pending.has(groupName)) pending.set(groupName, { line: n, state, parents: [] });
        declared.add(groupName);
        group(raw, groupName);
      }
      const p = pending.get(groupName);
      if (p && state !== 'vars') {
        if (p.state === 'children') for (const parent of p.parents) addChild(raw, parent, groupName);
        pending.delete(groupName);
      }
      // a group declared by its own section hangs under all, as every group does
      if (groupName !== 'all') addChild(raw, 'all', groupName);
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      problems.add(
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
        at,
      );
      continue;
    }
    if (state === 'skip') continue;
    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line);
      } catch (e) {
        problems.add(`Error parsing host definition '${line}': ${(e as Error).message}`, at);
        continue;
      }
      if (!tokens.length) continue;
      const vars: Record<string, unknown> = {};
      let bad = false;
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0) {
          problems.add(`Expected key=value host variable assignment, got: ${t}`, at);
          bad = true;
          continue;
        }
        vars[t.slice(0, eq)] = pyValue(t.slice(eq + 1));
      }
      if (bad) continue;
      const parsed = hostAndPort(tokens[0]);
      if (typeof parsed === 'string') {
        problems.add(parsed, at);
        continue;
      }
      for (const host of expandHostRange(parsed.pattern)) {
        addHost(raw, groupName, host, parsed.port !== undefined ? { ansible_port: parsed.port, ...vars } : vars);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        problems.add(`Expected key=value, got: ${line}`, at);
        continue;
      }
      group(raw, groupName).vars[line.slice(0, eq).trim()] = pyValue(line.slice(eq + 1).trim());
    } else {
      const m = /^([^:\]\s]+)\s*(?:#.*)?$/.exec(line);
      if (!m) {
        problems.add(`Expected group name, got: ${line}`, at);
        continue;
      }
      const child = m[1];
      if (!declared.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(groupName);
        else pending.set(child, { line: n, state: 'children', parents: [groupName] });
      } else addChild(raw, groupName, child);
    }
  }
  for (const [name, p] of pending) {
    const at = { file, line: p.line, col: 1 };
    if (p.state === 'vars') problems.add(`Section [${name}:vars] not valid for undefined group: ${name}`, at);
    else problems.add(`Section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${name}`, at);
  }
}

/**
 * `host`, `host:2222`, `[::1]:2222`, `10.0.0.1:22`, `web[01:03]:22` (parse_address with ranges).
 * A bare IPv6 address has no port. Returns an error message for a pattern ending in `:`.
 */
export function hostAndPort(token: string): { pattern: string; port?: number } | string {
  const v6 = /^\[([^\]]+:[^\]]*)\](?::(\d+))?$/.exec(token);
  if (v6 && !/^\d*:\d*$/.test(v6[1])) return { pattern: v6[1], port: v6[2] !== undefined ? Number(v6[2]) : undefined };
  // a colon outside [a:b] ranges separates the port; more than one means an IPv6 address
  const outside = token.replace(/\[[^\]]*\]/g, (r) => 'x'.repeat(r.length));
  const colons = [...outside].filter((c) => c === ':').length;
  if (colons === 1) {
    const at = outside.indexOf(':');
    const port = token.slice(at + 1);
    if (/^\d+$/.test(port)) return { pattern: token.slice(0, at), port: Number(port) };
    if (port === '')
      return `Invalid host pattern '${token}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`;
  }
  if (token === '---') return `Invalid host pattern '${token}' supplied, '---' is normally a sign this is a YAML file.`;
  return { pattern: token };
}
