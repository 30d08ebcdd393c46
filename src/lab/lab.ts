import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../util/paths.js';
import { mapLimit } from '../util/semaphore.js';

/**
 * The lab: N real hosts on this machine (shared/docs/lab.md). Each is its own pid/mount/uts/net/ipc
 * namespace with overlays over /etc /var /opt /usr /home /srv, its own /run, /tmp, bpffs and a clean
 * /root, systemd (full) or sshd (light) as PID 1, its own ssh host key, on a bridge in 198.18.0.0/24.
 */
export const MAX_HOSTS = 200;

/**
 * Where a lab lives on the network. Slot 0 (the default) is the whole 198.18.0.0/24: bridge lbplab0,
 * gateway .1, host i at .(10+i), up to 200 hosts. `LBPROV_LAB_SLOT=1..3` gives a second, third or
 * fourth lab that can run beside it (parallel development): a /27 at the top of the range
 * (slot k: 198.18.0.(96+32k)/27), its own bridge lbplab{k}, state dir /srv/lbprov-lab-{k}, up to
 * 28 hosts. The /27 is more specific than slot 0's /24, so the machine routes it to its own bridge;
 * a slot-0 lab then must stay below .128 (fewer than 118 hosts).
 */
export interface LabNet {
  slot: number;
  bridge: string;
  gateway: string;
  prefix: number;
  maxHosts: number;
  /** the outer end of host i's veth pair */
  veth: (i: number) => string;
  address: (i: number) => string;
  /** an address of the lab's range that no host has: for unreachable-host tests */
  unused: string;
}

export function labNet(slot = labSlot()): LabNet {
  if (slot === 0) {
    return {
      slot,
      bridge: 'lbplab0',
      gateway: '198.18.0.1',
      prefix: 24,
      maxHosts: MAX_HOSTS,
      veth: (i) => `lh${i}`,
      address: (i) => `198.18.0.${10 + i}`,
      unused: '198.18.0.250',
    };
  }
  const base = 96 + 32 * slot;
  return {
    slot,
    bridge: `lbplab${slot}`,
    gateway: `198.18.0.${base + 1}`,
    prefix: 27,
    maxHosts: 28,
    veth: (i) => `l${slot}h${i}`,
    address: (i) => `198.18.0.${base + 1 + i}`,
    unused: `198.18.0.${base + 30}`,
  };
}

export function labSlot(): number {
  const raw = process.env.LBPROV_LAB_SLOT ?? '0';
  const slot = Number(raw);
  if (!Number.isInteger(slot) || slot < 0 || slot > 3)
    throw new LabError(`LBPROV_LAB_SLOT must be 0..3, not ${JSON.stringify(raw)}`);
  return slot;
}

export interface LabHost {
  name: string;
  address: string;
  /** The `unshare` process we started, and the host's PID 1 (its child): the pids we stop. */
  unsharePid: number;
  initPid: number;
  mode: 'full' | 'light';
}

export interface LabState {
  dir: string;
  key: string;
  knownHosts: string;
  inventory: string;
  hosts: LabHost[];
}

export class LabError extends Error {
  override name = 'LabError';
}

export function labDir(): string {
  const slot = labSlot();
  return resolve(process.env.LBPROV_LAB_DIR ?? (slot ? `/srv/lbprov-lab-${slot}` : '/srv/lbprov-lab'));
}

const stateFile = (dir: string): string => join(dir, 'state.json');

export function readState(dir = labDir()): LabState | undefined {
  const f = stateFile(dir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as LabState) : undefined;
}

function run(cmd: string, args: string[], quiet = false): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'pipe'] });
  } catch (e) {
    if (quiet) return '';
    const err = e as { stderr?: string; message: string };
    throw new LabError(`${cmd} ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** What the lab needs from this machine, with the Debian package to install when it is missing. */
export function missingTools(mode: 'full' | 'light'): string[] {
  const need: Array<[string, string]> = [
    ['/usr/bin/unshare', 'util-linux'],
    ['/usr/sbin/ip', 'iproute2'],
    ['/usr/sbin/sshd', 'openssh-server'],
    ['/usr/bin/ssh-keygen', 'openssh-client'],
  ];
  if (mode === 'full') need.push(['/lib/systemd/systemd', 'systemd']);
  return need.filter(([p]) => !existsSync(p)).map(([p, pkg]) => `${p} (Debian package ${pkg})`);
}

function assertRoot(): void {
  if (process.getuid?.() !== 0)
    throw new LabError(
      'the lab needs root: it creates namespaces, overlay mounts and a bridge (run as root, e.g. sudo npx lbprov lab up)',
    );
}

/** Is this pid still the process we started (not a reused pid)? */
function ours(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** A lab host is up while the PID 1 we recorded is still the child of the unshare we started. */
function alive(h: LabHost): boolean {
  return h.initPid > 0 && existsSync(`/proc/${h.initPid}`) && childOf(h.unsharePid) === h.initPid;
}

function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new LabError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host, port, timeout: 500 });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
    s.once('timeout', () => {
      s.destroy();
      res(false);
    });
  });
}

export interface UpOptions {
  hosts: number;
  light: boolean;
  inventory?: string;
  log?: (s: string) => void;
}

export async function labUp(o: UpOptions): Promise<LabState> {
  assertRoot();
  const mode = o.light ? 'light' : 'full';
  const missing = missingTools(mode);
  if (missing.length) throw new LabError(`the lab needs: ${missing.join(', ')}`);
  const net = labNet();
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > net.maxHosts)
    throw new LabError(`--hosts must be 1..${net.maxHosts}`);
  const dir = labDir();
  await labDown({ quiet: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, 'id_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lbprov-lab', '-f', key]);
  const pub = readFileSync(`${key}.pub`, 'utf8');

  run('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
  run('ip', ['addr', 'add', `${net.gateway}/${net.prefix}`, 'dev', net.bridge]);
  run('ip', ['link', 'set', net.bridge, 'up']);

  const init = join(packageRoot, 'src', 'lab', 'host-init.sh');
  const hosts: LabHost[] = [];
  const state: LabState = {
    dir,
    key,
    knownHosts: join(dir, 'known_hosts'),
    inventory: resolve(o.inventory ?? join(dir, 'inventory.yml')),
    hosts,
  };
  const save = (): void => writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
  const known: string[] = [];
  try {
    // every start runs to its end before a failure is raised: a host still booting when the lab is
    // torn down would have no pid in the state yet and outlive the lab
    const failures: unknown[] = [];
    await mapLimit(
      Array.from({ length: o.hosts }, (_, i) => i + 1),
      16,
      (i) => startHost(i).catch((e: unknown) => void failures.push(e)),
    );
    if (failures.length) throw failures[0];
    async function startHost(i: number): Promise<void> {
      const name = `h${i}`;
      const address = net.address(i);
      const hdir = join(dir, name);
      mkdirSync(hdir, { recursive: true });
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(hdir, 'ssh_host_ed25519_key')]);
      writeFileSync(join(hdir, 'authorized_keys'), pub, { mode: 0o600 });
      known[i - 1] =
        `${address} ${readFileSync(join(hdir, 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')}`;
      const logFd = openSync(join(hdir, 'init.log'), 'w');
      const child = spawn(
        'unshare',
        [
          '--pid',
          '--fork',
          '--mount',
          '--uts',
          '--net',
          '--ipc',
          '--mount-proc',
          init,
          hdir,
          name,
          `${address}/${net.prefix}`,
          net.gateway,
          mode,
        ],
        {
          detached: true,
          stdio: ['ignore', logFd, logFd],
        },
      );
      closeSync(logFd);
      child.unref();
      const unsharePid = child.pid!;
      const host: LabHost = { name, address, unsharePid, initPid: 0, mode };
      hosts.push(host);
      const log = (): string => readFileSync(join(hdir, 'init.log'), 'utf8').trim();
      host.initPid = await waitFor(`${name}'s init process`, 5000, () => {
        const pid = childOf(unsharePid);
        if (pid === undefined && !existsSync(`/proc/${unsharePid}`))
          throw new LabError(`${name} did not start: ${log() || 'no output'}`);
        return pid;
      });
      save();
      // a veth end of a previous lab can outlive it while the kernel tears its namespace down
      run('ip', ['link', 'del', net.veth(i)], true);
      run('ip', ['link', 'add', net.veth(i), 'type', 'veth', 'peer', 'name', 'eth1', 'netns', String(host.initPid)]);
      run('ip', ['link', 'set', net.veth(i), 'master', net.bridge, 'up']);
    }
    hosts.sort((a, b) => Number(a.name.slice(1)) - Number(b.name.slice(1)));
    save();
    writeFileSync(state.knownHosts, known.join('\n') + '\n');
    writeFileSync(state.inventory, inventoryYaml(state));
    await mapLimit(hosts, 32, (h) =>
      waitFor(`sshd on ${h.name} (${h.address}); see ${join(dir, h.name, 'init.log')}`, 60_000, async () => {
        if (!alive(h))
          throw new LabError(
            `${h.name} died while booting: ${readFileSync(join(dir, h.name, 'init.log'), 'utf8').trim()}`,
          );
        return (await portOpen(h.address, 22)) ? true : undefined;
      }),
    );
  } catch (e) {
    await labDown({ quiet: true });
    throw e;
  }
  o.log?.(
    `lab up: ${hosts.length} ${mode} host(s) ${hosts[0].address}..${hosts[hosts.length - 1].address}; inventory ${state.inventory}\n`,
  );
  return state;
}

function inventoryYaml(s: LabState): string {
  const hosts = Object.fromEntries(s.hosts.map((h) => [h.name, { ansible_host: h.address }]));
  const doc = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: s.key,
        lbprov_known_hosts: s.knownHosts,
        lbprov_host_key_checking: 'strict',
      },
      // a group's vars, not all's: the playbook's group_vars/all.yml is above the inventory's `all` (Ansible's precedence)
      children: { lab: { vars: { nic_required: false }, children: { edge: { hosts } } } },
    },
  };
  // YAML 1.1, as lbprov and Ansible read it back: a string such as yes or 0644 is written quoted
  return `# Written by \`lbprov lab up\`: ${s.hosts.length} ${s.hosts[0]?.mode ?? ''} lab host(s) on ${labNet().bridge}.\n${stringify(doc, { version: '1.1' })}`;
}

/** Stops exactly the processes the lab started (SIGKILL to each host's PID 1), removes the bridge and all state. */
export async function labDown(o: { quiet?: boolean; log?: (s: string) => void } = {}): Promise<number> {
  assertRoot();
  const dir = labDir();
  const state = readState(dir);
  let stopped = 0;
  for (const h of state?.hosts ?? []) {
    if (alive(h)) {
      // the namespace's PID 1; everything inside dies with it. systemd ignores SIGTERM, hence SIGKILL.
      process.kill(h.initPid, 'SIGKILL');
      stopped++;
    }
  }
  for (const h of state?.hosts ?? []) {
    await waitFor(`${h.name} to stop`, 10_000, () => (ours(h.unsharePid, 'unshare') ? undefined : true)).catch(
      () => undefined,
    );
  }
  // veth ends go with their host's namespace, but only once the kernel has torn it down
  for (const h of state?.hosts ?? []) run('ip', ['link', 'del', labNet().veth(Number(h.name.slice(1)))], true);
  run('ip', ['link', 'del', labNet().bridge], true);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (state?.inventory && existsSync(state.inventory) && !state.inventory.startsWith(dir))
    rmSync(state.inventory, { force: true });
  if (!o.quiet) o.log?.(state ? `lab down: stopped ${stopped} host(s), removed ${dir}\n` : 'lab down: no lab was up\n');
  return stopped;
}

export async function labStatus(): Promise<{
  state?: LabState;
  rows: Array<{ host: LabHost; alive: boolean; ssh: boolean }>;
}> {
  const state = readState();
  if (!state) return { rows: [] };
  const rows = await mapLimit(state.hosts, 32, async (h) => {
    const up = alive(h);
    return { host: h, alive: up, ssh: up && (await portOpen(h.address, 22)) };
  });
  return { state, rows };
}
