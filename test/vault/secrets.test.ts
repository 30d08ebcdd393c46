import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostTaskReport, Reporter } from '../../src/executor/types.js';
import { InputError } from '../../src/util/errors.js';
import { encryptVault } from '../../src/vault/format.js';
import { markSecret, redact, redactDeep, RedactingReporter, REDACTED } from '../../src/vault/redact.js';
import { loadVaultSecrets, splitVaultId } from '../../src/vault/secrets.js';

/** Where vault passwords come from (files, scripts, prompts, env), and how decrypted values are censored. */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-secrets-'));
const file = (name: string, text: string, mode = 0o600): string => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode });
  chmodSync(p, mode);
  return p;
};
const pw = (s: { password: Buffer }): string => s.password.toString();
const inputError =
  (re: RegExp) =>
  (e: Error): boolean =>
    e instanceof InputError && re.test(e.message);
async function rejects(fn: () => Promise<unknown>, ok: (e: Error) => boolean): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.ok(ok(e as Error), `unexpected error: ${(e as Error).message}`);
    return;
  }
  assert.unreachable('expected a rejection');
}

test('--vault-id: label@source, or a bare source for "default"; ";" refused', () => {
  assert.equal(splitVaultId('prod@/x/pw'), { id: 'prod', source: '/x/pw' });
  assert.equal(splitVaultId('/x/pw'), { id: 'default', source: '/x/pw' });
  assert.equal(splitVaultId('dev@prompt'), { id: 'dev', source: 'prompt' });
  assert.throws(() => splitVaultId('a;b@x'), /not allowed/);
  assert.throws(() => splitVaultId('a@'), /no password source/);
});

test('a password file is stripped as Ansible strips it; an empty one is an error', async () => {
  const f = file('pw1', '  s3cret pass \r\n\n');
  const [s] = await loadVaultSecrets({ vaultPasswordFile: [f] }, { env: {} });
  assert.is(s.id, 'default');
  assert.is(pw(s), 's3cret pass');
  await rejects(
    () => loadVaultSecrets({ vaultPasswordFile: [file('empty', '\n\n')] }, { env: {} }),
    inputError(/gave an empty password/),
  );
  await rejects(
    () => loadVaultSecrets({ vaultPasswordFile: [join(dir, 'absent')] }, { env: {} }),
    inputError(/vault password file .*absent: not found/),
  );
});

test('an executable is run and its stdout is the password; a *-client script gets --vault-id', async () => {
  const script = file('pw.sh', '#!/bin/sh\nprintf "from-script\\n"\n', 0o700);
  const client = file(
    'keys-client.sh',
    '#!/bin/sh\n[ "$1" = --vault-id ] || exit 3\n[ "$2" = prod ] && { echo "pw-for-$2"; exit 0; }\necho "no such id" >&2; exit 2\n',
    0o700,
  );
  const failing = file('fail.sh', '#!/bin/sh\nexit 7\n', 0o700);
  const list = await loadVaultSecrets({ vaultId: [`prod@${client}`, `other@${script}`] }, { env: {} });
  assert.equal(
    list.map((s) => [s.id, pw(s)]),
    [
      ['prod', 'pw-for-prod'],
      ['other', 'from-script'],
    ],
  );
  await rejects(
    () => loadVaultSecrets({ vaultId: [`dev@${client}`] }, { env: {} }),
    inputError(/has no secret for vault id dev: no such id/),
  );
  await rejects(
    () => loadVaultSecrets({ vaultPasswordFile: [failing] }, { env: {} }),
    inputError(/fail\.sh exited with 7/),
  );
});

test('order: identity list, --vault-id, --vault-password-file, the env file, then the prompt', async () => {
  const a = file('a', 'A');
  const b = file('b', 'B');
  const c = file('c', 'C');
  const d = file('d', 'D');
  const asked: string[] = [];
  const list = await loadVaultSecrets(
    { vaultId: [`x@${b}`], vaultPasswordFile: [c], askVaultPass: true },
    {
      env: {
        LBPROV_VAULT_IDENTITY_LIST: `w@${a}`,
        LBPROV_VAULT_PASSWORD_FILE: d,
        ANSIBLE_VAULT_PASSWORD_FILE: '/nonexistent',
      },
      prompt: async (q) => (asked.push(q), ' typed '),
    },
  );
  assert.equal(
    list.map((s) => `${s.id}=${pw(s)}`),
    ['w=A', 'x=B', 'default=C', 'default=D', 'default=typed'],
  );
  assert.equal(asked, ['Vault password: ']);
  const env = await loadVaultSecrets({}, { env: { ANSIBLE_VAULT_PASSWORD_FILE: d } });
  assert.equal(env.map(pw), ['D'], 'ANSIBLE_VAULT_PASSWORD_FILE when LBPROV_ is unset');
  assert.equal(await loadVaultSecrets({}, { env: {} }), [], 'no source, no prompt unless asked');
});

test('prompts: labelled, confirmed for a new password, empty or mismatched refused', async () => {
  const asked: string[] = [];
  const answers = ['one', 'one'];
  const [s] = await loadVaultSecrets(
    { vaultId: ['prod@prompt'] },
    { env: {}, newPassword: true, prompt: async (q) => (asked.push(q), answers.shift()!) },
  );
  assert.equal(asked, ['New vault password (prod): ', 'Confirm new vault password (prod): ']);
  assert.equal([s.id, pw(s)], ['prod', 'one']);
  await rejects(
    () =>
      loadVaultSecrets(
        { askVaultPass: true },
        { env: {}, newPassword: true, prompt: async (q) => (q.startsWith('New') ? 'a' : 'b') },
      ),
    inputError(/do not match/),
  );
  await rejects(
    () => loadVaultSecrets({ askVaultPass: true }, { env: {}, prompt: async () => '' }),
    inputError(/empty password/),
  );
  const auto = await loadVaultSecrets({}, { env: {}, autoPrompt: true, prompt: async () => 'x' });
  assert.is(auto.length, 1, 'ansible-vault prompts when nothing else is given');
});

test('a password file may itself be vault-encrypted with a secret given before it', async () => {
  const outer = file('outer', 'outer-pw');
  const inner = file('inner', encryptVault('inner-pw\n', Buffer.from('outer-pw')));
  const list = await loadVaultSecrets({ vaultId: [`o@${outer}`, `i@${inner}`] }, { env: {} });
  assert.is(pw(list[1]), 'inner-pw');
});

test('redact: every recorded secret, its JSON-escaped form, longest first; short ones only as words', () => {
  markSecret({ a: 'db-pass-"quoted"', list: ['tok-123456', { deep: 'tok-123456-long' }], n: 5, short: 'ab' });
  assert.is(redact('pass db-pass-"quoted" here'), `pass ${REDACTED} here`);
  assert.is(redact('x = "db-pass-\\"quoted\\""'), `x = "${REDACTED}"`, 'as debug var= shows it');
  assert.is(redact('tok-123456-long and tok-123456'), `${REDACTED} and ${REDACTED}`);
  assert.is(redact('ab cab abc [ab]'), `${REDACTED} cab abc [${REDACTED}]`);
  assert.is(redact('5 tasks'), '5 tasks', 'numbers are not recorded');
  assert.equal(redactDeep({ k: ['tok-123456'], 'tok-123456': 1 }), { k: [REDACTED], [REDACTED]: 1 });
});

test('RedactingReporter: messages, debug output, warnings, diffs, task names censored before the reporter sees them', () => {
  markSecret('sekrit-value-42');
  const seen: unknown[] = [];
  const inner: Reporter = {
    playStart: (n) => seen.push(n),
    batchStart: () => {},
    taskStart: (s) => seen.push(s.name),
    taskDone: (s, _h, r) => seen.push(s.name, r),
    hostDone: () => {},
    warn: (m) => seen.push(m),
    end: () => {},
  };
  const r = new RedactingReporter(inner);
  assert.is(r.settle, undefined, 'no settle when the inner reporter has none');
  const slot = { order: 0, name: 'copy sekrit-value-42', module: 'copy', kind: 'task' as const };
  const report: HostTaskReport = {
    status: 'changed',
    msg: 'wrote sekrit-value-42',
    shown: 'x = "sekrit-value-42"',
    warnings: ['w sekrit-value-42'],
    diff: [{ path: '/p', before: '', after: 'key=sekrit-value-42\n' }],
  };
  r.playStart('play', []);
  r.taskStart(slot, 'h');
  r.taskDone(slot, 'h', report);
  r.warn('careful: sekrit-value-42');
  assert.not.match(JSON.stringify(seen), /sekrit-value-42/);
  assert.match(JSON.stringify(seen), /key=\*{8}\\n/);
  assert.is(report.msg, 'wrote sekrit-value-42', 'the original report is not modified');
});

test.run();
