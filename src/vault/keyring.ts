import type { CollectionTag, ScalarTag } from 'yaml';
import { decryptVault, isVaultText, VaultError, type VaultSecret } from './format.js';
import { InputError } from '../util/errors.js';
import { markSecret } from './redact.js';

/**
 * The vault secrets of this run, set once by the CLI (--vault-id, --vault-password-file,
 * --ask-vault-pass, LBPROV_VAULT_PASSWORD_FILE) before anything is loaded. Everything lbprov reads
 * is read at start-up, so vault data is decrypted at load: a wrong or missing password is an input
 * error (exit 5) with its place, before any host is contacted.
 */
let secrets: VaultSecret[] = [];

export function setVaultSecrets(list: readonly VaultSecret[]): void {
  secrets = [...list];
}

export function vaultSecrets(): readonly VaultSecret[] {
  return secrets;
}

/** Decrypts vault text with this run's secrets and records the plaintext as a secret. */
function open(text: string): string {
  const plain = decryptVault(text, secrets).plaintext;
  const s = plain.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(plain)) throw new VaultError('the decrypted data is not UTF-8 text');
  return s;
}

/**
 * `key: !vault |` followed by vault text (what `ansible-vault encrypt_string` prints): decrypted
 * while the YAML is parsed; an error is reported by the YAML loader at the tag's line and column.
 */
export const vaultTag: ScalarTag = {
  tag: '!vault',
  identify: () => false,
  resolve(value, onError) {
    try {
      const s = open(value.trim());
      markSecret(s);
      return s;
    } catch (e) {
      onError(`!vault value: ${e instanceof VaultError ? e.message : String(e)}`);
      return '';
    }
  },
};

/** `!vault` on a mapping or a list is a mistake, not a value to take as it is. */
const misplaced = (collection: 'map' | 'seq'): CollectionTag => ({
  tag: '!vault',
  collection,
  resolve(value, onError) {
    onError(
      `!vault value: expected vault text (a string, as encrypt_string prints it), not a ${collection === 'map' ? 'mapping' : 'list'}`,
    );
    return value;
  },
});

/** The YAML tags lbprov's loader knows besides YAML 1.1's own. */
export const vaultTags = [vaultTag, misplaced('map'), misplaced('seq')];

/**
 * A whole file encrypted with ansible-vault (vars files, group_vars/host_vars, -e @file,
 * inventories, playbooks): its plaintext, or the text unchanged when it is not vault data.
 * `encrypted` says which, so that the caller can mark the values it parses as secrets.
 */
export function openVaultFile(file: string, text: string): { text: string; encrypted: boolean } {
  if (!isVaultText(text)) return { text, encrypted: false };
  try {
    return { text: open(text), encrypted: true };
  } catch (e) {
    throw new InputError(`vault-encrypted file: ${(e as Error).message}`, { file, line: 1, col: 1 });
  }
}
