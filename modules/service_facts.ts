import { defineModule, type Plan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type } from '../src/module/args.js';

export interface ServiceFact {
  name: string;
  state: string;
  status: string;
  source: 'systemd';
}

const BAD_STATES = ['not-found', 'masked', 'failed'];

/**
 * What lbprov_service_facts printed (modules/service_facts.sh), read as Ansible's
 * SystemctlScanService reads the same commands' output: list-units gives state (running or
 * stopped) and status (active/inactive, or a bad state), list-unit-files the final status
 * (enabled, disabled, static, ...) unless that is a bad state, and a unit file list-units did not
 * list gets its state from `systemctl show --property=ActiveState` (unknown when that failed).
 */
export function parseServices(out: string): {
  services: Record<string, ServiceFact>;
  warnings: string[];
  systemd: boolean;
} {
  const sections = new Map<string, string[]>();
  let cur = '';
  const warnings: string[] = [];
  for (const line of out.split('\n')) {
    if (/^@(none|units|files|show)$/.test(line)) {
      cur = line.slice(1);
      sections.set(cur, []);
    } else if (line === '@units-failed' || line === '@files-failed') {
      const what =
        line === '@units-failed' ? 'Could not list units from systemd' : 'Could not get unit files data from systemd';
      warnings.push(`${what}: ${(sections.get(cur) ?? []).join('\n').trim()}`);
      sections.set(cur, []);
    } else sections.get(cur)?.push(line);
  }
  const services: Record<string, ServiceFact> = {};
  if (sections.has('none')) return { services, warnings, systemd: false };
  for (const line of (sections.get('units') ?? []).filter((l) => l.includes('.service'))) {
    let fields = line.split(/\s+/).filter(Boolean);
    // a bad state comes with the leading dot (●) as a field of its own
    const bad = BAD_STATES.find((b) => fields.includes(b));
    if (bad) fields = fields.slice(1);
    const status = bad ?? fields[2] ?? 'unknown';
    const name = fields[0];
    services[name] = { name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
  const shown = new Map(
    (sections.get('show') ?? []).filter(Boolean).map((l) => {
      const [n, s = ''] = l.split('\t');
      return [n, s.trim()] as const;
    }),
  );
  for (const line of (sections.get('files') ?? []).filter((l) => l.includes('.service'))) {
    const [name, status] = line.split(/\s+/).filter(Boolean);
    if (status === undefined) throw new Error(`Malformed output discovered from systemd list-unit-files: ${line}`);
    if (!services[name]) services[name] = { name, state: shown.get(name) || 'unknown', status, source: 'systemd' };
    else if (!BAD_STATES.includes(services[name].status)) services[name].status = status;
  }
  return { services, warnings, systemd: true };
}

export default defineModule({
  name: 'service_facts',
  aliases: ['ansible.builtin.service_facts'],
  shell: [shellLib('modules/service_facts.sh')],
  schema: Type.Object({}, { additionalProperties: false }),
  description: "The host's systemd services as facts: ansible_facts.services (and services), Ansible's shape.",
  notes: [
    'Each entry is keyed by the unit name (`ssh.service`): name, state (running, stopped, or for a unit systemd has not loaded its ActiveState), status (enabled, disabled, static, masked, failed, not-found, ...) and source `systemd`, read from the same systemctl commands as Ansible, in one round trip. Later tasks of the run see `ansible_facts.services` and `services`. SysV init scripts are not listed (Ansible adds them with source `sysv`).',
  ],
  examples: `- name: Read services (then ansible_facts.services['ssh.service'].state is running or stopped)
  service_facts:
`,
  returns: {
    ansible_facts: {
      description: 'services: unit name -> {name, state, status, source}.',
      type: 'mapping',
      returned: 'on a systemd host',
    },
  },
  check: 'full',
  diff: 'none',
  reads() {
    return { services: { kind: 'exec', argv: ['lbprov_service_facts'] } };
  },
  plan(_a, seen): Plan {
    const { services, warnings, systemd } = parseServices(seen.services.stdout.toString());
    if (!systemd || !Object.keys(services).length)
      return {
        changed: false,
        steps: [],
        msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.',
        warnings,
      };
    return {
      changed: false,
      steps: [],
      msg: `${Object.keys(services).length} services`,
      result: { ansible_facts: { services } },
      warnings,
    };
  },
});
