import type { Vars } from '../inventory/types.js';
import type { Scope } from '../playbook/scope.js';
import type { Expect } from './judge.js';

/** Ansible's boolean conversion for a value that may come from -e as text ("false", "no", "0"). */
function bool(v: unknown): boolean {
  if (typeof v === 'string') return !['false', 'no', 'off', '0', 'n', ''].includes(v.trim().toLowerCase());
  return !!v;
}

function int(v: unknown, name: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n)) throw new Error(`${name} is "${String(v)}", not a whole number`);
  return n;
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw new Error(`${name} is ${JSON.stringify(v)}, not a path`);
  return v;
};

/**
 * What the playbook wants on a host, read from its variables (the playbook's defaults, the
 * inventory, play vars and -e, resolved as a play resolves them). Missing or mistyped values throw.
 */
export function expectFrom(scope: Scope): Expect {
  const get = (k: string, dflt?: unknown): unknown => (scope.has(k) ? scope.get(k) : dflt);
  const sysctls = get('edge_sysctls', {});
  if (!sysctls || typeof sysctls !== 'object' || Array.isArray(sysctls))
    throw new Error('edge_sysctls is not a mapping of sysctl keys to values');
  const models = get('nic_models', []);
  return {
    pin: str(get('lb_pin'), 'lb_pin'),
    pinMaps: str(get('lb_pin_maps'), 'lb_pin_maps'),
    port: int(get('lb_port'), 'lb_port'),
    workers: int(get('lb_workers'), 'lb_workers'),
    status: str(get('lb_status_file', '/run/lb-listener/status'), 'lb_status_file'),
    counters: str(get('lb_counters_file', '/run/lb-listener/accepts'), 'lb_counters_file'),
    sysctls: sysctls as Vars,
    sysctlKeys: Object.keys(sysctls),
    kernelMin: String(get('kernel_min', '5.11')),
    nicModels: Array.isArray(models) ? models.map(String) : [String(models)],
    nicRequired: bool(get('nic_required', true)),
    maxImbalance: Number(get('lb_max_imbalance', 0.2)),
  };
}
