import { createCipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Ansible Vault's format, as ansible/parsing/vault/__init__.py (2.14) reads and writes it:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (or 1.2;AES256;<vault-id>)
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), in lines of 80
 *
 * PBKDF2-HMAC-SHA256 (10000 iterations, 32-byte salt) gives 80 bytes: the AES-256-CTR key, the
 * HMAC-SHA256 key and the 16-byte counter block; the plaintext is PKCS7-padded before encryption
 * and the HMAC covers the ciphertext. Node's crypto does every step: no library needed, and the
 * decryption is synchronous, so a YAML tag can run it while a file is parsed.
 */
export const VAULT_HEADER = '$ANSIBLE_VAULT';

/** One password with the vault id it stands for ("default" unless `--vault-id label@...`). */
export interface VaultSecret {
  id: string;
  password: Buffer;
  /** Where it came from (a file name, "prompt"): for messages, never the password. */
  source: string;
}

/** Vault data that cannot be read: a bad envelope, or no secret that decrypts it. */
export class VaultError extends Error {
  override name = 'VaultError';
}

export interface Envelope {
  version: string;
  cipher: string;
  /** The id in a 1.2 header; undefined for 1.1. */
  vaultId?: string;
  /** The outer hex, newlines removed. */
  body: string;
}

const ITERATIONS = 10_000;
const KEY_LEN = 32;
const IV_LEN = 16;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** True when text starts like vault data (Ansible's is_encrypted: the header at offset 0). */
export function isVaultText(text: string | Buffer): boolean {
  return (typeof text === 'string' ? text : text.subarray(0, VAULT_HEADER.length).toString('latin1')).startsWith(
    VAULT_HEADER,
  );
}

export function parseEnvelope(text: string): Envelope {
  const lines = text.split(/\r?\n/);
  const header = lines[0].trim().split(';');
  if (header[0] !== VAULT_HEADER || header.length < 3)
    throw new VaultError(
      `not vault data (the first line must be "${VAULT_HEADER};1.1;AES256" or "${VAULT_HEADER};1.2;AES256;<vault-id>")`,
    );
  const version = header[1].trim();
  const cipher = header[2].trim();
  if (version !== '1.1' && version !== '1.2')
    throw new VaultError(`vault format version ${version} is not supported (1.1 and 1.2 are)`);
  if (cipher !== 'AES256') throw new VaultError(`vault cipher ${cipher} is not supported (AES256 is)`);
  const vaultId = header.length >= 4 ? header[3].trim() : undefined;
  return {
    version,
    cipher,
    vaultId,
    body: lines
      .slice(1)
      .map((l) => l.trim())
      .join(''),
  };
}

function unhex(s: string, what: string): Buffer {
  if (!HEX.test(s)) throw new VaultError(`vault data is damaged: the ${what} is not hexadecimal`);
  return Buffer.from(s, 'hex');
}

function deriveKeys(password: Buffer, salt: Buffer): { cipherKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const k = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LEN + IV_LEN, 'sha256');
  return { cipherKey: k.subarray(0, KEY_LEN), hmacKey: k.subarray(KEY_LEN, 2 * KEY_LEN), iv: k.subarray(2 * KEY_LEN) };
}

/** The vault text of `plaintext` (header, 80-column lines, final newline), as ansible-vault writes it. */
export function encryptVault(
  plaintext: Buffer | string,
  password: Buffer,
  vaultId?: string,
  salt: Buffer = randomBytes(32),
): string {
  if (!password.length) throw new VaultError('an empty vault password cannot encrypt');
  if (vaultId?.includes(';'))
    throw new VaultError(`"${vaultId}" is not a valid vault id: ";" is not allowed in vault ids`);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  if (isVaultText(data)) throw new VaultError('input is already encrypted');
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const pad = 16 - (data.length % 16);
  const padded = Buffer.concat([data, Buffer.alloc(pad, pad)]);
  const c = createCipheriv('aes-256-ctr', cipherKey, iv);
  const ciphertext = Buffer.concat([c.update(padded), c.final()]);
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const inner = `${salt.toString('hex')}\n${hmac.toString('hex')}\n${ciphertext.toString('hex')}`;
  const outer = Buffer.from(inner, 'latin1').toString('hex');
  // Ansible writes 1.2 (with the id) only for an id other than "default"
  const header =
    vaultId && vaultId !== 'default' ? `${VAULT_HEADER};1.2;AES256;${vaultId}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < outer.length; i += 80) lines.push(outer.slice(i, i + 80));
  return `${lines.join('\n')}\n`;
}

/** Decrypts an envelope's body with one password: the plaintext, or undefined when the HMAC does not match. */
export function decryptBody(body: string, password: Buffer): Buffer | undefined {
  const inner = unhex(body, 'body').toString('latin1');
  const parts = inner.split('\n');
  if (parts.length < 3) throw new VaultError('vault data is damaged: expected salt, HMAC and ciphertext');
  const [saltHex, hmacHex] = parts;
  const salt = unhex(saltHex, 'salt');
  const expected = unhex(hmacHex, 'HMAC');
  const ciphertext = unhex(parts.slice(2).join('\n'), 'ciphertext');
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const actual = createHmac('sha256', hmacKey).update(ciphertext).digest();
  // constant time, as Ansible's hmac.verify: the comparison says nothing about how much matched
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const d = createCipheriv('aes-256-ctr', cipherKey, iv);
  const padded = Buffer.concat([d.update(ciphertext), d.final()]);
  const pad = padded.length ? padded[padded.length - 1] : 0;
  if (pad < 1 || pad > 16 || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new VaultError('vault data is damaged: bad padding');
  }
  return padded.subarray(0, padded.length - pad);
}

export interface Decrypted {
  plaintext: Buffer;
  /** The header's id (1.2) or "default". */
  vaultId: string;
  /** The secret that opened it. */
  secret: VaultSecret;
}

/**
 * Decrypts vault text with the first secret that opens it: those whose id matches the header's id
 * first, then every other one (Ansible's default, vault_id_match = false).
 */
export function decryptVault(text: string, secrets: readonly VaultSecret[]): Decrypted {
  const env = parseEnvelope(text);
  const vaultId = env.vaultId ?? 'default';
  if (!secrets.length)
    throw new VaultError('no vault secret was given (use --vault-password-file, --vault-id or --ask-vault-pass)');
  const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
  for (const secret of ordered) {
    const plaintext = decryptBody(env.body, secret.password);
    if (plaintext) return { plaintext, vaultId, secret };
  }
  const tried = [...new Set(secrets.map((s) => s.id))].join(', ');
  throw new VaultError(
    `decryption failed: no vault secret opens it (wrong password? vault id in the data: ${env.vaultId ?? 'none'}; tried: ${tried})`,
  );
}
