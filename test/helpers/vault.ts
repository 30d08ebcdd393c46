import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import type { CliResult } from './cli.js';

export const VAULT_FIXTURES = join(packageRoot, 'test', 'fixtures', 'vault');
/** The passwords of the committed fixtures (made with ansible-vault 2.14). */
export const PASSWORD_FILE = join(VAULT_FIXTURES, 'password.txt');
export const PROD_PASSWORD_FILE = join(VAULT_FIXTURES, 'prod-password.txt');

/** The developer's own vault settings must not leak into the tests. */
export const NO_VAULT_ENV = {
  LBPROV_VAULT_PASSWORD_FILE: '',
  ANSIBLE_VAULT_PASSWORD_FILE: '',
  LBPROV_VAULT_IDENTITY_LIST: '',
  ANSIBLE_VAULT_IDENTITY_LIST: '',
};

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Written to stdin, then closed; stdin is /dev/null otherwise. */
  input?: string | Buffer;
  /** A new session: no controlling terminal, so a prompt cannot wait on the developer's one. */
  detached?: boolean;
}

/** Runs a program (lbprov, ansible-vault, python3) and collects its output. */
export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd ?? packageRoot,
      env: { ...process.env, NO_COLOR: '1', ...NO_VAULT_ENV, ...o.env },
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: o.detached ?? true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

/** The real `lbprov` command, in its own session (a stray prompt fails instead of waiting). */
export const lbprovRun = (args: string[], o: RunOptions = {}): Promise<CliResult> =>
  run(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), ...args], o);

/** A file with this content and mode. */
export function put(path: string, content: string | Buffer, mode = 0o644): string {
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** No stack trace in what a user sees. */
export const hasStack = (s: string): boolean => /\n\s+at .+:\d+:\d+\)?/.test(s) || /internal error/.test(s);
