import type { Host, Inventory, Vars } from '../inventory/types.js';
import type { ShellLib } from '../module/types.js';
import { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import type { Transport } from '../transport/types.js';
import { verbosity, vlog } from '../util/verbose.js';
import { BECOME_VARS } from './become.js';
import { connectionSpec, makeTransport } from './connection.js';
import type { HostContext } from './host-context.js';

/** The names Ansible takes for the controller itself (constants.LOCALHOST): an implicit localhost. */
export const LOCALHOST_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Where a task is delegated for this host and item: the rendered `delegate_to`, or undefined. */
export function delegateTarget(task: Task, scope: Scope): string | undefined {
  const raw = task.exec?.delegateTo;
  if (raw === undefined) return undefined;
  const v = renderValue(raw, scope);
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`delegate_to must name a host, got ${JSON.stringify(v)}`);
  return v.trim();
}

export interface DelegateSettings {
  inv: Inventory;
  /** CLI/config settings (-u, --private-key, ...): below every host var, as for a play's hosts. */
  baseVars?: Vars;
  /** -e: connection vars given there win, as for a play's hosts. */
  extraVars: Vars;
  sshConfig?: string;
  connectTimeoutMs: number;
  /** A host's inventory vars with the playbook's group_vars/ and host_vars/ (vars-dirs.ts). */
  hostVars: (h: Host) => Vars;
  /** Every module's shell functions of the playbook: a delegate may run any task. */
  libs: () => ShellLib[];
}

/**
 * The hosts delegated tasks run on (Ansible's delegate_to): each a connection of its own, made from
 * that host's own connection variables (ansible_host, _port, _user, _ssh_private_key_file,
 * _connection, the ssh settings), as Ansible's TaskExecutor does with the delegated host's vars.
 * A name that is not in the inventory is Ansible's implicit localhost (connection local) when it
 * names the controller, else a host reached by that name. A delegate's remote shells never take
 * the run's host lock: the host may be one of the play's own hosts, whose shell holds it.
 */
export class Delegates {
  private readonly hosts = new Map<string, HostContext>();

  constructor(private readonly s: DelegateSettings) {}

  /** The delegated host: the inventory's, the implicit localhost, or an ad-hoc host of that name. */
  host(name: string): Host {
    const known = this.s.inv.hosts.get(name);
    if (known) return known;
    const all = this.s.inv.layers?.groupVars.get('all') ?? {};
    if (LOCALHOST_NAMES.includes(name))
      return { name, vars: { ...all, ansible_connection: 'local', ansible_host: '127.0.0.1' }, groups: [] };
    return { name, vars: { ...all }, groups: [] };
  }

  /** The delegate's variables (its inventory vars with the playbook's vars dirs). */
  vars(name: string): Vars {
    const h = this.host(name);
    return this.s.inv.hosts.has(name) ? this.s.hostVars(h) : h.vars;
  }

  /** The delegate's become variables (ansible_become_user, ...): they win over the delegating host's. */
  becomeVars(name: string): Vars {
    return Object.fromEntries(Object.entries(this.vars(name)).filter(([k]) => BECOME_VARS.includes(k)));
  }

  /** The delegate's context (its connection and remote shells), opened on first use. */
  async context(name: string): Promise<{ hc: HostContext; transport: Transport }> {
    let hc = this.hosts.get(name);
    if (!hc) {
      hc = { host: this.host(name), registered: {}, libs: this.s.libs() };
      this.hosts.set(name, hc);
    }
    if (!hc.transport) {
      const own = this.vars(name);
      const scope = new Scope({ ...this.s.baseVars, ...own }, { inventory_hostname: name });
      const vars = renderValue(connVars({ ...this.s.baseVars, ...own }), scope) as Vars;
      const spec = connectionSpec(hc.host, { ...vars, ...connVars(this.s.extraVars) }, this.s.inv, this.s.sshConfig);
      if (verbosity.level >= 2)
        vlog(2, `<${name}> delegate connection: ${spec.kind} ${spec.user}@${spec.address}:${spec.port}`);
      hc.transport = makeTransport(spec, this.s.connectTimeoutMs);
    }
    await hc.transport.connect();
    return { hc, transport: hc.transport };
  }

  close(): void {
    for (const hc of this.hosts.values()) {
      for (const s of hc.shells?.values() ?? []) s.close();
      hc.transport?.close();
    }
  }
}

function connVars(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('ansible_') || k.startsWith('lbprov_')));
}
