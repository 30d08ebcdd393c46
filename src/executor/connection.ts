import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Host, Inventory } from '../inventory/types.js';
import { LocalTransport } from '../transport/local.js';
import { SshTransport } from '../transport/ssh.js';
import type { HostKeyChecking } from '../transport/known-hosts.js';
import type { Transport } from '../transport/types.js';

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
  /** lbprov_connect_timeout (seconds), when set. */
  connectTimeoutMs?: number;
}

/** Reads a host's connection vars (rendered already) into a spec; relative paths are relative to the inventory file. */
export function connectionSpec(host: Host, vars: Record<string, unknown>, inv: Inventory): ConnectionSpec {
  const base = inv.files[0] ? dirname(inv.files[0]) : process.cwd();
  const abs = (p: unknown): string | undefined => (typeof p === 'string' && p ? (isAbsolute(p) ? p : p.startsWith('~/') ? join(homedir(), p.slice(2)) : join(base, p)) : undefined);
  const conn = connVar(vars, 'connection') ?? (host.name === 'localhost' ? 'local' : 'ssh');
  if (conn !== 'ssh' && conn !== 'local') throw new Error(`host ${host.name}: ansible_connection "${String(conn)}" is not supported (ssh or local)`);
  const checking = String(vars.lbprov_host_key_checking ?? 'strict');
  if (!['strict', 'accept-new', 'off'].includes(checking)) throw new Error(`host ${host.name}: lbprov_host_key_checking must be strict, accept-new or off`);
  return {
    kind: conn,
    address: String(connVar(vars, 'host') ?? host.name),
    port: Number(connVar(vars, 'port') ?? 22),
    user: String(connVar(vars, 'user') ?? userInfo().username),
    keyFile: abs(connVar(vars, 'ssh_private_key_file')),
    knownHosts: abs(vars.lbprov_known_hosts) ?? join(homedir(), '.ssh', 'known_hosts'),
    checking: checking as HostKeyChecking,
    hashKnownHosts: vars.lbprov_hash_known_hosts === true || vars.lbprov_hash_known_hosts === 'true',
    connectTimeoutMs: vars.lbprov_connect_timeout !== undefined ? Number(vars.lbprov_connect_timeout) * 1000 : undefined,
  };
}

export function makeTransport(spec: ConnectionSpec, connectTimeoutMs: number): Transport {
  if (spec.kind === 'local') return new LocalTransport();
  return new SshTransport({
    host: spec.address,
    port: spec.port,
    user: spec.user,
    privateKeyFile: spec.keyFile,
    knownHostsFile: spec.knownHosts,
    hostKeyChecking: spec.checking,
    hashKnownHosts: spec.hashKnownHosts,
    connectTimeoutMs: spec.connectTimeoutMs ?? connectTimeoutMs,
    maxChannels: 8,
  });
}
