import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import {
  decryptBody,
  decryptVault,
  encryptVault,
  isVaultText,
  parseEnvelope,
  VaultError,
  type VaultSecret,
} from '../../src/vault/format.js';

/** The vault format itself: round trips, the envelope, and data ansible-vault 2.14 wrote (committed fixtures). */
const fx = join(packageRoot, 'test', 'fixtures', 'vault');
const secret = (password: string, id = 'default'): VaultSecret => ({
  id,
  password: Buffer.from(password),
  source: 'test',
});
const pw = readFileSync(join(fx, 'password.txt'), 'utf8').trim();
const prodPw = readFileSync(join(fx, 'prod-password.txt'), 'utf8').trim();

test('round trips: empty, one byte, block-sized, multi-block, UTF-8 and binary plaintexts', () => {
  for (const plain of [
    Buffer.alloc(0),
    Buffer.from('x'),
    Buffer.alloc(16, 7),
    Buffer.alloc(32, 0x10),
    Buffer.from('päss wörd ✓\nline two\n'),
    randomBytes(1000),
  ]) {
    const text = encryptVault(plain, Buffer.from('pw'));
    const back = decryptVault(text, [secret('pw')]);
    assert.ok(back.plaintext.equals(plain), `length ${plain.length}`);
    assert.is(back.vaultId, 'default');
  }
});

test('the envelope is what ansible-vault writes: header, 80-column hex lines, final newline', () => {
  const text = encryptVault('hello', Buffer.from('pw'));
  const lines = text.split('\n');
  assert.is(lines[0], '$ANSIBLE_VAULT;1.1;AES256');
  assert.is(lines[lines.length - 1], '', 'ends with a newline');
  for (const l of lines.slice(1, -2)) assert.is(l.length, 80);
  assert.ok(lines.slice(1).every((l) => /^[0-9a-f]*$/.test(l)));
  // hex(hex(salt) \n hex(hmac) \n hex(ciphertext)): a 32-byte salt, a 32-byte HMAC, one padded block
  const inner = Buffer.from(lines.slice(1).join(''), 'hex').toString('latin1').split('\n');
  assert.equal(
    inner.map((p) => p.length),
    [64, 64, 32],
  );
  assert.is(encryptVault('x', Buffer.from('pw'), 'prod').split('\n')[0], '$ANSIBLE_VAULT;1.2;AES256;prod');
  assert.is(
    encryptVault('x', Buffer.from('pw'), 'default').split('\n')[0],
    '$ANSIBLE_VAULT;1.1;AES256',
    '"default" stays 1.1, as Ansible',
  );
});

test('the same password and salt give the same vault text; a new salt each time otherwise', () => {
  const salt = Buffer.alloc(32, 1);
  assert.is(
    encryptVault('same', Buffer.from('pw'), undefined, salt),
    encryptVault('same', Buffer.from('pw'), undefined, salt),
  );
  assert.is.not(encryptVault('same', Buffer.from('pw')), encryptVault('same', Buffer.from('pw')));
});

test('files ansible-vault 2.14 encrypted (1.1, and 1.2 with vault id prod) decrypt', () => {
  const db = decryptVault(readFileSync(join(fx, 'vars', 'db.yml'), 'utf8'), [secret(pw)]);
  assert.match(db.plaintext.toString(), /^db_password: "hunter2-from-vars-file"$/m);
  const prod = readFileSync(join(fx, 'vars', 'prod.yml'), 'utf8');
  assert.is(parseEnvelope(prod).vaultId, 'prod');
  const r = decryptVault(prod, [secret(pw), secret(prodPw, 'prod')]);
  assert.is(r.vaultId, 'prod');
  assert.is(r.secret.id, 'prod');
  assert.is(r.plaintext.toString(), 'api_token: "tok-prod-9f8e7d"\n');
});

test('secrets: the one with the matching id is tried first; the others after it (vault_id_match false)', () => {
  const prod = readFileSync(join(fx, 'vars', 'prod.yml'), 'utf8');
  // the right password under another label still opens it, as Ansible
  assert.is(decryptVault(prod, [secret('nope', 'prod'), secret(prodPw, 'other')]).secret.id, 'other');
});

test('a wrong password, a changed byte, a damaged body: errors, never garbage', () => {
  const text = encryptVault('the secret', Buffer.from('right'));
  assert.throws(
    () => decryptVault(text, [secret('wrong')]),
    (e: Error) => e instanceof VaultError && /decryption failed.*tried: default/.test(e.message),
  );
  assert.throws(() => decryptVault(text, []), /no vault secret was given/);
  // flip one hex digit of the ciphertext: the HMAC no longer matches
  const env = parseEnvelope(text);
  const inner = Buffer.from(env.body, 'hex').toString('latin1').split('\n');
  inner[2] = (inner[2][0] === '0' ? '1' : '0') + inner[2].slice(1);
  assert.is(decryptBody(Buffer.from(inner.join('\n'), 'latin1').toString('hex'), Buffer.from('right')), undefined);
  assert.throws(() => decryptVault('$ANSIBLE_VAULT;1.1;AES256\nzz\n', [secret('x')]), /not hexadecimal/);
  assert.throws(() => decryptVault('$ANSIBLE_VAULT;1.1;AES128\n00\n', [secret('x')]), /cipher AES128 is not supported/);
  assert.throws(() => decryptVault('$ANSIBLE_VAULT;1.0\n00\n', [secret('x')]), /not vault data/);
  assert.throws(() => encryptVault(text, Buffer.from('pw')), /already encrypted/);
  assert.throws(() => encryptVault('x', Buffer.from('pw'), 'a;b'), /not allowed/);
});

test('isVaultText: the header at the very start only', () => {
  assert.ok(isVaultText('$ANSIBLE_VAULT;1.1;AES256\n'));
  assert.ok(isVaultText(Buffer.from('$ANSIBLE_VAULT;1.2;AES256;x\n')));
  assert.not.ok(isVaultText(' $ANSIBLE_VAULT;1.1;AES256'));
  assert.not.ok(isVaultText('key: $ANSIBLE_VAULT'));
});

test.run();
