import type { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import type { BecomeSpec } from '../transport/become.js';

/** The become keywords of a task or a play (a template string where Ansible allows one). */
export interface BecomeKeywords {
  become?: boolean | string;
  becomeUser?: string;
  becomeMethod?: string;
  becomeFlags?: string;
}

const TRUE = new Set(['true', 'yes', 'on', '1', 'y', 't']);

/** Ansible's boolean(): true, "yes", "on", 1 ... are true; anything else is false. */
export function asBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  return typeof v === 'string' && TRUE.has(v.trim().toLowerCase());
}

/**
 * Who a task runs as: the task's keywords, else the play's, else the host's variables
 * (ansible_become, ansible_become_user, _method, _flags; -b, --become-user, --become-method and the
 * config file's [privilege_escalation] arrive as the lowest of those variables), else no become.
 * The password is ansible_become_password (or ansible_become_pass), -K's answer below both.
 * Templates in any of them are rendered for the host.
 */
export function becomeFor(task: BecomeKeywords, play: BecomeKeywords, scope: Scope): BecomeSpec | undefined {
  const v = (name: string): unknown => (scope.has(name) ? scope.get(name) : undefined);
  const r = (x: unknown): unknown => (typeof x === 'string' ? renderValue(x, scope) : x);
  const on = task.become ?? play.become ?? v('ansible_become');
  if (!asBool(r(on))) return undefined;
  const user = String(r(task.becomeUser ?? play.becomeUser ?? v('ansible_become_user') ?? 'root'));
  const method = String(r(task.becomeMethod ?? play.becomeMethod ?? v('ansible_become_method') ?? 'sudo'));
  if (method !== 'sudo' && method !== 'su') throw new Error(`become_method "${method}" is not supported (sudo or su)`);
  const flags = task.becomeFlags ?? play.becomeFlags ?? v('ansible_become_flags') ?? v(`ansible_${method}_flags`);
  const password = v('ansible_become_password') ?? v('ansible_become_pass') ?? v(`ansible_${method}_pass`);
  return {
    method,
    user,
    flags: flags === undefined || flags === null ? undefined : String(r(flags)),
    password: password === undefined || password === null ? undefined : String(password),
  };
}

/** What identifies a become for sharing one remote shell: never the password. */
export function becomeKey(b: BecomeSpec | undefined): string {
  return b ? JSON.stringify([b.method, b.user, b.flags ?? null]) : '';
}
