import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setVaultSecrets } from '../../src/vault/keyring.js';
import { SourceDoc } from '../../src/util/yaml.js';
import { hasStack, lbprovRun, PASSWORD_FILE, put } from '../helpers/vault.js';

/** `lbprov vault ...` as a user runs it: files in place and through pipes, edit, rekey, errors. */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-cli-'));
const P = ['--vault-password-file', PASSWORD_FILE];
const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);
const PLAIN = 'db_password: "plain-text-é"\nport: 5432\n';

test('encrypt and decrypt in place: atomic (no stray file), 0600, the original content back', async () => {
  const f = put(join(dir, 'vars.yml'), PLAIN, 0o644);
  const enc = await lbprovRun(['vault', 'encrypt', ...P, f]);
  assert.is(enc.code, 0, enc.stderr);
  const text = readFileSync(f, 'utf8');
  assert.match(text, /^\$ANSIBLE_VAULT;1\.1;AES256\n[0-9a-f\n]+$/);
  assert.is(mode(f), '600', 'vault files are written 0600, as ansible-vault writes them');
  assert.equal(readdirSync(dir), ['vars.yml'], 'nothing left beside it');
  const view = await lbprovRun(['vault', 'view', ...P, f]);
  assert.is(view.stdout, PLAIN);
  const again = await lbprovRun(['vault', 'encrypt', ...P, f]);
  assert.is(again.code, 5);
  assert.match(again.stderr, /already encrypted/);
  const dec = await lbprovRun(['vault', 'decrypt', ...P, f]);
  assert.is(dec.code, 0, dec.stderr);
  assert.is(readFileSync(f, 'utf8'), PLAIN);
  const notVault = await lbprovRun(['vault', 'decrypt', ...P, f]);
  assert.is(notVault.code, 5);
  assert.match(notVault.stderr, /vars\.yml: not vault-encrypted data/);
});

test('stdin to stdout with "-", and --output', async () => {
  const enc = await lbprovRun(['vault', 'encrypt', ...P, '-'], { input: 'from stdin\n' });
  assert.is(enc.code, 0, enc.stderr);
  assert.match(enc.stdout, /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  const dec = await lbprovRun(['vault', 'decrypt', ...P], { input: enc.stdout });
  assert.is(dec.stdout, 'from stdin\n');
  const src = put(join(dir, 'plain.txt'), 'keep me\n');
  const out = join(dir, 'out.vault');
  assert.is((await lbprovRun(['vault', 'encrypt', ...P, src, '--output', out])).code, 0);
  assert.is(readFileSync(src, 'utf8'), 'keep me\n', 'the input is left alone with --output');
  assert.is((await lbprovRun(['vault', 'decrypt', ...P, out, '--output', '-'])).stdout, 'keep me\n');
  const two = await lbprovRun(['vault', 'encrypt', ...P, src, out, '--output', join(dir, 'x')]);
  assert.is(two.code, 5);
});

test('vault ids: 1.2 with the id; several ids need --encrypt-vault-id; a matching id decrypts', async () => {
  const prodPw = put(join(dir, 'prod.pw'), 'prod-pw\n');
  const f = put(join(dir, 'prod.yml'), 'token: t-1\n');
  const ids = ['--vault-id', `dev@${PASSWORD_FILE}`, '--vault-id', `prod@${prodPw}`];
  const ambiguous = await lbprovRun(['vault', 'encrypt', ...ids, f]);
  assert.is(ambiguous.code, 5);
  assert.match(ambiguous.stderr, /dev, prod can all encrypt: choose one with --encrypt-vault-id/);
  assert.is((await lbprovRun(['vault', 'encrypt', ...ids, '--encrypt-vault-id', 'prod', f])).code, 0);
  assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  assert.is((await lbprovRun(['vault', 'view', ...ids, f])).stdout, 'token: t-1\n');
  const unknown = await lbprovRun(['vault', 'encrypt', ...ids, '--encrypt-vault-id', 'qa', f]);
  assert.match(unknown.stderr, /--encrypt-vault-id qa matches none/);
});

test('a wrong password: exit 5, the file named, no stack trace, the file untouched', async () => {
  const f = put(join(dir, 'w.yml'), 'a: 1\n');
  await lbprovRun(['vault', 'encrypt', ...P, f]);
  const before = readFileSync(f, 'utf8');
  const wrong = put(join(dir, 'wrong.pw'), 'not-it\n');
  for (const action of ['view', 'decrypt', 'edit', 'rekey']) {
    const r = await lbprovRun(
      [
        'vault',
        action,
        '--vault-password-file',
        wrong,
        f,
        ...(action === 'rekey' ? ['--new-vault-password-file', wrong] : []),
      ],
      { env: { EDITOR: 'true' } },
    );
    assert.is(r.code, 5, `${action}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${f}: decryption failed`), action);
    assert.not.ok(hasStack(r.stderr), r.stderr);
  }
  assert.is(readFileSync(f, 'utf8'), before);
  const missing = await lbprovRun(['vault', 'view', '--vault-password-file', join(dir, 'nope'), f]);
  assert.is(missing.code, 5);
  assert.match(missing.stderr, /vault password file .*nope: not found/);
});

test('no password source and no terminal: a clear error, not a hang', async () => {
  const f = put(join(dir, 'np.yml'), 'a: 1\n');
  const r = await lbprovRun(['vault', 'encrypt', f], {
    env: { LBPROV_VAULT_PASSWORD_FILE: '', ANSIBLE_VAULT_PASSWORD_FILE: '' },
  });
  assert.is(r.code, 5);
  assert.match(r.stderr, /no terminal \(use --vault-password-file/);
  const ask = await lbprovRun(['vault', 'view', '--ask-vault-pass', f]);
  assert.is(ask.code, 5);
  assert.match(ask.stderr, /Vault password.*no terminal/);
});

test("encrypt_string: named `!vault |` blocks that lbprov's YAML loader reads back", async () => {
  const r = await lbprovRun([
    'vault',
    'encrypt_string',
    ...P,
    '--name',
    'db_pass',
    'pa$$ "w0rd"',
    '--name',
    'api',
    'tok',
  ]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^db_pass: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n( {10}[0-9a-f]+\n)+api: !vault \|\n/);
  const stdin = await lbprovRun(['vault', 'encrypt_string', ...P, '--stdin-name', 'from_stdin'], {
    input: 'multi\nline\n',
  });
  assert.is(stdin.code, 0, stdin.stderr);
  // the same block one level deeper, as under a group's vars
  const nested = `nested:\n${r.stdout
    .split('\napi:')[0]
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
  const doc = `${r.stdout}${stdin.stdout}${nested}`;
  setVaultSecrets([
    { id: 'default', password: Buffer.from(readFileSync(PASSWORD_FILE, 'utf8').trim()), source: 'test' },
  ]);
  try {
    const v = SourceDoc.parse('strings.yml', doc).value as Record<string, unknown>;
    assert.is(v.db_pass, 'pa$$ "w0rd"');
    assert.is(v.api, 'tok');
    assert.is(v.from_stdin, 'multi\nline\n');
    assert.equal(v.nested, { db_pass: 'pa$$ "w0rd"' });
  } finally {
    setVaultSecrets([]);
  }
  const empty = await lbprovRun(['vault', 'encrypt_string', ...P, ''], {});
  assert.is(empty.code, 5);
});

test('rekey: the new password opens it, the old does not; mode kept', async () => {
  const f = put(join(dir, 'rk.yml'), 'k: v\n');
  await lbprovRun(['vault', 'encrypt', ...P, f]);
  put(f, readFileSync(f), 0o640);
  const next = put(join(dir, 'next.pw'), 'next-password\n');
  const r = await lbprovRun(['vault', 'rekey', ...P, '--new-vault-password-file', next, f]);
  assert.is(r.code, 0, r.stderr);
  assert.is(mode(f), '640');
  assert.is((await lbprovRun(['vault', 'view', '--vault-password-file', next, f])).stdout, 'k: v\n');
  assert.is((await lbprovRun(['vault', 'view', ...P, f])).code, 5);
  const prodPw = put(join(dir, 'prod2.pw'), 'p2\n');
  assert.is(
    (await lbprovRun(['vault', 'rekey', '--vault-password-file', next, '--new-vault-id', `prod@${prodPw}`, f])).code,
    0,
  );
  assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
});

test('edit: $EDITOR gets a 0600 plaintext in a 0700 directory, removed after; the vault id kept; no change, no rewrite', async () => {
  const prodPw = put(join(dir, 'edit.pw'), 'edit-pw\n');
  const ids = ['--vault-id', `prod@${prodPw}`];
  const f = put(join(dir, 'edit.yml'), 'a: 1\n');
  await lbprovRun(['vault', 'encrypt', ...ids, f]);
  put(f, readFileSync(f), 0o640);
  const log = join(dir, 'editor.log');
  const editor = put(
    join(dir, 'editor.sh'),
    `#!/bin/sh\nstat -c '%a %n' "$1" "$(dirname "$1")" > ${log}\nprintf 'b: 2\\n' >> "$1"\n`,
    0o755,
  );
  const r = await lbprovRun(['vault', 'edit', ...ids, f], { env: { EDITOR: editor } });
  assert.is(r.code, 0, r.stderr);
  const [fileLine, dirLine] = readFileSync(log, 'utf8').trim().split('\n');
  const tmp = fileLine.split(' ')[1];
  assert.match(fileLine, /^600 /);
  assert.match(dirLine, /^700 /);
  assert.not.ok(existsSync(tmp), 'the plaintext is gone');
  assert.not.ok(existsSync(dirLine.split(' ')[1]), 'and its directory');
  assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  assert.is(mode(f), '640');
  assert.is((await lbprovRun(['vault', 'view', ...ids, f])).stdout, 'a: 1\nb: 2\n');
  const before = readFileSync(f, 'utf8');
  assert.is((await lbprovRun(['vault', 'edit', ...ids, f], { env: { EDITOR: 'true' } })).code, 0);
  assert.is(readFileSync(f, 'utf8'), before, 'unchanged plaintext: the file is not rewritten');
  const failed = await lbprovRun(['vault', 'edit', ...ids, f], {
    env: { EDITOR: `sh -c 'echo junk >> "$0"; exit 3'` },
  });
  assert.is(failed.code, 5);
  assert.match(failed.stderr, /exited with 3/);
  assert.is(readFileSync(f, 'utf8'), before, 'a failed editor changes nothing');
});

test('create: a new encrypted file from the editor; an existing one is refused', async () => {
  const f = join(dir, 'new', 'created.yml');
  const editor = put(join(dir, 'writer.sh'), `#!/bin/sh\nprintf 'fresh: yes\\n' > "$1"\n`, 0o755);
  const missingDir = await lbprovRun(['vault', 'create', ...P, f], { env: { EDITOR: editor } });
  assert.is(missingDir.code, 5, 'no such directory');
  const g = join(dir, 'created.yml');
  assert.is((await lbprovRun(['vault', 'create', ...P, g], { env: { EDITOR: editor } })).code, 0);
  assert.is((await lbprovRun(['vault', 'view', ...P, g])).stdout, 'fresh: yes\n');
  assert.is(mode(g), '600');
  const again = await lbprovRun(['vault', 'create', ...P, g], { env: { EDITOR: editor } });
  assert.is(again.code, 5);
  assert.match(again.stderr, /exists: use "lbprov vault edit"/);
});

test.run();
