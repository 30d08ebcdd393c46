import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config/load.js';
import type { Vars } from '../inventory/types.js';
import { InputError, Problems } from '../util/errors.js';
import { verbosity, vlog } from '../util/verbose.js';

/** The connection and privilege flags shared by apply and facts (Ansible's names). */
export interface ConnectionFlags {
  inventory?: string[];
  user?: string;
  privateKey?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  connection?: string;
  timeout?: string;
  verbose?: number;
  forks?: string;
}

export interface Resolved {
  config: Config;
  /** -i, else the config's inventory, else undefined (inventory/local.yml or localhost). */
  inventory?: string[];
  forks: number;
  /**
   * Connection and become settings as host variables of the lowest precedence: any inventory,
   * group_vars, play or -e value wins over them. That is Ansible's rule for -u, --private-key, -c,
   * -T, -b, --become-user and --become-method (ansible_user in the inventory beats -u).
   */
  baseVars: Vars;
  connectTimeoutMs: number;
  scriptTimeoutS?: number;
  askBecomePass: boolean;
  /** Stored for the features that use them: roles_path, retry files (rollout), the ssh client config (ssh). */
  rolesPath?: string[];
  retryFiles: { enabled?: boolean; savePath?: string };
  sshConfig?: string;
}

/**
 * Command line > environment (LBPROV_*, ANSIBLE_*) > config file > default, for every setting; the
 * result is what the run uses. Bad values are input errors (exit 5) naming the flag, the variable
 * or file:line.
 */
export function resolveSettings(flags: ConnectionFlags, given?: Config): Resolved {
  verbosity.level = Math.max(verbosity.level, flags.verbose ?? 0);
  const config = given ?? loadConfig();
  if (!given) for (const w of config.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
  vlog(1, config.file ? `Using ${config.file} as config file` : 'No config file found; using defaults');
  const s = config.settings;
  const pick = <T>(cli: T | undefined, name: keyof Config['settings']): T | undefined => {
    if (cli !== undefined) {
      vlog(2, `setting ${name}: from the command line`);
      return cli;
    }
    const c = s[name];
    if (c) vlog(2, `setting ${name}: ${JSON.stringify(c.value)} from ${c.origin}`);
    return c?.value as T | undefined;
  };

  // every bad flag is reported, together (Problems), not only the first
  const bad = new Problems();
  let forks = 50;
  const forksRaw = pick<string | number>(flags.forks, 'forks');
  if (forksRaw !== undefined) {
    forks = Number(forksRaw);
    if (!Number.isInteger(forks) || forks < 1) bad.add(`--forks ${forksRaw}: expected a whole number >= 1`);
  }
  let timeoutS = 10;
  const timeoutRaw = pick<string | number>(flags.timeout, 'timeout');
  if (timeoutRaw !== undefined) {
    timeoutS = Number(timeoutRaw);
    if (!(typeof timeoutRaw === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(timeoutRaw)) || !(timeoutS > 0))
      bad.add(`-T/--timeout ${timeoutRaw}: expected a number of seconds > 0`);
  }
  const method = pick<string>(flags.becomeMethod, 'become_method');
  if (method !== undefined && method !== 'sudo' && method !== 'su')
    bad.add(`--become-method ${method}: expected sudo or su`);
  if (flags.connection !== undefined && !['ssh', 'local'].includes(flags.connection))
    bad.add(`-c/--connection ${flags.connection}: expected ssh or local`);
  bad.throwIfAny();

  const base: Vars = {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) base[k] = v;
  };
  set('ansible_user', pick(flags.user, 'remote_user'));
  set(
    'ansible_ssh_private_key_file',
    flags.privateKey !== undefined ? resolve(flags.privateKey) : pick(undefined, 'private_key_file'),
  );
  set('ansible_connection', flags.connection);
  set('ansible_become', pick(flags.become, 'become'));
  set('ansible_become_user', pick(flags.becomeUser, 'become_user'));
  set('ansible_become_method', method);
  set('ansible_become_flags', pick(undefined, 'become_flags'));
  set('ansible_ssh_common_args', pick(undefined, 'ssh_args'));
  if (pick<boolean>(undefined, 'host_key_checking') === false) base.lbprov_host_key_checking = 'off';

  return {
    config,
    inventory: flags.inventory?.length ? flags.inventory : (s.inventory?.value as string[] | undefined),
    forks,
    baseVars: base,
    connectTimeoutMs: timeoutS * 1000,
    scriptTimeoutS: s.inventory_script_timeout?.value as number | undefined,
    askBecomePass: !!pick(flags.askBecomePass, 'become_ask_pass'),
    rolesPath: s.roles_path?.value as string[] | undefined,
    retryFiles: {
      enabled: s.retry_files_enabled?.value as boolean | undefined,
      savePath: s.retry_files_save_path?.value as string | undefined,
    },
    sshConfig: s.ssh_config?.value as string | undefined,
  };
}

/** -K: the become password, asked on the terminal without echo (Ansible's "BECOME password: "). */
export async function askBecomePassword(): Promise<string> {
  if (!process.stdin.isTTY)
    throw new InputError(
      '-K/--ask-become-pass needs a terminal to ask on; without one, set ansible_become_password (e.g. in a vars file kept out of git)',
    );
  const { read } = await import('read');
  return read({ prompt: 'BECOME password: ', silent: true, replace: '', output: process.stderr });
}
