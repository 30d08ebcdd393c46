import { defineModule, failedPlan, noChange, type Plan, type Step } from '../src/module/types.js';
import { Type, Choice, Default, type ArgsOf } from '../src/module/args.js';
import { shellLib } from '../src/module/shell-lib.js';

/**
 * Package names: Debian's grammar or RPM's, so that no name reads as an option or a pattern of
 * the package tools (they also get `--`). Checked when the playbook loads (any of the two), and
 * for the host's own manager before anything runs.
 */
export const PACKAGE_NAME = '^[A-Za-z0-9_][A-Za-z0-9_+.-]*(:[a-z0-9][a-z0-9-]*)?$';

const schema = Type.Object(
  {
    // one schema for a name or a list of names (pattern applies to strings, items to lists), so
    // a template inside a list is left for later without an anyOf reporting every branch
    name: Type.Unsafe<string | string[]>({
      type: ['string', 'array'],
      minLength: 1,
      pattern: PACKAGE_NAME,
      patternMeans: 'a package name',
      minItems: 1,
      items: { type: 'string', minLength: 1, pattern: PACKAGE_NAME, patternMeans: 'a package name' },
      description: 'A package name or a list of them (no versions, no globs).',
    }),
    state: Default(
      Choice(['present', 'absent', 'latest'], {
        description: 'present: installed; absent: removed; latest: installed and upgraded to the candidate version.',
      }),
      'present',
    ),
    update_cache: Default(
      Type.Boolean({
        description:
          'Refresh the package lists first (apt-get update, dnf --refresh), only when something is to be installed.',
      }),
      false,
    ),
  },
  { additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

const GRAMMAR = { apt: /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9][a-z0-9-]*)?$/, dnf: /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/ };

const names = (a: Args): string[] => (Array.isArray(a.name) ? a.name : [a.name]);

function checkedNames(a: Args, pm: 'apt' | 'dnf'): string[] {
  const bad = names(a).filter((n) => !GRAMMAR[pm].test(n));
  if (bad.length)
    throw new Error(
      `not ${pm === 'apt' ? 'a Debian' : 'an RPM'} package name: ${bad.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  return names(a);
}

/** `name\tstatus\tversion` lines from dpkg-query, or `name\tinstalled\tversion` from rpm. */
export function installedFrom(out: string, manager: 'apt' | 'dnf'): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [n, status, version] = line.split('\t');
    if (!n) continue;
    if (manager === 'apt' ? status === 'install ok installed' : status === 'installed')
      m.set(n.replace(/:.*$/, ''), version ?? '');
  }
  return m;
}

/**
 * Without facts (gather_facts: false) the manager is found on the host in the same read as the
 * packages (modules/package.sh): `@@PM apt|dnf|none`, the query's lines, `@@POLICY` and apt-cache's.
 */
export function detectedFrom(out: string): { pm: 'apt' | 'dnf' | null; installed: string; policy: string } {
  const head = /^@@PM (\w+)\n/.exec(out);
  const pm = head?.[1] === 'apt' || head?.[1] === 'dnf' ? head[1] : null;
  const [installed = '', policy = ''] = out.slice(head?.[0].length ?? 0).split('@@POLICY\n');
  return { pm, installed, policy };
}

/** `apt-cache policy` / `dnf` candidate versions, for state=latest. */
export function candidatesFrom(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur = '';
  for (const line of out.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) cur = head[1];
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (cand && cur && cand[1] !== '(none)') m.set(cur, cand[1]);
  }
  return m;
}

export default defineModule({
  name: 'package',
  aliases: ['ansible.builtin.package', 'apt', 'ansible.builtin.apt', 'dnf', 'ansible.builtin.dnf'],
  shell: [shellLib('modules/package.sh')],
  schema,
  description: 'System packages through apt or dnf, whichever the host has.',
  notes: [
    "The manager is found on the host in the same read as the packages, apt-get first, then dnf (as the facts' pkg_manager is), with or without facts. Names are checked when the playbook loads, and against the host's manager's grammar before anything runs: no name can read as an option.",
    'apt installs with --no-install-recommends and keeps changed config files (--force-confold).',
  ],
  examples: `- name: BPF toolchain
  package:
    name: [clang, libbpf-dev, bpftool]
    state: present
    update_cache: true

- name: No telnet
  apt:
    name: telnet
    state: absent
`,
  returns: {
    installed: {
      description: 'Installed versions of the packages asked for: name -> version.',
      type: 'mapping',
      returned: 'when nothing changed',
    },
    install: { description: 'The packages installed or upgraded.', type: 'list', returned: 'when changed' },
    remove: { description: 'The packages removed.', type: 'list', returned: 'when changed' },
  },
  check: 'full',
  diff: 'full',
  // the manager is found in the same read as the packages, facts or not: the read is the same
  // before the facts are known (the run's first read, prefetch.ts) and after, so it is not redone
  reads: (a) => ({ installed: { kind: 'exec', argv: ['lbprov_pkg_query', a.state, ...names(a)] } }),
  plan(a, seen, ctx): Plan {
    const found = detectedFrom(seen.installed.stdout.toString());
    const pm = found.pm;
    if (!pm) return failedPlan(`${ctx.host}: neither apt-get nor dnf found on the host`);
    const installed = installedFrom(found.installed, pm);
    const want = checkedNames(a, pm);
    const before = want.map((n) => `${n}: ${installed.get(n) ?? 'absent'}`).join('\n') + '\n';
    let install: string[] = [];
    let remove: string[] = [];
    if (a.state === 'absent') remove = want.filter((n) => installed.has(n));
    else {
      install = want.filter((n) => !installed.has(n));
      if (a.state === 'latest') {
        if (pm === 'apt') {
          const cand = candidatesFrom(found.policy);
          install.push(...want.filter((n) => installed.has(n) && cand.has(n) && cand.get(n) !== installed.get(n)));
        } else install = want; // dnf decides; `dnf install` of an up-to-date package changes nothing
      }
    }
    if (!install.length && !remove.length)
      return noChange(`${want.join(', ')} ${a.state === 'absent' ? 'absent' : 'installed'}`, {
        installed: Object.fromEntries(installed),
      });
    const steps: Step[] = [];
    if (pm === 'apt') {
      const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
      if (install.length) {
        if (a.update_cache)
          steps.push({ op: 'exec', argv: [...env, 'apt-get', 'update', '-q'], what: 'apt-get update' });
        steps.push({
          op: 'exec',
          argv: [
            ...env,
            'apt-get',
            'install',
            '-y',
            '-q',
            '--no-install-recommends',
            '-o',
            'Dpkg::Options::=--force-confold',
            '--',
            ...install,
          ],
          what: `apt-get install ${install.join(' ')}`,
        });
      }
      if (remove.length)
        steps.push({
          op: 'exec',
          argv: [...env, 'apt-get', 'remove', '-y', '-q', '--', ...remove],
          what: `apt-get remove ${remove.join(' ')}`,
        });
    } else {
      if (install.length)
        steps.push({
          op: 'exec',
          argv: ['dnf', 'install', '-y', ...(a.update_cache ? ['--refresh'] : []), '--', ...install],
          what: `dnf install ${install.join(' ')}`,
        });
      if (remove.length)
        steps.push({
          op: 'exec',
          argv: ['dnf', 'remove', '-y', '--', ...remove],
          what: `dnf remove ${remove.join(' ')}`,
        });
    }
    const after =
      want
        .map(
          (n) =>
            `${n}: ${remove.includes(n) ? 'absent' : install.includes(n) ? (installed.has(n) ? 'upgraded' : 'installed') : installed.get(n)}`,
        )
        .join('\n') + '\n';
    return {
      changed: true,
      steps,
      diff: [{ path: 'packages', before, after }],
      msg: [install.length ? `install ${install.join(', ')}` : '', remove.length ? `remove ${remove.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
      result: { install, remove },
    };
  },
});
