import { execFileSync } from 'node:child_process';
import { LabError, type LabHost, type LabState } from './lab.js';

/**
 * Bastions in the lab: a host whose sshd accepts logins only from another lab host's address, so
 * ProxyJump is exercised for real (the machine itself is refused). The change is made from the
 * machine, inside the host's own mount namespace (nsenter to the PID 1 the lab started), not over
 * SSH: a host that refuses the machine can still be changed back.
 */
const DROP_IN = '/etc/ssh/sshd_config.d/lbprov-lab-only-from.conf';

function host(state: LabState, name: string): LabHost {
  const h = state.hosts.find((x) => x.name === name);
  if (!h) throw new LabError(`no lab host ${name}`);
  return h;
}

/** Runs argv inside a lab host's namespaces (mount, uts, net, ipc, pid), as its root. */
export function inLabHost(state: LabState, name: string, argv: string[], input?: string): string {
  const h = host(state, name);
  try {
    return execFileSync('nsenter', ['-t', String(h.initPid), '-m', '-u', '-n', '-i', '-p', '--', ...argv], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new LabError(`${name}: ${argv.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/**
 * Makes `name` accept SSH logins only from the lab hosts in `from` (sshd AllowUsers *@ADDRESS),
 * or from anywhere again with `from` empty; sshd reloads, sessions already open stay.
 */
export function labOnlyFrom(state: LabState, name: string, from: string[]): void {
  const addrs = from.map((f) => host(state, f).address);
  if (addrs.length)
    inLabHost(
      state,
      name,
      ['tee', DROP_IN],
      `# lbprov lab: logins only through ${from.join(', ')}\nAllowUsers ${addrs.map((a) => `*@${a}`).join(' ')}\n`,
    );
  else inLabHost(state, name, ['rm', '-f', DROP_IN]);
  reloadSshd(state, name);
}

/** sshd re-reads its configuration: through systemd on a full host, SIGHUP to PID 1 (sshd) on a light one. */
export function reloadSshd(state: LabState, name: string): void {
  const h = host(state, name);
  inLabHost(state, name, ['/usr/sbin/sshd', '-t']);
  if (h.mode === 'full') inLabHost(state, name, ['systemctl', 'reload', 'ssh']);
  else process.kill(h.initPid, 'SIGHUP');
}
