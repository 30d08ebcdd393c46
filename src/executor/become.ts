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

/** The become variables; from -b, --become-user, --become-method, -K and the config they sit below keywords. */
export const BECOME_VARS = [
  'ansible_become',
  'ansible_become_user',
  'ansible_become_method',
  'ansible_become_flags',
  'ansible_become_password',
  'ansible_become_pass',
];

/**
 * Who a task runs as, in Ansible's order (checked with ansible-playbook 2.14): a variable
 * (ansible_become, ansible_become_user, _method, _flags from the inventory, group_vars, play or
 * task vars or -e) beats the task's keyword, which beats the play's, which beats the command line
 * and the config file (`base`: -b, --become-user, --become-method, [privilege_escalation]); then
 * the defaults (no become, root, sudo). The password is ansible_become_password (or
 * ansible_become_pass), -K's answer below it. Templates in any of them are rendered for the host.
 */
export function becomeFor(
  task: BecomeKeywords,
  play: BecomeKeywords,
  scope: Scope,
  base: Record<string, unknown> = {},
): BecomeSpec | undefined {
  const v = (name: string): unknown => (scope.has(name) ? scope.get(name) : undefined);
  const r = (x: unknown): unknown => (typeof x === 'string' ? renderValue(x, scope) : x);
  const on = v('ansible_become') ?? task.become ?? play.become ?? base.ansible_become;
  if (!asBool(r(on))) return undefined;
  const user = String(
    r(v('ansible_become_user') ?? task.becomeUser ?? play.becomeUser ?? base.ansible_become_user ?? 'root'),
  );
  const method = String(
    r(v('ansible_become_method') ?? task.becomeMethod ?? play.becomeMethod ?? base.ansible_become_method ?? 'sudo'),
  );
  if (method !== 'sudo' && method !== 'su') throw new Error(`become_method "${method}" is not supported (sudo or su)`);
  const flags =
    v('ansible_become_flags') ??
    v(`ansible_${method}_flags`) ??
    task.becomeFlags ??
    play.becomeFlags ??
    base.ansible_become_flags;
  const password =
    v('ansible_become_password') ??
    v('ansible_become_pass') ??
    v(`ansible_${method}_pass`) ??
    base.ansible_become_password;
  return {
    method,
    user,
    flags: flags === undefined || flags === null ? undefined : String(r(flags)),
    password: password === undefined || password === null ? undefined : String(r(password)),
  };
}

/** What identifies a become for sharing one remote shell: never the password. */
export function becomeKey(b: BecomeSpec | undefined): string {
  return b ? JSON.stringify([b.method, b.user, b.flags ?? null]) : '';
}
