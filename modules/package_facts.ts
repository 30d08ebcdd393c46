import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Choice, Default } from '../src/module/args.js';

const MANAGERS = ['apt', 'rpm'] as const;
type Manager = (typeof MANAGERS)[number];

const schema = Type.Object(
  {
    manager: Default(
      Type.Unsafe<string | string[]>({
        type: ['array', 'string'],
        items: { type: 'string' },
        description: 'auto, apt or rpm, or a list of them, tried in order (auto: every one the host has).',
      }),
      ['auto'],
    ),
    strategy: Default(
      Choice(['first', 'all'], { description: 'first: the first manager the host has; all: every one, merged.' }),
      'first',
    ),
  },
  { additionalProperties: false },
);

export interface PackageFact {
  name: string;
  version: string;
  arch: string;
  source: Manager;
  category?: string;
  release?: string;
  epoch?: number | null;
}

/** dpkg's states in which a package has an installed version (python-apt's is_installed). */
const DPKG_INSTALLED = new Set([
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

/** What lbprov_package_facts printed (modules/package_facts.sh): the managers found, each's packages by name. */
export function parsePackages(out: string): Map<Manager, Record<string, PackageFact[]>> {
  const found = new Map<Manager, Record<string, PackageFact[]>>();
  let cur: Record<string, PackageFact[]> | undefined;
  let mgr: Manager = 'apt';
  for (const line of out.split('\n')) {
    if (line === '@apt' || line === '@rpm') {
      mgr = line.slice(1) as Manager;
      cur = {};
      found.set(mgr, cur);
      continue;
    }
    if (line === `@${mgr}-failed`) {
      found.delete(mgr);
      cur = undefined;
      continue;
    }
    if (!cur || !line) continue;
    const f = line.split('\t');
    let p: PackageFact;
    if (mgr === 'apt') {
      if (!DPKG_INSTALLED.has(f[4] ?? '')) continue;
      p = { name: f[0], version: f[1], arch: f[2], category: f[3], source: 'apt' };
    } else {
      const epoch = f[3] === '(none)' || f[3] === undefined ? null : Number(f[3]);
      p = { name: f[0], version: f[1], release: f[2], epoch, arch: f[4], source: 'rpm' };
    }
    (cur[p.name] ??= []).push(p);
  }
  return found;
}

export default defineModule({
  name: 'package_facts',
  aliases: ['ansible.builtin.package_facts'],
  shell: [shellLib('modules/package_facts.sh')],
  schema,
  description: "The host's installed packages as facts: ansible_facts.packages (and packages), Ansible's shape.",
  notes: [
    'packages maps a name to a list of installed versions: {name, version, arch, source} with category (the Debian section) for apt and release/epoch for rpm; a foreign-architecture Debian package is named name:arch, as python-apt names it. Read from dpkg-query or rpm in one round trip (Ansible needs python3-apt on the host; lbprov does not). Later tasks of the run see `ansible_facts.packages` and `packages`. Not given: the apt origin.',
  ],
  examples: `- name: Read packages (then ansible_facts.packages.clang[0].version is clang's version)
  package_facts:
    manager: auto
`,
  returns: {
    ansible_facts: {
      description: 'packages: name -> list of {name, version, arch, source, ...}.',
      type: 'mapping',
    },
  },
  check: 'full',
  diff: 'none',
  reads() {
    return { packages: { kind: 'exec', argv: ['lbprov_package_facts'] } };
  },
  plan(a, seen): Plan {
    const asked = Array.isArray(a.manager) ? a.manager : [a.manager];
    const unsupported = asked.filter((m) => m !== 'auto' && !(MANAGERS as readonly string[]).includes(m));
    if (unsupported.length) return failedPlan(`Unsupported package managers requested: ${unsupported.join(', ')}`);
    const order = [...new Set(asked.flatMap((m) => (m === 'auto' ? [...MANAGERS] : [m as Manager])))];
    const found = parsePackages(seen.packages.stdout.toString());
    const packages: Record<string, PackageFact[]> = {};
    let used = 0;
    for (const m of order) {
      if (used && a.strategy === 'first') break;
      const got = found.get(m);
      if (!got) continue;
      used++;
      Object.assign(packages, got);
    }
    if (!used)
      return {
        changed: false,
        steps: [],
        failed: `Could not detect a supported package manager from the following list: [${order.map((m) => `'${m}'`).join(', ')}], or the required Python library is not installed. Check warnings for details.`,
      };
    return {
      changed: false,
      steps: [],
      msg: `${Object.keys(packages).length} packages`,
      result: { ansible_facts: { packages } },
    };
  },
});
