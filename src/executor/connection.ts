import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Host, Inventory } from '../inventory/types.js';
import { LocalTransport } from '../transport/local.js';
import { SshTransport, type SshOptions } from '../transport/ssh.js';
import type { HostKeyChecking } from '../transport/known-hosts.js';
import { parseSshArgs } from '../transport/ssh-args.js';
import { resolveDestination, type Destination } from '../transport/ssh-destination.js';
import { UnreachableError, type Transport } from '../transport/types.js';

/** A connection var by its ansible_* name or its lbprov_* spelling. */
export function connVar(vars: Record<string, unknown>, name: string): unknown {
  return vars[`ansible_${name}`] ?? vars[`lbprov_${name}`];
}

export interface ConnectionSpec {
  kind: 'ssh' | 'local';
  address: string;
  port: number;
  user: string;
  keyFile?: string;
  knownHosts: string;
  checking: HostKeyChecking;
  /** lbprov_hash_known_hosts: keys accept-new records are written hashed. */
  hashKnownHosts?: boolean;
  /** lbprov_connect_timeout or ConnectTimeout (seconds), when set. */
  connectTimeoutMs?: number;
  /** ssh: the destination as ssh_config resolves it (HostName, jumps, identities...) */
  dest?: Destination;
  /** ansible_ssh_private_key_passphrase */
  passphrase?: string;
  /** lbprov_connect_retries (default 2) */
  connectRetries: number;
  /** when the ssh settings could not be read (bad ssh_config, bad ssh args): the host is unreachable with this */
  problem?: string;
  /** lbprov_known_hosts / lbprov_host_key_checking as set in the inventory: they apply to every hop */
  knownHostsVar?: string;
  checkingVar?: HostKeyChecking;
}

/** Where ssh_config comes from when nothing says otherwise. */
export const defaultSshConfig = (): string => join(homedir(), '.ssh', 'config');

/**
 * Reads a host's connection vars (rendered already) into a spec; relative paths are relative to
 * the inventory file. For ssh, the destination is resolved as OpenSSH would for
 * `ssh -o Port=ansible_port -o User=ansible_user -i ansible_ssh_private_key_file COMMON_ARGS EXTRA_ARGS ansible_host`
 * (as Ansible calls it): the inventory's values are obtained first, so they win over the file.
 * `sshConfig` is --ssh-config (a file or `none`); the host var lbprov_ssh_config wins over it.
 */
export function connectionSpec(
  host: Host,
  vars: Record<string, unknown>,
  inv: Inventory,
  sshConfig?: string,
): ConnectionSpec {
  const base = inv.files[0] ? dirname(inv.files[0]) : process.cwd();
  const abs = (p: unknown): string | undefined =>
    typeof p === 'string' && p
      ? isAbsolute(p)
        ? p
        : p.startsWith('~/')
          ? join(homedir(), p.slice(2))
          : join(base, p)
      : undefined;
  const conn = connVar(vars, 'connection') ?? (host.name === 'localhost' ? 'local' : 'ssh');
  if (conn !== 'ssh' && conn !== 'local')
    throw new Error(`host ${host.name}: ansible_connection "${String(conn)}" is not supported (ssh or local)`);
  const checkingVar = vars.lbprov_host_key_checking === undefined ? undefined : String(vars.lbprov_host_key_checking);
  if (checkingVar !== undefined && !['strict', 'accept-new', 'off'].includes(checkingVar))
    throw new Error(`host ${host.name}: lbprov_host_key_checking must be strict, accept-new or off`);
  const retries = Number(vars.lbprov_connect_retries ?? 2);
  if (!Number.isInteger(retries) || retries < 0)
    throw new Error(`host ${host.name}: lbprov_connect_retries must be a whole number >= 0`);
  const alias = String(connVar(vars, 'host') ?? host.name);
  const keyFile = abs(connVar(vars, 'ssh_private_key_file'));
  const spec: ConnectionSpec = {
    kind: conn,
    address: alias,
    port: Number(connVar(vars, 'port') ?? 22),
    user: String(connVar(vars, 'user') ?? userInfo().username),
    keyFile,
    knownHosts: abs(vars.lbprov_known_hosts) ?? join(homedir(), '.ssh', 'known_hosts'),
    checking: (checkingVar ?? 'strict') as HostKeyChecking,
    hashKnownHosts: vars.lbprov_hash_known_hosts === true || vars.lbprov_hash_known_hosts === 'true',
    connectTimeoutMs:
      vars.lbprov_connect_timeout !== undefined ? Number(vars.lbprov_connect_timeout) * 1000 : undefined,
    connectRetries: retries,
    knownHostsVar: abs(vars.lbprov_known_hosts),
    checkingVar: checkingVar as HostKeyChecking | undefined,
  };
  const passphrase = connVar(vars, 'ssh_private_key_passphrase');
  if (passphrase !== undefined && passphrase !== null) spec.passphrase = String(passphrase);
  if (conn !== 'ssh') return spec;
  try {
    const options: Array<[string, string]> = [];
    if (connVar(vars, 'port') !== undefined) options.push(['Port', String(connVar(vars, 'port'))]);
    if (connVar(vars, 'user') !== undefined) options.push(['User', String(connVar(vars, 'user'))]);
    if (keyFile) options.push(['IdentityFile', keyFile]);
    if (vars.lbprov_connect_timeout !== undefined)
      options.push(['ConnectTimeout', String(vars.lbprov_connect_timeout)]);
    if (vars.lbprov_keepalive_interval !== undefined)
      options.push(['ServerAliveInterval', String(vars.lbprov_keepalive_interval)]);
    let argsConfig: string | undefined;
    for (const name of ['ssh_common_args', 'ssh_extra_args']) {
      const text = connVar(vars, name);
      if (typeof text !== 'string' || !text.trim()) continue;
      const parsed = parseSshArgs(text, `host ${host.name}: ansible_${name}`);
      options.push(
        ...parsed.options.map(([k, v]): [string, string] =>
          k.toLowerCase() === 'identityfile' ? [k, abs(v) ?? v] : [k, v],
        ),
      );
      argsConfig ??= parsed.configFile;
    }
    const chosen = vars.lbprov_ssh_config !== undefined ? String(vars.lbprov_ssh_config) : (argsConfig ?? sshConfig);
    const file = chosen === undefined ? defaultSshConfig() : chosen.toLowerCase() === 'none' ? undefined : abs(chosen);
    const dest = resolveDestination({ alias, options, configFile: file, configOptional: chosen === undefined });
    spec.dest = dest;
    spec.address = dest.hostname;
    spec.port = dest.port;
    spec.user = dest.user;
    if (dest.connectTimeoutS) spec.connectTimeoutMs = dest.connectTimeoutS * 1000;
    spec.knownHosts = spec.knownHostsVar ?? dest.knownHostsFiles[0] ?? spec.knownHosts;
    spec.checking = spec.checkingVar ?? dest.strictHostKeyChecking ?? 'strict';
  } catch (e) {
    spec.problem = `host ${host.name}: ${(e as Error).message}`;
  }
  return spec;
}

export function makeTransport(spec: ConnectionSpec, connectTimeoutMs: number): Transport {
  if (spec.kind === 'local') return new LocalTransport();
  if (spec.problem) return new BrokenTransport(spec.problem, spec.user);
  const dest = spec.dest!;
  const hopOptions = (d: Destination): SshOptions => ({
    host: d.hostname,
    port: d.port,
    user: d.user,
    name: d.alias,
    identityFiles: d.identityFiles,
    identitiesOnly: d.identitiesOnly,
    identityAgent: d.identityAgent,
    knownHostsFile: spec.knownHostsVar ?? d.knownHostsFiles[0] ?? join(homedir(), '.ssh', 'known_hosts'),
    hostKeyChecking: spec.checkingVar ?? d.strictHostKeyChecking ?? 'strict',
    connectTimeoutMs: (d.connectTimeoutS ?? 0) * 1000 || connectTimeoutMs,
    maxChannels: 8,
    via: d.via ? hopOptions(d.via) : undefined,
    proxyCommand: d.proxyCommand,
    keepaliveIntervalMs: d.serverAliveIntervalS !== undefined ? d.serverAliveIntervalS * 1000 : undefined,
    keepaliveCountMax: d.serverAliveCountMax,
  });
  return new SshTransport({
    ...hopOptions(dest),
    knownHostsFile: spec.knownHosts,
    hostKeyChecking: spec.checking,
    hashKnownHosts: spec.hashKnownHosts,
    connectTimeoutMs: spec.connectTimeoutMs ?? connectTimeoutMs,
    passphrase: spec.passphrase,
    connectRetries: spec.connectRetries,
  });
}

/** A host whose ssh settings could not be read: every use says why, and the host is unreachable. */
class BrokenTransport implements Transport {
  readonly kind = 'ssh' as const;
  constructor(
    private readonly why: string,
    readonly user: string,
  ) {}
  connect(): Promise<void> {
    return Promise.reject(new UnreachableError(this.why));
  }
  exec(): Promise<never> {
    return Promise.reject(new UnreachableError(this.why));
  }
  open(): Promise<never> {
    return Promise.reject(new UnreachableError(this.why));
  }
  close(): void {}
}
