import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStack, lbprovRun, PASSWORD_FILE, PROD_PASSWORD_FILE, put, VAULT_FIXTURES } from '../helpers/vault.js';
import type { JsonRun } from '../helpers/cli.js';

/**
 * Vault data in what lbprov reads, end to end on localhost (connection: local, no SSH): an inline
 * `!vault` value, whole encrypted vars files (1.1 and 1.2 with an id), the inventory's encrypted
 * group_vars, `-e @encrypted.yml`. The values reach the tasks and appear nowhere in the output.
 */
const base = mkdtempSync(join(tmpdir(), 'lbprov-vault-play-'));
const play = join(VAULT_FIXTURES, 'play.yml');
const inv = ['-i', join(VAULT_FIXTURES, 'inventory', 'local.yml')];
const ids = ['--vault-id', `default@${PASSWORD_FILE}`, '--vault-id', `prod@${PROD_PASSWORD_FILE}`];
const PLAIN = ['inline-s3cret-"quoted"', 'hunter2-from-vars-file', 'tok-prod-9f8e7d', 'inv-secret-5c4b3a', 'app_user'];
const noEnv = { LBPROV_VAULT_PASSWORD_FILE: '', ANSIBLE_VAULT_PASSWORD_FILE: '' };

function assertNoSecret(text: string, where: string): void {
  for (const p of PLAIN) {
    assert.not.ok(text.includes(p), `${where} shows "${p}":\n${text}`);
    assert.not.ok(text.includes(JSON.stringify(p).slice(1, -1)), `${where} shows "${p}" JSON-escaped`);
  }
}

test('the decrypted values reach the task; terminal output shows none of them (debug var= censored)', async () => {
  const r = await lbprovRun(['apply', play, ...inv, ...ids, '-e', `base=${base}`, '--diff'], { env: noEnv });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(readFileSync(join(base, 'secrets.txt'), 'utf8'), `${PLAIN.join('|')}\n`);
  assertNoSecret(r.stdout + r.stderr, 'the output');
  assert.match(r.stdout, /ok: \[localhost\] => inline_secret = "\*{8}"/);
  assert.match(r.stdout, /ok: \[localhost\] => db_password = "\*{8}"/);
  assert.match(r.stdout, /ok: \[localhost\] => token \*{8} for \*{8}/);
  assert.match(r.stdout, /failed: \[localhost\] => expected something else, got \*{8} \.\.\.ignoring/);
  assert.match(r.stdout, /\+\*{8}\|\*{8}\|\*{8}\|\*{8}\|\*{8}/, 'the diff is censored');
});

test('--json: one document, no decrypted value in it (diffs included)', async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'lbprov-vault-json-'));
  const r = await lbprovRun(['apply', '--json', '--diff', play, ...inv, ...ids, '-e', `base=${fresh}`], { env: noEnv });
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as JsonRun;
  assertNoSecret(r.stdout + r.stderr, '--json');
  const copy = doc.plays[0].tasks.find((t) => t.name === 'the values reach the task')!;
  assert.is(copy.hosts.localhost.status, 'changed');
  assert.match(copy.hosts.localhost.diff?.[0].after ?? '', /^\*{8}\|/);
  assert.is(readFileSync(join(fresh, 'secrets.txt'), 'utf8'), `${PLAIN.join('|')}\n`);
});

test('a wrong password: exit 5 before any task, each place named (file:line:col for !vault), no stack', async () => {
  const wrong = put(join(base, 'wrong.pw'), 'not-the-password\n');
  const r = await lbprovRun(['apply', play, ...inv, '--vault-password-file', wrong, '-e', `base=${base}`], {
    env: noEnv,
  });
  assert.is(r.code, 5);
  assert.is(r.stdout, '', 'no task ran');
  assert.match(r.stderr, /play\.yml:9:20: YAML: !vault value: decryption failed/);
  assert.match(r.stderr, /inventory\/group_vars\/all\.yml:1:1: vault-encrypted file: decryption failed/);
  assert.not.ok(hasStack(r.stderr), r.stderr);
  const none = await lbprovRun(['validate', play, ...inv], { env: noEnv });
  assert.is(none.code, 5);
  assert.match(
    none.stderr,
    /play\.yml:9:20: YAML: !vault value: no vault secret was given \(use --vault-password-file/,
  );
});

test('the 1.2 file needs its own password: without it, vars/prod.yml is named', async () => {
  const r = await lbprovRun(['validate', play, ...inv, '--vault-password-file', PASSWORD_FILE], { env: noEnv });
  assert.is(r.code, 5);
  assert.match(
    r.stderr,
    /vars\/prod\.yml:1:1: vault-encrypted file: decryption failed: .*vault id in the data: prod; tried: default/,
  );
  assert.not.match(r.stderr, /db\.yml/);
});

test('validate and facts take the vault flags; LBPROV_VAULT_PASSWORD_FILE too', async () => {
  const v = await lbprovRun(['validate', play, ...inv, ...ids], { env: noEnv });
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /valid/);
  const facts = await lbprovRun(['facts', ...inv], { env: { ...noEnv, LBPROV_VAULT_PASSWORD_FILE: PASSWORD_FILE } });
  assert.is(facts.code, 0, facts.stderr);
  assert.ok((JSON.parse(facts.stdout) as Record<string, unknown>).localhost, 'facts of localhost');
  const noPw = await lbprovRun(['facts', ...inv], { env: noEnv });
  assert.is(noPw.code, 5);
  assert.match(noPw.stderr, /group_vars\/all\.yml:1:1: vault-encrypted file: no vault secret was given/);
});

test('-e @file: a vault-encrypted extra-vars file', async () => {
  const pb = put(
    join(base, 'extra.yml'),
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: { dest: "${base}/extra.txt", content: "{{ db_password }}" }\n    - debug: { msg: "pw={{ db_password }}" }\n`,
  );
  const r = await lbprovRun(
    ['apply', pb, '--vault-password-file', PASSWORD_FILE, '-e', `@${join(VAULT_FIXTURES, 'vars', 'db.yml')}`],
    { env: noEnv },
  );
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(join(base, 'extra.txt'), 'utf8'), 'hunter2-from-vars-file');
  assert.match(r.stdout, /pw=\*{8}/);
  assertNoSecret(r.stdout, '-e @file output');
});

test('an error message that would quote a decrypted value is censored too', async () => {
  // vault values are templates like any value: one with an undefined variable fails at run time,
  // one with a syntax error at load time; both messages quote the template's text
  const broken = async (text: string): Promise<string> => {
    const enc = await lbprovRun(
      ['vault', 'encrypt_string', '--vault-password-file', PASSWORD_FILE, '--name', 'broken', text],
      { env: noEnv },
    );
    return put(
      join(base, 'broken.yml'),
      `- hosts: all\n  gather_facts: false\n  vars:\n${enc.stdout
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n  tasks:\n    - debug: { msg: "{{ broken }}" }\n`,
    );
  };
  const run = await lbprovRun(['apply', await broken('sekret-{{ nope }}'), '--vault-password-file', PASSWORD_FILE], {
    env: noEnv,
  });
  assert.is(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stdout, /failed: \[localhost\] => undefined variable "nope" in "\*{8}"/);
  assert.not.match(run.stdout + run.stderr, /sekret/);
  const load = await lbprovRun(['apply', await broken('sekret-{{ nope'), '--vault-password-file', PASSWORD_FILE], {
    env: noEnv,
  });
  assert.is(load.code, 5, load.stdout + load.stderr);
  assert.match(load.stderr, /broken\.yml:4:20: template syntax/);
  assert.not.match(load.stdout + load.stderr, /sekret/);
});

test.run();
