import { homedir, hostname as localHostname, userInfo } from 'node:os';
import {
  expandTilde,
  expandTokens,
  newOptions,
  resolveSshConfig,
  shellSafeTokens,
  SshConfigError,
  type SshOptionsRaw,
} from './ssh-config.js';
import type { HostKeyChecking } from './known-hosts.js';

/** Where and how to connect to one host (or one hop), every ssh_config option lbprov uses resolved. */
export interface Destination {
  /** the name given (ansible_host, else the inventory name; or a ProxyJump entry) */
  alias: string;
  /** HostName with %h expanded, else the alias; lowercased as ssh does */
  hostname: string;
  port: number;
  user: string;
  /** IdentityFile values in order, ~ and tokens expanded (empty: the defaults apply) */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or 'none'; undefined: SSH_AUTH_SOCK */
  identityAgent?: string;
  /** the hop this host is reached through (ProxyJump): connected first, with its own options */
  via?: Destination;
  /** ProxyCommand, tokens expanded: run by /bin/sh -c, its stdin/stdout are the connection */
  proxyCommand?: string;
  connectTimeoutS?: number;
  serverAliveIntervalS?: number;
  serverAliveCountMax?: number;
  /** UserKnownHostsFile entries, expanded */
  knownHostsFiles: string[];
  strictHostKeyChecking?: HostKeyChecking;
}

export interface DestinationRequest {
  alias: string;
  /** options obtained before the file, in order (inventory vars, then -o/-J/-i args): first wins */
  options: Array<[string, string]>;
  /** the ssh config file; undefined: none is read */
  configFile?: string;
  /** no error when the file does not exist (the default ~/.ssh/config) */
  configOptional?: boolean;
  home?: string;
}

const MAX_HOPS = 8;

/** Resolves a destination and its ProxyJump chain like ssh does (each hop with its own config). */
export function resolveDestination(req: DestinationRequest, depth = 0): Destination {
  if (depth > MAX_HOPS)
    throw new SshConfigError(`${req.alias}: ProxyJump chain longer than ${MAX_HOPS} hops (a loop?)`);
  const home = req.home ?? homedir();
  const local = localUser();
  const raw = resolveSshConfig(
    req.configFile,
    { alias: req.alias, home, localUser: local },
    newOptions(req.options),
    req.configOptional,
  );
  const s = (k: string): string | undefined => raw.single.get(k);
  const hostname = (
    s('hostname') !== undefined
      ? expandTokens(s('hostname')!, { h: req.alias }, `HostName for ${req.alias}`)
      : req.alias
  ).toLowerCase();
  const port = num(s('port') ?? '22', 'Port', req.alias, 1, 65535);
  const user = s('user') ?? local;
  const tokens: Record<string, string> = {
    h: hostname,
    n: req.alias,
    p: String(port),
    r: user,
    u: local,
    d: home,
    l: localHostname(),
    L: localHostname().split('.')[0],
    i: String(process.getuid?.() ?? ''),
    j: s('proxyjump') && s('proxyjump')!.toLowerCase() !== 'none' ? s('proxyjump')! : '',
  };
  const path = (p: string, what: string): string =>
    expandTilde(expandTokens(p, tokens, `${what} for ${req.alias}`), home);
  const d: Destination = {
    alias: req.alias,
    hostname,
    port,
    user,
    identityFiles: (raw.multi.get('identityfile') ?? [])
      .filter((f) => f.toLowerCase() !== 'none')
      .map((f) => path(f, 'IdentityFile')),
    identitiesOnly: yesNo(s('identitiesonly'), 'IdentitiesOnly', req.alias) ?? false,
    knownHostsFiles: (raw.multi.get('userknownhostsfile') ?? [])
      .filter((f) => f.toLowerCase() !== 'none')
      .map((f) => path(f, 'UserKnownHostsFile')),
  };
  const agent = s('identityagent');
  if (agent !== undefined)
    d.identityAgent =
      agent.toLowerCase() === 'none' ? 'none' : agent === 'SSH_AUTH_SOCK' ? undefined : path(agent, 'IdentityAgent');
  if (s('connecttimeout') !== undefined)
    d.connectTimeoutS = num(s('connecttimeout')!, 'ConnectTimeout', req.alias, 0, 86400);
  if (s('serveraliveinterval') !== undefined)
    d.serverAliveIntervalS = num(s('serveraliveinterval')!, 'ServerAliveInterval', req.alias, 0, 86400);
  if (s('serveralivecountmax') !== undefined)
    d.serverAliveCountMax = num(s('serveralivecountmax')!, 'ServerAliveCountMax', req.alias, 1, 1000);
  if (s('stricthostkeychecking') !== undefined)
    d.strictHostKeyChecking = checking(s('stricthostkeychecking')!, req.alias);
  const jump = s('proxyjump');
  const command = s('proxycommand');
  if (jump !== undefined && jump.toLowerCase() !== 'none') {
    d.via = jumpChain(jump, req, depth);
  } else if (command !== undefined && command.toLowerCase() !== 'none') {
    const what = `ProxyCommand for ${req.alias}`;
    d.proxyCommand = expandTokens(
      command.replace(/^exec\s+/, ''),
      shellSafeTokens({ h: hostname, n: req.alias, p: String(port), r: user }, what),
      what,
    );
  }
  return d;
}

/**
 * ProxyJump "a,b,c": c is the last hop before the target; ssh reaches it with `-J a,b` on its
 * command line (so c's own ProxyJump is overridden) and a with a's own configuration.
 */
function jumpChain(list: string, req: DestinationRequest, depth: number): Destination {
  const hops = list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const last = parseJump(hops[hops.length - 1], req.alias);
  const options: Array<[string, string]> = [];
  if (last.user) options.push(['User', last.user]);
  if (last.port) options.push(['Port', String(last.port)]);
  if (hops.length > 1) options.push(['ProxyJump', hops.slice(0, -1).join(',')]);
  return resolveDestination(
    { alias: last.host, options, configFile: req.configFile, configOptional: req.configOptional, home: req.home },
    depth + 1,
  );
}

/** One ProxyJump entry: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseJump(spec: string, forHost: string): { user?: string; host: string; port?: number } {
  const s = spec.startsWith('ssh://') ? spec.slice(6).replace(/\/$/, '') : spec;
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@[\]]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new SshConfigError(`ProxyJump for ${forHost}: cannot read "${spec}" (expected [user@]host[:port])`);
  return {
    user: m[1],
    host: m[2].replace(/^\[|\]$/g, ''),
    port: m[3] ? num(m[3], 'ProxyJump port', forHost, 1, 65535) : undefined,
  };
}

function num(v: string, what: string, host: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max)
    throw new SshConfigError(`${what} for ${host}: "${v}" is not a number in ${min}..${max}`);
  return n;
}

function yesNo(v: string | undefined, what: string, host: string): boolean | undefined {
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === 'yes' || l === 'true') return true;
  if (l === 'no' || l === 'false') return false;
  throw new SshConfigError(`${what} for ${host}: "${v}" is not yes or no`);
}

/** StrictHostKeyChecking: yes/ask -> strict (lbprov never asks), accept-new, no/off -> off. */
function checking(v: string, host: string): HostKeyChecking {
  const l = v.toLowerCase();
  if (l === 'yes' || l === 'ask' || l === 'true') return 'strict';
  if (l === 'accept-new') return 'accept-new';
  if (l === 'no' || l === 'off' || l === 'false') return 'off';
  throw new SshConfigError(`StrictHostKeyChecking for ${host}: "${v}" is not yes, accept-new, no or off`);
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

export type { SshOptionsRaw };
