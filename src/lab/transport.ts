import { SshTransport } from '../transport/ssh.js';
import type { LabHost, LabState } from './lab.js';

/**
 * A connection to a lab host as root with the lab's key, its host key checked strictly against the
 * lab's known_hosts: how tests and benches look at a host beside lbprov.
 */
export function labTransport(lab: LabState, host: LabHost): SshTransport {
  return new SshTransport({
    host: host.address,
    port: 22,
    user: 'root',
    privateKeyFile: lab.key,
    knownHostsFile: lab.knownHosts,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 10_000,
    maxChannels: 4,
  });
}
