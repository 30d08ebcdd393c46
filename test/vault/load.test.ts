import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/util/errors.js';
import { SourceDoc } from '../../src/util/yaml.js';
import { encryptVault } from '../../src/vault/format.js';
import { setVaultSecrets } from '../../src/vault/keyring.js';
import { redact } from '../../src/vault/redact.js';

/** The YAML loader with vault data: where values decrypt, and every way it can be wrong (exit 5, with a place). */
const PW = Buffer.from('load-test-pw');
const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-load-'));
const block = (plain: string | Buffer, indent: number, id?: string): string =>
  `!vault |\n${encryptVault(plain, PW, id)
    .trimEnd()
    .split('\n')
    .map((l) => `${' '.repeat(indent)}${l}`)
    .join('\n')}`;

function problems(text: string): string[] {
  try {
    SourceDoc.parse('f.yml', text);
  } catch (e) {
    assert.instance(e, InputError);
    return (e as InputError).problems.map((p) => `${p.pos?.line}:${p.pos?.col} ${p.message}`);
  }
  assert.unreachable(`no error for:\n${text}`);
  return [];
}

test.before.each(() => setVaultSecrets([{ id: 'default', password: PW, source: 'test' }]));
test.after.each(() => setVaultSecrets([]));

test('!vault values at any depth, in lists, flow and quoted forms; the rest of the document as it was', () => {
  const flow = encryptVault('in-flow', PW).trimEnd().replace(/\n/g, '\\n');
  const doc = [
    `top: ${block('top-secret', 2)}`,
    'group:',
    '  vars:',
    `    deep: ${block('deep-secret', 6, 'prod')}`,
    'list:',
    `  - ${block('item-secret', 4)}`,
    '  - plain',
    `quoted: !vault "${flow}"`,
    'yes_is: yes',
  ].join('\n');
  const v = SourceDoc.parse('f.yml', `${doc}\n`).value;
  assert.equal(v, {
    top: 'top-secret',
    group: { vars: { deep: 'deep-secret' } },
    list: ['item-secret', 'plain'],
    quoted: 'in-flow',
    yes_is: true,
  });
  assert.is(redact('top-secret deep-secret item-secret in-flow plain'), '******** ******** ******** ******** plain');
});

test('a wrong password, damaged or misplaced !vault values: each reported at its tag', () => {
  const good = block('x', 2);
  assert.equal(
    problems(`a: 1\nb: ${block('x', 2).replace(/[0-9a-f]{8}$/m, '00000000')}\n`).map((p) =>
      p.replace(/ decryption failed.*| vault data is damaged.*/, ' BAD'),
    ),
    ['2:4 YAML: !vault value: BAD'],
  );
  assert.match(problems(`a:\n  b: !vault not-vault\n`)[0], /^2:6 YAML: !vault value: not vault data/);
  assert.match(problems(`a: !vault {k: v}\n`)[0], /^1:4 .*not a mapping/);
  assert.match(problems(`a: !vault [1, 2]\n`)[0], /^1:4 .*not a list/);
  assert.match(problems(`a: ${good.replace('AES256', 'AES128')}\n`)[0], /cipher AES128 is not supported/);
  assert.match(problems(`a: ${block(Buffer.from([0xff, 0xfe, 0x00]), 2)}\n`)[0], /not UTF-8 text/);
  setVaultSecrets([{ id: 'default', password: Buffer.from('other'), source: 'test' }]);
  assert.equal(
    problems(`one: ${good}\ntwo: ${good}\n`).map((p) => p.slice(0, 4)),
    ['1:6 ', `${good.split('\n').length + 1}:6 `],
    'every value reported, not only the first',
  );
  setVaultSecrets([]);
  assert.match(problems(`a: ${good}\n`)[0], /no vault secret was given \(use --vault-password-file/);
});

test('a whole encrypted file loads as its plaintext, every string in it a secret; damaged ones name the file', () => {
  const f = join(dir, 'vars.yml');
  writeFileSync(f, encryptVault('user: whole-file-user\nport: 5432\nnested: {k: [whole-list-item]}\n', PW, 'prod'));
  assert.equal(SourceDoc.load(f).value, { user: 'whole-file-user', port: 5432, nested: { k: ['whole-list-item'] } });
  assert.is(redact('whole-file-user whole-list-item 5432'), '******** ******** 5432');
  writeFileSync(f, '$ANSIBLE_VAULT;1.1;AES256\nnot hex\n');
  assert.throws(
    () => SourceDoc.load(f),
    (e: Error) =>
      e instanceof InputError &&
      e.message === `${f}:1:1: vault-encrypted file: vault data is damaged: the body is not hexadecimal`,
  );
  writeFileSync(f, encryptVault('a: [unclosed\n', PW));
  assert.throws(
    () => SourceDoc.load(f),
    (e: Error) => e instanceof InputError && new RegExp(`^${f}:2:1: YAML: `).test(e.message),
    'YAML errors in the plaintext: file:line:col of the decrypted text',
  );
});

test.run();
