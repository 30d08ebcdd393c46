import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import { packageRoot } from '../../src/util/paths.js';
import { requireTools } from '../helpers/skip.js';
import { lbprovRun, NO_VAULT_ENV, PASSWORD_FILE, PROD_PASSWORD_FILE, put, VAULT_FIXTURES } from '../helpers/vault.js';

/**
 * --ask-vault-pass and `--vault-id LABEL@prompt` on a real terminal: util-linux `script` gives
 * lbprov a pty of its own; each answer is typed once its prompt is on the screen.
 */
interface TtyRun {
  code: number;
  screen: string;
}

function onTty(args: string[], answers: string[]): Promise<TtyRun> {
  const cmd = quote([process.execPath, join(packageRoot, 'bin', 'lbprov.js'), ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: packageRoot,
      env: { ...process.env, NO_COLOR: '1', ...NO_VAULT_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let screen = '';
    let sent = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => {
      screen += d;
      const prompts = screen.match(/password[^:\n]*: /gi)?.length ?? 0;
      while (sent < prompts && sent < answers.length) child.stdin.write(`${answers[sent++]}\r`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, screen });
    });
  });
}

if (requireTools('vault password prompts on a terminal', ['script'])) {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-vault-tty-'));
  const prodPw = readFileSync(PROD_PASSWORD_FILE, 'utf8').trim();

  test('vault encrypt --ask-vault-pass: a new password, asked twice, never echoed', async () => {
    const f = put(join(dir, 'asked.yml'), 'k: v\n');
    const r = await onTty(['vault', 'encrypt', '--ask-vault-pass', f], ['typed-pass-123', 'typed-pass-123']);
    assert.is(r.code, 0, r.screen);
    assert.match(r.screen, /New Vault password: [\s\S]*Confirm New Vault password: /);
    assert.not.match(r.screen, /typed-pass-123/, 'the password is not echoed');
    const pw = put(join(dir, 'typed.pw'), 'typed-pass-123\n');
    assert.is((await lbprovRun(['vault', 'view', '--vault-password-file', pw, f])).stdout, 'k: v\n');
    const mismatch = await onTty(
      ['vault', 'encrypt', '--ask-vault-pass', put(join(dir, 'm.yml'), 'a: 1\n')],
      ['one-pass', 'another'],
    );
    assert.is(mismatch.code, 5);
    assert.match(mismatch.screen, /the passwords do not match/);
  });

  test('validate with --vault-id prod@prompt beside a password file', async () => {
    const r = await onTty(
      [
        'validate',
        join(VAULT_FIXTURES, 'play.yml'),
        '-i',
        join(VAULT_FIXTURES, 'inventory', 'local.yml'),
        '--vault-id',
        `default@${PASSWORD_FILE}`,
        '--vault-id',
        'prod@prompt',
      ],
      [prodPw],
    );
    assert.is(r.code, 0, r.screen);
    assert.match(r.screen, /Vault password \(prod\): /);
    assert.match(r.screen, /valid/);
    const wrong = await onTty(
      [
        'validate',
        join(VAULT_FIXTURES, 'play.yml'),
        '-i',
        join(VAULT_FIXTURES, 'inventory', 'local.yml'),
        '--vault-id',
        `default@${PASSWORD_FILE}`,
        '--vault-id',
        'prod@prompt',
      ],
      ['nope'],
    );
    assert.is(wrong.code, 5);
    assert.match(wrong.screen, /vars\/prod\.yml:1:1: vault-encrypted file: decryption failed/);
  });

  test.run();
}
