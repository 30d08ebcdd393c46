import { spawnSync } from 'node:child_process';
import { InputError } from '../util/errors.js';
import { addChild, addHost, group, type RawInventory } from './load.js';
import type { Vars } from './types.js';

/** How long an inventory script may take for one call (`--list`, or one `--host`), unless configured. */
export const SCRIPT_TIMEOUT_S = 60;

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An executable inventory (Ansible's script plugin): `FILE --list` prints JSON groups
 * (`{"web": ["h1"]}` or `{"web": {"hosts": [...], "vars": {...}, "children": [...]}}`) and
 * `_meta.hostvars`; without `_meta`, `FILE --host NAME` is asked for each host's vars. It runs
 * without a shell, with a timeout; a non-zero exit, a timeout or output that is not a JSON object
 * is an input error naming the script.
 */
export function readScriptInventory(raw: RawInventory, file: string, timeoutS = SCRIPT_TIMEOUT_S): void {
  const data = runScript(file, ['--list'], timeoutS);
  if (!isMapping(data))
    throw new InputError(
      `inventory script ${file}: --list must print a JSON object, not ${Array.isArray(data) ? 'an array' : typeof data}`,
    );
  const hosts = new Set<string>();
  let metaVars: Record<string, unknown> | undefined;
  for (const [name, gdata] of Object.entries(data)) {
    if (name === '_meta') {
      if (isMapping(gdata) && 'hostvars' in gdata) {
        if (!isMapping(gdata.hostvars))
          throw new InputError(`inventory script ${file}: _meta.hostvars must be an object of host names`);
        metaVars = gdata.hostvars;
      }
      continue;
    }
    readGroup(raw, file, name, gdata, hosts);
  }
  for (const h of hosts) {
    const vars = metaVars ? (metaVars[h] ?? {}) : (runScript(file, ['--host', h], timeoutS) ?? {});
    if (!isMapping(vars)) throw new InputError(`inventory script ${file}: the vars of host ${h} must be a JSON object`);
    Object.assign(raw.hostVars.get(h)!, vars as Vars);
  }
}

function readGroup(raw: RawInventory, file: string, name: string, gdata: unknown, hosts: Set<string>): void {
  const g = group(raw, name);
  if (name !== 'all') addChild(raw, 'all', name);
  let body: Record<string, unknown>;
  if (!isMapping(gdata)) body = { hosts: gdata };
  else if (!['hosts', 'vars', 'children'].some((k) => k in gdata)) body = { hosts: [name], vars: gdata };
  else body = gdata;
  if ('hosts' in body) {
    if (!Array.isArray(body.hosts))
      throw new InputError(
        `inventory script ${file}: group "${name}" has bad data for the host list: ${JSON.stringify(body.hosts)}`,
      );
    for (const h of body.hosts) {
      if (typeof h !== 'string' && typeof h !== 'number')
        throw new InputError(
          `inventory script ${file}: group "${name}": a host name must be a string, got ${JSON.stringify(h)}`,
        );
      hosts.add(String(h));
      addHost(raw, name, String(h));
    }
  }
  if ('vars' in body) {
    if (!isMapping(body.vars))
      throw new InputError(
        `inventory script ${file}: group "${name}" has bad data for variables: ${JSON.stringify(body.vars)}`,
      );
    Object.assign(g.vars, body.vars);
  }
  if ('children' in body) {
    if (!Array.isArray(body.children))
      throw new InputError(`inventory script ${file}: group "${name}": children must be a list of group names`);
    for (const c of body.children) addChild(raw, name, String(c));
  }
}

function runScript(file: string, args: string[], timeoutS: number): unknown {
  const what = `inventory script ${file} ${args.join(' ')}`;
  const r = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') throw new InputError(`${what}: no answer within ${timeoutS}s (killed)`);
    throw new InputError(`${what}: cannot run it: ${code ?? r.error.message}`);
  }
  const err = (r.stderr ?? '').trim();
  if (r.status !== 0)
    throw new InputError(`${what}: exited with ${r.status ?? r.signal}${err ? `: ${err.slice(0, 2000)}` : ''}`);
  if (!r.stdout.trim()) {
    if (args[0] === '--host') return {};
    throw new InputError(`${what}: printed nothing (expected a JSON object)`);
  }
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new InputError(
      `${what}: the output is not JSON: ${(e as Error).message}${err ? ` (stderr: ${err.slice(0, 500)})` : ''}`,
    );
  }
}
