import type { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import { ENV_NAME } from '../playbook/exec-keywords.js';
import type { RemoteShell } from '../transport/remote-shell.js';
import { shq } from '../util/quote.js';

/**
 * The `environment` keyword, as Ansible's ActionBase._compute_environment_string: each entry (a
 * mapping, or a template that renders to one) is rendered with the host's variables, and later
 * entries (inner blocks, the task) win over earlier ones (the play).
 */
export function taskEnvironment(entries: readonly unknown[] | undefined, scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries ?? []) {
    const v = renderValue(e, scope);
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'object' || Array.isArray(v))
      throw new Error(`environment must be a mapping, got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (!ENV_NAME.test(k)) throw new Error(`environment: "${k}" is not a variable name (letters, digits, _)`);
      out[k] = pythonStr(x);
    }
  }
  return out;
}

/** Python's str() of a value, as Ansible puts it in the environment (True, None, 8080). */
function pythonStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * The head of a task's scripts that exports its environment: shell text sent on the remote
 * shell's stdin (never in any process's argv), each value quoted by shq(). A script runs in a
 * subshell of its own (remote-shell.ts), so the variables end with the task.
 */
export function exportHead(env: Record<string, string>): string {
  const names = Object.keys(env);
  if (!names.length) return '';
  if (names.some((n) => !ENV_NAME.test(n))) throw new Error('internal: environment names must be checked first');
  if (Object.values(env).some((v) => v.includes('\0')))
    throw new Error('environment: a NUL byte cannot be in an environment variable');
  return names.map((n) => `export ${n}=${shq(env[n])}\n`).join('');
}

/**
 * A view of a remote shell whose scripts start with `head` (the task's environment): -vvv shows
 * that head as a count of variables, never their values.
 */
export function withHead(shell: RemoteShell, head: string, shown: string): RemoteShell {
  if (!head) return shell;
  const view = Object.create(shell) as RemoteShell;
  view.run = (script: string, timeoutMs?: number) => shell.run(script, timeoutMs, { head, shown });
  return view;
}
