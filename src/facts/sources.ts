import type { Facts, Nic } from './types.js';
import { nicModel } from './nics.js';
import { ANSIBLE_FACTS_COMMAND, parseAnsibleFacts } from './ansible.js';

/**
 * Each fact is a fixed shell snippet plus a parser; all of them go to the host as one script, one
 * round trip. Sections are delimited by `@@fact NAME` lines.
 */
interface FactSource<K extends keyof Facts> {
  name: K;
  command: string;
  parse(out: string): Facts[K];
}

const source = <K extends keyof Facts>(f: FactSource<K>): FactSource<K> => f;

const SOURCES = [
  source({ name: 'hostname', command: 'hostname', parse: (o) => o.trim() }),
  source({ name: 'arch', command: 'uname -m', parse: (o) => o.trim() }),
  source({
    name: 'kernel',
    command: 'uname -r',
    parse: (o) => ({ release: o.trim(), version: /^\d+(\.\d+)*/.exec(o.trim())?.[0] ?? '' }),
  }),
  source({
    name: 'os',
    command: '# shellcheck source=/dev/null\n( . /etc/os-release 2>/dev/null; echo "$ID"; echo "${VERSION_ID:-}" )',
    parse: (o) => {
      const [id = '', version_id = ''] = o.split('\n');
      return { id, version_id };
    },
  }),
  source({
    name: 'pkg_manager',
    command: 'if command -v apt-get >/dev/null; then echo apt; elif command -v dnf >/dev/null; then echo dnf; fi',
    parse: (o) => (o.trim() === 'apt' || o.trim() === 'dnf' ? o.trim() : null) as Facts['pkg_manager'],
  }),
  source({
    name: 'nics',
    command:
      'for n in /sys/class/net/*; do d=$n/device; v=\'\' i=\'\' r=\'\'; if [ -e "$d" ]; then v=$(cat "$d/vendor" 2>/dev/null); i=$(cat "$d/device" 2>/dev/null); r=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null); fi; echo "${n##*/}|$v|$i|$r"; done',
    parse: (o) =>
      o
        .split('\n')
        .filter(Boolean)
        .map((line): Nic => {
          const [name, vendor, device, driver] = line.split('|').map((x) => x || null);
          return { name: name ?? '', vendor, device, driver, model: nicModel(vendor, device) };
        }),
  }),
  source({
    name: 'systemd',
    command: '[ -d /run/systemd/system ] && echo yes || echo no',
    parse: (o) => o.trim() === 'yes',
  }),
  source({ name: 'ansible', command: ANSIBLE_FACTS_COMMAND, parse: parseAnsibleFacts }),
  source({
    name: 'user',
    command: 'id -un; id -u',
    parse: (o) => {
      const [name = '', uid = '-1'] = o.split('\n');
      return { name, uid: Number(uid) };
    },
  }),
];

export const FACTS_SCRIPT = SOURCES.map((s) => `echo '@@fact ${s.name}'\n${s.command}`).join('\n') + '\n';

export function parseFacts(out: string): Facts {
  const sections = new Map<string, string>();
  let cur = '';
  for (const line of out.split('\n')) {
    const m = /^@@fact (\w+)$/.exec(line);
    if (m) {
      cur = m[1];
      sections.set(cur, '');
    } else if (cur) sections.set(cur, sections.get(cur) + line + '\n');
  }
  const facts: Record<string, unknown> = {};
  for (const s of SOURCES) facts[s.name] = s.parse((sections.get(s.name) ?? '').replace(/\n$/, ''));
  return facts as unknown as Facts;
}
