import { randomBytes } from 'node:crypto';
import { shellJoin } from '../util/quote.js';
import { shlexSplit } from '../inventory/py-literal.js';
import type { Channel } from './types.js';

/** How to become another user on the host: Ansible's become_method, become_user, become_flags and password. */
export interface BecomeSpec {
  method: 'sudo' | 'su';
  user: string;
  /** Extra flags for sudo (Ansible's default `-H -S -n`) or su (none). */
  flags?: string;
  /** Sent to sudo/su on stdin after its prompt, never in argv, env or a file. */
  password?: string;
}

/** A become that did not happen: wrong password, no sudo rights. The task fails (it is not the host being unreachable). */
export class BecomeError extends Error {
  override name = 'BecomeError';
}

/** Where the become command stands, for -vvv output: the argv (no secret in it) and its markers. */
export interface BecomeCommand {
  argv: string[];
  /** sudo's prompt (`-p`), unique per run, so it cannot be confused with anything else on stderr. */
  prompt?: string;
  /** Printed by the target user's shell once become worked: what comes after it is the command's. */
  success: string;
}

// su's prompt in the locales Ansible knows (plugins/become/su.py), with "user's " before it at times
const SU_PROMPT =
  /(\w+'s )?(Password|Passwort|Mot de passe|Contraseña|Senha|Wachtwoord|Lösenord|Salasana|Parola|Heslo|Hasło|Пароль|密码|密碼|口令|パスワード|암호) ?(:|：) ?$/;

/**
 * The argv that runs `argv` as spec.user, as Ansible's sudo and su become plugins build it: the
 * command is wrapped in `echo BECOME-SUCCESS-<id>; exec ...` so that lbprov knows when sudo/su is
 * done (asking, failing) and the command's own output starts. With a password, sudo gets `-S` (read
 * it from stdin) and a prompt of its own, and `-n` is dropped, as Ansible does.
 */
export function becomeCommand(
  argv: readonly string[],
  spec: BecomeSpec,
  id = randomBytes(12).toString('hex'),
): BecomeCommand {
  const success = `BECOME-SUCCESS-${id}`;
  const wrapped = ['/bin/sh', '-c', `echo ${success}; exec "$@"`, 'sh', ...argv];
  if (spec.method === 'su') {
    return { argv: ['su', ...shlexSplit(spec.flags ?? ''), spec.user, '-c', shellJoin(wrapped)], success };
  }
  let flags = shlexSplit(spec.flags ?? '-H -S -n');
  let prompt: string | undefined;
  if (spec.password !== undefined) {
    prompt = `[sudo via lbprov, key=${id}] password:`;
    flags = flags
      .filter((f) => f !== '-n' && f !== '--non-interactive')
      .map((f) => (f.startsWith('--') ? f : f.replace(/^(-\w*)n(\w*)$/, '$1$2')))
      .filter((f) => f !== '-');
    if (!flags.some((f) => f === '-S' || f === '--stdin' || /^-\w*S/.test(f))) flags.push('-S');
  }
  return {
    argv: ['sudo', ...flags, ...(prompt ? ['-p', prompt] : []), '-u', spec.user, '--', ...wrapped],
    prompt,
    success,
  };
}

/**
 * Drives sudo/su on a freshly opened channel until the command runs: answers the password prompt
 * once (a second prompt means the password was wrong), and resolves with a channel that carries
 * only the command's own output. Anything else (sudo exits: no rights, a password required and
 * none given; no success within timeoutMs) is a BecomeError with sudo's or su's own words.
 */
export function becomeChannel(
  inner: Channel,
  spec: BecomeSpec,
  cmd: BecomeCommand,
  timeoutMs: number,
): Promise<Channel> {
  let dataCb: ((d: Buffer) => void) | undefined;
  let errCb: ((d: Buffer) => void) | undefined;
  let closeCb: ((why?: string) => void) | undefined;
  let done = false;
  let out = '';
  let err = '';
  let prompts = 0;
  const isPrompt = (text: string): boolean => (cmd.prompt ? text.endsWith(cmd.prompt) : SU_PROMPT.test(text));
  const what = `${spec.method} to ${spec.user}`;
  // sudo's and su's words, without the prompts and the empty lines
  const said = (): string =>
    err
      .split(cmd.prompt ?? '\u0000')
      .join('\n')
      .split('\n')
      .map((l) => l.replace(SU_PROMPT, '').trim())
      .filter(Boolean)
      .join(' ');

  return new Promise<Channel>((resolve, reject) => {
    const fail = (why: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      inner.close();
      reject(new BecomeError(why));
    };
    const timer = setTimeout(
      () => fail(`${what}: no answer from ${spec.method} within ${timeoutMs / 1000}s${said() ? `: ${said()}` : ''}`),
      timeoutMs,
    );
    inner.onData((d) => {
      if (done) return dataCb?.(d);
      out += d.toString('latin1');
      const at = out.indexOf(`${cmd.success}\n`);
      if (at < 0) return;
      done = true;
      clearTimeout(timer);
      const rest = Buffer.from(out.slice(at + cmd.success.length + 1), 'latin1');
      resolve({
        write: (x) => inner.write(x),
        onData: (cb) => {
          dataCb = cb;
          if (rest.length) cb(rest);
        },
        onStderr: (cb) => (errCb = cb),
        onClose: (cb) => (closeCb = cb),
        close: () => inner.close(),
      });
    });
    inner.onStderr((d) => {
      if (done) return errCb?.(d);
      err += d.toString();
      if (!isPrompt(err)) return;
      prompts++;
      if (spec.password === undefined)
        fail(`${what}: a password is required (give it with -K, or ansible_become_password)`);
      else if (prompts > 1) fail(`${what}: the password was refused: ${said() || 'incorrect password'}`);
      else {
        inner.write(`${spec.password}\n`);
        // the next prompt, if any, must be a new one: forget the text that held this one
        err = err.slice(0, err.length - (cmd.prompt?.length ?? 0));
        if (!cmd.prompt) err = err.replace(SU_PROMPT, '');
      }
    });
    inner.onClose((why) => {
      if (done) return closeCb?.(why);
      fail(`${what} failed${said() ? `: ${said()}` : why ? ` (${why})` : ''}`);
    });
  });
}
