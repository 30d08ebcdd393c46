import { spawnSync } from 'node:child_process';
import { openSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ReadStream, WriteStream } from 'node:tty';
import { InputError } from '../util/errors.js';
import { decryptVault, isVaultText, type VaultError, type VaultSecret } from './format.js';

/** The vault flags of apply, validate, facts and `lbprov vault` (as ansible-playbook/ansible-vault). */
export interface VaultFlags {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Prompts ask for a new password and its confirmation (encrypt, create, rekey's new one). */
  newPassword?: boolean;
  /** With no source at all, prompt anyway (ansible-vault does; ansible-playbook does not). */
  autoPrompt?: boolean;
  /** Reads a password from the terminal; tests give their own. */
  prompt?: (question: string) => Promise<string>;
}

const ASK = 'prompt_ask_vault_pass';

/** `label@source` or `source` (label "default"); source is a file, an executable script, or `prompt`. */
export function splitVaultId(slug: string): { id: string; source: string } {
  const at = slug.indexOf('@');
  const id = at < 0 ? 'default' : slug.slice(0, at) || 'default';
  const source = at < 0 ? slug : slug.slice(at + 1);
  if (id.includes(';')) throw new InputError(`--vault-id ${slug}: ";" is not allowed in vault ids`);
  if (!source) throw new InputError(`--vault-id ${slug}: no password source after "@" (a file, a script or "prompt")`);
  return { id, source };
}

/**
 * The secrets the flags name, in Ansible's order: --vault-id (and LBPROV_VAULT_IDENTITY_LIST /
 * ANSIBLE_VAULT_IDENTITY_LIST before them), then --vault-password-file and
 * LBPROV_VAULT_PASSWORD_FILE (else ANSIBLE_VAULT_PASSWORD_FILE) as the "default" id, then
 * --ask-vault-pass. A source that cannot give a password is an input error naming it (exit 5).
 */
export async function loadVaultSecrets(flags: VaultFlags, o: LoadOptions = {}): Promise<VaultSecret[]> {
  const env = o.env ?? process.env;
  const envIds = (env.LBPROV_VAULT_IDENTITY_LIST || env.ANSIBLE_VAULT_IDENTITY_LIST || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const slugs = [...envIds, ...(flags.vaultId ?? [])];
  const envFile = env.LBPROV_VAULT_PASSWORD_FILE || env.ANSIBLE_VAULT_PASSWORD_FILE;
  for (const f of [...(flags.vaultPasswordFile ?? []), ...(envFile ? [envFile] : [])]) slugs.push(`default@${f}`);
  if (flags.askVaultPass || (!slugs.length && o.autoPrompt)) slugs.push(`default@${ASK}`);
  const out: VaultSecret[] = [];
  for (const slug of slugs) {
    const { id, source } = splitVaultId(slug);
    if (source === 'prompt' || source === ASK) {
      const questions = o.newPassword
        ? source === ASK
          ? ['New Vault password: ', 'Confirm New Vault password: ']
          : [`New vault password (${id}): `, `Confirm new vault password (${id}): `]
        : [source === ASK ? 'Vault password: ' : `Vault password (${id}): `];
      const answers: string[] = [];
      for (const q of questions) answers.push((await (o.prompt ?? promptTty)(q)).trim());
      if (!answers[0]) throw new InputError(`vault password prompt (${id}): an empty password is not a password`);
      if (answers.some((a) => a !== answers[0]))
        throw new InputError(`vault password prompt (${id}): the passwords do not match`);
      out.push({ id, password: Buffer.from(answers[0], 'utf8'), source: 'prompt' });
      continue;
    }
    out.push({ id, password: passwordFrom(source, id, out), source });
  }
  return out;
}

/** A password file's content, or an executable's stdout (a `*-client` script gets `--vault-id ID`), as Ansible. */
function passwordFrom(file: string, id: string, known: readonly VaultSecret[]): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (e) {
    throw new InputError(
      `vault password file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`,
    );
  }
  let pw: Buffer;
  if (mode & 0o111) {
    const client = basename(file, extname(file)).endsWith('-client');
    const r = spawnSync(file, client ? ['--vault-id', id] : [], {
      stdio: ['inherit', 'pipe', client ? 'pipe' : 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (r.error)
      throw new InputError(
        `vault password script ${file}: cannot run it (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); if it is not a script, remove its executable bit`,
      );
    const err = r.stderr ? `: ${r.stderr.toString().trim()}` : '';
    if (client && r.status === 2)
      throw new InputError(`vault password client script ${file} has no secret for vault id ${id}${err}`);
    if (r.status !== 0) throw new InputError(`vault password script ${file} exited with ${r.status ?? r.signal}${err}`);
    pw = stripCrLf(r.stdout);
  } else {
    try {
      pw = stripCrLf(trim(readFileSync(file)));
    } catch (e) {
      throw new InputError(`vault password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (isVaultText(pw)) {
      // a password file may itself be vault-encrypted with a secret given before it
      try {
        pw = stripCrLf(decryptVault(pw.toString('utf8'), known).plaintext);
      } catch (e) {
        throw new InputError(`vault password file ${file} is vault-encrypted: ${(e as VaultError).message}`);
      }
    }
  }
  if (!pw.length)
    throw new InputError(`vault password ${mode & 0o111 ? 'script' : 'file'} ${file} gave an empty password`);
  return pw;
}

const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** Python's bytes.strip(): ASCII whitespace at both ends. */
function trim(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && isSpace(b[s])) s++;
  while (e > s && isSpace(b[e - 1])) e--;
  return b.subarray(s, e);
}

/** Python's bytes.strip(b'\r\n'). */
function stripCrLf(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && (b[s] === 0x0a || b[s] === 0x0d)) s++;
  while (e > s && (b[e - 1] === 0x0a || b[e - 1] === 0x0d)) e--;
  return b.subarray(s, e);
}

/** Asks on the controlling terminal (as getpass does), so stdin stays free for data; nothing is echoed unless `echo`. */
export async function promptTty(question: string, echo = false): Promise<string> {
  let rfd: number;
  let wfd: number;
  try {
    rfd = openSync('/dev/tty', 'r');
    wfd = openSync('/dev/tty', 'w');
  } catch {
    throw new InputError(
      `cannot ask "${question.trim()}": no terminal (use --vault-password-file or --vault-id LABEL@FILE)`,
    );
  }
  // each stream owns its descriptor and closes it when destroyed
  const input = new ReadStream(rfd);
  const output = new WriteStream(wfd);
  try {
    const { read } = await import('read');
    const answer = await read({ prompt: question, silent: !echo, replace: '', input, output, terminal: true });
    // a silent read swallows the Enter too: end the prompt's line
    if (!echo) output.write('\n');
    return answer;
  } catch (e) {
    throw new InputError(`prompt: ${(e as Error).message === 'canceled' ? 'cancelled' : (e as Error).message}`);
  } finally {
    input.destroy();
    output.destroy();
  }
}
