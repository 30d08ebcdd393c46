import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptVault } from '../../src/vault/format.js';
import { requireTools } from '../helpers/skip.js';
import { lbprovRun, PASSWORD_FILE, put, run } from '../helpers/vault.js';

/**
 * Interop both ways with Debian's ansible-vault / ansible-playbook (ansible-core 2.14): what one
 * encrypts, the other decrypts; and with the same salt both write the very same bytes.
 */
/** The Python that runs ansible-vault (its shebang): the one that can import ansible. */
function ansiblePython(): string {
  const bin = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, 'ansible-vault'))
    .find(existsSync)!;
  return readFileSync(bin, 'utf8')
    .split('\n')[0]
    .replace(/^#!\s*/, '')
    .split(/\s+/)[0];
}

if (requireTools('vault interop with ansible-vault', ['ansible-vault', 'ansible-playbook'])) {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-interop-'));
  const P = ['--vault-password-file', PASSWORD_FILE];
  const pw = readFileSync(PASSWORD_FILE, 'utf8').trim();
  const prodPw = put(join(dir, 'prod.pw'), 'prod-interop-pw\n');
  const PROD = ['--vault-id', `prod@${prodPw}`];
  // ansible's own tools, quiet and without any config of the machine's user
  const env = {
    ANSIBLE_CONFIG: put(join(dir, 'ansible.cfg'), '[defaults]\n'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    HOME: dir,
    LBPROV_VAULT_PASSWORD_FILE: '',
    ANSIBLE_VAULT_PASSWORD_FILE: '',
  };
  const ansibleVault = (args: string[], input?: string) => run('ansible-vault', args, { env, input });
  const CONTENT = 'api_key: "k-ü-✓ 42"\nlist:\n  - one\n# no final newline';

  test('ansible-vault 1.1 -> lbprov vault view/decrypt', async () => {
    const f = put(join(dir, 'a11.yml'), CONTENT);
    const enc = await ansibleVault(['encrypt', ...P, f]);
    assert.is(enc.code, 0, enc.stderr);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const view = await lbprovRun(['vault', 'view', ...P, f], { env });
    assert.is(view.code, 0, view.stderr);
    assert.is(view.stdout, CONTENT);
    assert.is((await lbprovRun(['vault', 'decrypt', ...P, f], { env })).code, 0);
    assert.is(readFileSync(f, 'utf8'), CONTENT);
  });

  test('ansible-vault 1.2 (vault id prod) -> lbprov, among several ids', async () => {
    const f = put(join(dir, 'a12.yml'), CONTENT);
    assert.is((await ansibleVault(['encrypt', ...PROD, f])).code, 0);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    const r = await lbprovRun(['vault', 'decrypt', '--vault-id', `dev@${PASSWORD_FILE}`, ...PROD, f, '--output', '-'], {
      env,
    });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, CONTENT);
  });

  test('ansible-vault encrypt_string -> a !vault value lbprov applies', async () => {
    const s = await ansibleVault(['encrypt_string', ...PROD, '--name', 'from_ansible', 'an$ible "str"\nline 2']);
    assert.is(s.code, 0, s.stderr);
    assert.match(s.stdout, /^from_ansible: !vault \|\n {10}\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    const pb = put(
      join(dir, 'from-ansible.yml'),
      `- hosts: all\n  gather_facts: false\n  vars:\n${s.stdout
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n  tasks:\n    - copy: { dest: "${dir}/from-ansible.txt", content: "{{ from_ansible }}" }\n`,
    );
    const r = await lbprovRun(['apply', pb, ...PROD], { env });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(readFileSync(join(dir, 'from-ansible.txt'), 'utf8'), 'an$ible "str"\nline 2');
  });

  test('lbprov vault encrypt (1.1 and 1.2) -> ansible-vault view/decrypt', async () => {
    const f = put(join(dir, 'l11.yml'), CONTENT);
    assert.is((await lbprovRun(['vault', 'encrypt', ...P, f], { env })).code, 0);
    const view = await ansibleVault(['view', ...P, f]);
    assert.is(view.code, 0, view.stderr);
    assert.is(view.stdout, `${CONTENT}\n`, 'view (a pager) ends what it shows with a newline');
    assert.is((await ansibleVault(['decrypt', ...P, '--output', '-', f])).stdout, CONTENT, 'byte for byte');
    const g = put(join(dir, 'l12.yml'), CONTENT);
    assert.is((await lbprovRun(['vault', 'encrypt', ...PROD, f.replace('l11', 'l12')], { env })).code, 0);
    assert.match(readFileSync(g, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    assert.is((await ansibleVault(['decrypt', ...PROD, g])).code, 0);
    assert.is(readFileSync(g, 'utf8'), CONTENT);
    const piped = await lbprovRun(['vault', 'encrypt', ...P], { env, input: 'piped\n' });
    assert.is((await ansibleVault(['decrypt', ...P, '--output', '-'], piped.stdout)).stdout, 'piped\n');
  });

  test('lbprov encrypt_string and an lbprov-encrypted vars file -> ansible-playbook uses both', async () => {
    const s = await lbprovRun(['vault', 'encrypt_string', ...PROD, '--name', 'from_lbprov', 'lb "pr0v" \\ ✓'], { env });
    assert.is(s.code, 0, s.stderr);
    const vars = put(join(dir, 'lb-vars.yml'), 'file_secret: "in-a-file"\n');
    assert.is((await lbprovRun(['vault', 'encrypt', ...PROD, vars], { env })).code, 0);
    const out = join(dir, 'from-lbprov.txt');
    const pb = put(
      join(dir, 'to-ansible.yml'),
      `- hosts: all\n  gather_facts: false\n  vars:\n${s.stdout
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`)
        .join(
          '\n',
        )}\n  vars_files: [${vars}]\n  tasks:\n    - copy: { dest: "${out}", content: "{{ from_lbprov }}|{{ file_secret }}" }\n`,
    );
    const r = await run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', ...PROD, pb], { env });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(readFileSync(out, 'utf8'), 'lb "pr0v" \\ ✓|in-a-file');
  });

  test("with the same salt, lbprov and Ansible's VaultLib write identical vault text (1.1 and 1.2)", async () => {
    const salt = Buffer.from('00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210', 'hex');
    const py = [
      'import sys',
      'from ansible.parsing.vault import VaultLib, VaultSecret',
      's = VaultSecret(sys.argv[2].encode())',
      'vid = sys.argv[3] or None',
      'sys.stdout.write(VaultLib([("default", s)]).encrypt(sys.stdin.buffer.read(), s, vault_id=vid, salt=bytes.fromhex(sys.argv[1])).decode())',
    ].join('\n');
    for (const [plain, id] of [
      [CONTENT, ''],
      ['x', 'prod'],
      ['', ''],
      ['0123456789abcdef', 'ops'],
    ]) {
      const r = await run(ansiblePython(), ['-c', py, salt.toString('hex'), pw, id], { env, input: plain });
      assert.is(r.code, 0, r.stderr);
      assert.is(
        encryptVault(plain, Buffer.from(pw), id || undefined, salt),
        r.stdout,
        `plaintext ${JSON.stringify(plain)} id ${id}`,
      );
    }
  });

  test('rekey both ways; lbprov edit keeps what ansible-vault reads', async () => {
    const f = put(join(dir, 'rk.yml'), CONTENT);
    await ansibleVault(['encrypt', ...P, f]);
    const next = put(join(dir, 'next.pw'), 'next-pw\n');
    assert.is((await lbprovRun(['vault', 'rekey', ...P, '--new-vault-password-file', next, f], { env })).code, 0);
    assert.is((await ansibleVault(['decrypt', '--vault-password-file', next, '--output', '-', f])).stdout, CONTENT);
    assert.is(
      (await ansibleVault(['rekey', '--vault-password-file', next, '--new-vault-id', `prod@${prodPw}`, f])).code,
      0,
    );
    const editor = put(join(dir, 'ed.sh'), '#!/bin/sh\nprintf "\\nedited: true\\n" >> "$1"\n', 0o755);
    const ed = await lbprovRun(['vault', 'edit', ...PROD, f], { env: { ...env, EDITOR: editor } });
    assert.is(ed.code, 0, ed.stderr);
    assert.match(readFileSync(f, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    assert.is((await ansibleVault(['decrypt', ...PROD, '--output', '-', f])).stdout, `${CONTENT}\nedited: true\n`);
  });

  test('a file ansible-vault encrypted, opened with the wrong password: exit 5, named, no stack', async () => {
    const f = put(join(dir, 'wrong.yml'), 'a: 1\n');
    await ansibleVault(['encrypt', ...P, f]);
    const r = await lbprovRun(['vault', 'view', ...PROD, f], { env });
    assert.is(r.code, 5);
    assert.match(r.stderr, /wrong\.yml: decryption failed: no vault secret opens it/);
  });

  test.run();
}
