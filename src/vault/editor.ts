import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as shellSplit } from 'shell-quote';
import { InputError } from '../util/errors.js';
import { readInput, realFile, writeOutput } from './files.js';
import {
  decryptVault,
  encryptVault,
  isVaultText,
  parseEnvelope,
  VaultError,
  type Decrypted,
  type VaultSecret,
} from './format.js';

/**
 * What `lbprov vault` does to files, as ansible-vault's VaultEditor: every failure is an
 * InputError naming the file (exit 5).
 */

/** The secret to encrypt with: --encrypt-vault-id's, or the only one (ansible-vault's match_encrypt_secret). */
export function encryptSecret(secrets: readonly VaultSecret[], encryptVaultId?: string): VaultSecret {
  if (!secrets.length)
    throw new InputError('a vault password is required (--vault-password-file, --vault-id or --ask-vault-pass)');
  if (encryptVaultId) {
    const s = secrets.find((x) => x.id === encryptVaultId);
    if (!s)
      throw new InputError(
        `--encrypt-vault-id ${encryptVaultId} matches none of the vault ids given (${secrets.map((x) => x.id).join(', ')})`,
      );
    return s;
  }
  if (secrets.length > 1)
    throw new InputError(
      `the vault ids ${secrets.map((x) => x.id).join(', ')} can all encrypt: choose one with --encrypt-vault-id`,
    );
  return secrets[0];
}

function decryptFile(file: string, data: Buffer, secrets: readonly VaultSecret[]): Decrypted {
  const name = file === '-' ? 'stdin' : file;
  if (!isVaultText(data))
    throw new InputError(`${name}: not vault-encrypted data (it does not start with $ANSIBLE_VAULT)`);
  try {
    return decryptVault(data.toString('utf8'), secrets);
  } catch (e) {
    if (e instanceof VaultError) throw new InputError(`${name}: ${e.message}`);
    throw e;
  }
}

function encrypt(file: string, data: Buffer, secret: VaultSecret, vaultId: string | undefined): string {
  try {
    return encryptVault(data, secret.password, vaultId);
  } catch (e) {
    if (e instanceof VaultError) throw new InputError(`${file === '-' ? 'stdin' : file}: ${e.message}`);
    throw e;
  }
}

/** encrypt FILE... (in place, or to --output; "-" or none: stdin to stdout). */
export function encryptFiles(files: string[], secret: VaultSecret, output?: string): void {
  if (output && files.length > 1) throw new InputError('--output takes one input file');
  for (const f of files.length ? files : ['-']) {
    const src = realFile(f);
    writeOutput(output ?? src, encrypt(f, readInput(src), secret, secret.id));
  }
}

/** decrypt FILE... (in place, or to --output; "-" or none: stdin to stdout). */
export function decryptFiles(files: string[], secrets: readonly VaultSecret[], output?: string): void {
  if (output && files.length > 1) throw new InputError('--output takes one input file');
  for (const f of files.length ? files : ['-']) {
    const src = realFile(f);
    writeOutput(output ?? src, decryptFile(f, readInput(src), secrets).plaintext);
  }
}

/** view FILE...: the plaintext on stdout. */
export function viewFiles(files: string[], secrets: readonly VaultSecret[]): void {
  if (!files.length) throw new InputError('vault view: name the file(s) to show');
  for (const f of files) process.stdout.write(decryptFile(f, readInput(realFile(f)), secrets).plaintext);
}

/** rekey FILE...: decrypted with the old secrets, encrypted with the new one, mode and owner kept. */
export function rekeyFiles(files: string[], secrets: readonly VaultSecret[], next: VaultSecret): void {
  if (!files.length) throw new InputError('vault rekey: name the file(s) to rekey');
  for (const f of files) {
    const src = realFile(f);
    const plain = decryptFile(f, readInput(src), secrets).plaintext;
    writeOutput(src, encrypt(f, plain, next, next.id), { keep: true });
  }
}

/**
 * edit FILE: the plaintext in a 0600 file of a fresh 0700 directory, $EDITOR on it, and the file
 * encrypted again (same vault id, same secret) only when it changed; the plaintext is overwritten
 * and removed whatever happens. create FILE: the same, from nothing (the file must not exist).
 */
export function editFile(
  file: string,
  secrets: readonly VaultSecret[],
  create?: VaultSecret,
  env: NodeJS.ProcessEnv = process.env,
): void {
  let target: string;
  let before: Buffer;
  let secret: VaultSecret;
  let vaultId: string | undefined;
  if (create) {
    if (existsSync(file)) throw new InputError(`${file} exists: use "lbprov vault edit"`);
    target = file;
    before = Buffer.alloc(0);
    secret = create;
    vaultId = create.id;
  } else {
    target = realFile(file);
    const data = readInput(target);
    const d = decryptFile(file, data, secrets);
    before = d.plaintext;
    secret = d.secret;
    // the header keeps its id, as ansible-vault edit does
    vaultId = parseEnvelope(data.toString('utf8')).vaultId;
  }
  const editor = shellSplit(env.EDITOR || 'vi');
  if (!editor.length || editor.some((w) => typeof w !== 'string'))
    throw new InputError(`EDITOR="${env.EDITOR}": expected a command and its arguments, without shell operators`);
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-'));
  const tmp = join(dir, basename(file));
  try {
    writeFileSync(tmp, before, { mode: 0o600, flag: 'wx' });
    const [cmd, ...args] = editor as string[];
    const r = spawnSync(cmd, [...args, tmp], { stdio: 'inherit' });
    if (r.error)
      throw new InputError(
        `cannot run the editor ${cmd}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`,
      );
    if (r.status !== 0)
      throw new InputError(`the editor ${cmd} exited with ${r.status ?? r.signal}: ${file} left as it was`);
    const after = readFileSync(tmp);
    if (create || !after.equals(before)) writeOutput(target, encrypt(file, after, secret, vaultId), { keep: !create });
  } finally {
    try {
      if (existsSync(tmp)) writeFileSync(tmp, Buffer.alloc(readFileSync(tmp).length));
    } catch {
      // removed below anyway
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** encrypt_string: `name: !vault |` blocks (indent 10, as ansible-vault prints them) for each string. */
export function encryptStrings(items: Array<{ name?: string; text: string }>, secret: VaultSecret): string[] {
  return items.map(({ name, text }) => {
    if (!text) throw new InputError('encrypt_string: the string to encrypt is empty');
    const vault = encrypt('encrypt_string', Buffer.from(text, 'utf8'), secret, secret.id);
    const lines = vault
      .split('\n')
      .filter(Boolean)
      .map((l) => `${' '.repeat(10)}${l}`);
    return [`${name ? `${name}: ` : ''}!vault |`, ...lines].join('\n');
  });
}
