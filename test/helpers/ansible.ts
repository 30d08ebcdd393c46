import { spawnSync } from 'node:child_process';
import { skipped } from './skip.js';

/** Whether Ansible's own tools (the reference) are here; outside CI a missing one skips visibly. */
export function haveAnsible(suite: string, tool = 'ansible-inventory'): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (r.status === 0) return true;
  const msg = `${suite}: needs ${tool} (Debian package ansible-core, scripts/system-deps.sh)`;
  if (process.env.CI) throw new Error(`${msg} (CI=true: reference tests must run)`);
  skipped.push(msg);
  process.stdout.write(`\n  SKIP ${msg}\n`);
  return false;
}

export interface AnsibleInventory {
  hostvars: Record<string, Record<string, unknown>>;
  /** Every group with all its hosts, through children too (sorted), without `all`. */
  members: Record<string, string[]>;
}

/** `ansible-inventory -i SOURCE --list`, with group membership made transitive. */
export function ansibleInventory(source: string, env: Record<string, string> = {}): AnsibleInventory {
  const r = spawnSync('ansible-inventory', ['-i', source, '--list'], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ...env },
  });
  if (r.status !== 0) throw new Error(`ansible-inventory -i ${source} failed: ${r.stderr}`);
  const data = JSON.parse(r.stdout) as Record<string, { hosts?: string[]; children?: string[] }> & {
    _meta: { hostvars: AnsibleInventory['hostvars'] };
  };
  const hosts = (g: string, seen = new Set<string>()): string[] => {
    if (seen.has(g)) return [];
    seen.add(g);
    const d = data[g] ?? {};
    return [...(d.hosts ?? []), ...(d.children ?? []).flatMap((c) => hosts(c, seen))];
  };
  const members: Record<string, string[]> = {};
  for (const g of Object.keys(data)) if (g !== '_meta' && g !== 'all') members[g] = [...new Set(hosts(g))].sort();
  // --list leaves out hosts without vars
  const hostvars = { ...data._meta.hostvars };
  for (const hs of Object.values(members)) for (const h of hs) hostvars[h] ??= {};
  return { hostvars, members };
}
