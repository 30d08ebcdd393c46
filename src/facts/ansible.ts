/**
 * Ansible's common facts, with Ansible's names and shapes (module_utils/facts: distribution,
 * platform, hardware/linux, network/linux, user, pkg_mgr, service_mgr, date_time), gathered by one
 * fixed shell snippet in the same round trip as lbprov's own facts. Keys here carry no `ansible_`
 * prefix, as in `ansible_facts`; the scope also offers each one as `ansible_<key>`.
 */

export type AnsibleFacts = Record<string, unknown>;

/**
 * Prints `key=value` lines and one `if <name> <type> <flags> <mtu> <mac> <bridge> <bond>` line per
 * interface, `a4 <name> <cidr> <brd>` per IPv4 address and `a6 <name> <cidr> <scope>` per IPv6 one. `ip route get` is a routing-table
 * lookup (what Ansible does to find the default interface); no packet is sent.
 */
export const ANSIBLE_FACTS_COMMAND = [
  // builtins where they do (each process start costs on a busy host): /proc instead of uname
  'r() { v=; [ -r "$2" ] && read -r v < "$2"; echo "$1=$v"; }',
  'r nodename /proc/sys/kernel/hostname; r kernel /proc/sys/kernel/osrelease; r kernel_version /proc/sys/kernel/version',
  'r system /proc/sys/kernel/ostype; r machine_id /etc/machine-id; r debian_version /etc/debian_version; r pid1 /proc/1/comm',
  'echo "machine=$(uname -m)"',
  // the FQDN from /etc/hosts only: `hostname -f` asks DNS, and a host whose resolver does not answer
  // (the lab's) waited seconds on every run for it
  'awk -v h="$(cat /proc/sys/kernel/hostname)" \'!/^[ \t]*#/ { for (i = 2; i <= NF; i++) if ($i == h) for (j = 2; j <= NF; j++) if ($j ~ /\\./) { print "fqdn=" $j; exit } }\' /etc/hosts 2>/dev/null',
  '# shellcheck source=/dev/null',
  '( . /etc/os-release 2>/dev/null; echo "os_id=${ID:-}"; echo "os_like=${ID_LIKE:-}"; echo "os_version_id=${VERSION_ID:-}"; echo "os_codename=${VERSION_CODENAME:-}"; echo "os_name=${NAME:-}" )',
  'awk \'FILENAME ~ /cpuinfo/ { if ($1 == "processor") v++; else if ($1 == "physical" && !($4 in s)) { s[$4]; n++ } else if ($1 == "cpu" && $2 == "cores" && !c) c = $4; next }' +
    ' /^(MemTotal|MemFree|SwapTotal|SwapFree):/ { print "mem_" $1 "=" $2 }' +
    ' END { print "vcpus=" v; print "sockets=" n; print "cores=" c }\' /proc/cpuinfo /proc/meminfo',
  'echo "nproc=$(nproc 2>/dev/null)"',
  'getent passwd "$(id -u)" | awk -F: \'{ print "user_id=" $1; print "user_uid=" $3; print "user_gid=" $4; print "user_gecos=" $5; print "user_dir=" $6; print "user_shell=" $7 }\'',
  'echo "date=$(date +\'%s %Z %z\')"',
  'for p in apt-get dnf yum zypper apk pacman; do command -v "$p" >/dev/null 2>&1 && { echo "pkg=$p"; break; }; done',
  'echo "route4=$(ip -4 route get 8.8.8.8 2>/dev/null)"',
  "for n in /sys/class/net/*; do i=${n##*/} t='' f='' m='' a='' b=- o=-; [ -d \"$n/bridge\" ] && b=bridge; [ -d \"$n/bonding\" ] && o=bonding; " +
    'read -r t < "$n/type"; read -r f < "$n/flags"; read -r m < "$n/mtu"; read -r a < "$n/address"; echo "if $i $t $f $m $a $b $o"; done 2>/dev/null',
  'ip -o addr show 2>/dev/null | awk \'{ x = "-"; for (i = 1; i <= NF; i++) if ($i == ($3 == "inet" ? "brd" : "scope")) x = $(i + 1); print ($3 == "inet" ? "a4 " : "a6 ") $2 " " $4 " " x }\'',
].join('\n');

const OS_FAMILY: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Debian',
  raspbian: 'Debian',
  linuxmint: 'Debian',
  pop: 'Debian',
  kali: 'Debian',
  rhel: 'RedHat',
  centos: 'RedHat',
  fedora: 'RedHat',
  rocky: 'RedHat',
  almalinux: 'RedHat',
  ol: 'RedHat',
  amzn: 'RedHat',
  sles: 'Suse',
  opensuse: 'Suse',
  'opensuse-leap': 'Suse',
  'opensuse-tumbleweed': 'Suse',
  arch: 'Archlinux',
  alpine: 'Alpine',
  gentoo: 'Gentoo',
};
const DISTRIBUTION: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  rhel: 'RedHat',
  centos: 'CentOS',
  fedora: 'Fedora',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  ol: 'OracleLinux',
  amzn: 'Amazon',
  sles: 'SLES',
  opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE Leap',
  arch: 'Archlinux',
  alpine: 'Alpine',
};
const PKG_MGR: Record<string, string> = {
  'apt-get': 'apt',
  dnf: 'dnf',
  yum: 'yum',
  zypper: 'zypper',
  apk: 'apk',
  pacman: 'pacman',
};
/** /sys/class/net/X/type, as Ansible's INTERFACE_TYPE */
const IF_TYPE: Record<string, string> = {
  '1': 'ether',
  '32': 'infiniband',
  '512': 'ppp',
  '772': 'loopback',
  '65534': 'tunnel',
};

interface Ipv4 {
  address: string;
  broadcast: string;
  netmask: string;
  network: string;
  prefix: string;
}

const toInt = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function ipv4(cidr: string, brd: string): Ipv4 {
  const [address, p = '32'] = cidr.split('/');
  const prefix = Number(p);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return {
    address,
    broadcast: brd === '-' ? '' : brd,
    netmask: toIp(mask),
    network: toIp((toInt(address) & mask) >>> 0),
    prefix: String(prefix),
  };
}

const mb = (kb: string | undefined): number => Math.floor(Number(kb ?? 0) / 1024);

export function parseAnsibleFacts(out: string): AnsibleFacts {
  const kv = new Map<string, string>();
  const ifs: string[][] = [];
  const addrs: string[][] = [];
  const addrs6: string[][] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('if ')) ifs.push(line.split(' ').slice(1));
    else if (line.startsWith('a4 ')) addrs.push(line.split(' ').slice(1));
    else if (line.startsWith('a6 ')) addrs6.push(line.split(' ').slice(1));
    else {
      const eq = line.indexOf('=');
      if (eq > 0 && !kv.has(line.slice(0, eq))) kv.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  const get = (k: string): string => (kv.get(k) ?? '').trim();
  const f: AnsibleFacts = {};

  // platform
  const nodename = get('nodename');
  const fqdn = get('fqdn') || nodename;
  const machine = get('machine');
  Object.assign(f, {
    system: get('system'),
    kernel: get('kernel'),
    kernel_version: get('kernel_version'),
    machine,
    architecture: machine,
    nodename,
    hostname: nodename.split('.')[0],
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    userspace_bits: machine ? (/64|s390x/.test(machine) ? '64' : '32') : '',
    machine_id: get('machine_id'),
  });

  // distribution
  const id = get('os_id').toLowerCase();
  const like = get('os_like').toLowerCase().split(/\s+/);
  const family =
    OS_FAMILY[id] ?? like.map((l) => OS_FAMILY[l]).find(Boolean) ?? (id ? id[0].toUpperCase() + id.slice(1) : 'NA');
  const debianVersion = get('debian_version');
  const version = id === 'debian' && /^\d/.test(debianVersion) ? debianVersion : get('os_version_id');
  Object.assign(f, {
    distribution: DISTRIBUTION[id] ?? (get('os_name') || 'NA'),
    distribution_version: version || 'NA',
    distribution_major_version: version ? version.split('.')[0] : 'NA',
    distribution_release: get('os_codename') || 'NA',
    os_family: family,
  });

  // hardware
  const vcpus = Number(get('vcpus')) || 0;
  const sockets = Number(get('sockets')) || 1;
  Object.assign(f, {
    processor_vcpus: vcpus,
    processor_count: sockets,
    processor_cores: Number(get('cores')) || vcpus / sockets,
    processor_nproc: Number(get('nproc')) || vcpus,
    processor_threads_per_core: Math.max(1, Math.round(vcpus / sockets / (Number(get('cores')) || vcpus / sockets))),
    memtotal_mb: mb(kv.get('mem_MemTotal:')),
    memfree_mb: mb(kv.get('mem_MemFree:')),
    swaptotal_mb: mb(kv.get('mem_SwapTotal:')),
    swapfree_mb: mb(kv.get('mem_SwapFree:')),
  });

  // user, packages, services
  const pid1 = get('pid1');
  Object.assign(f, {
    user_id: get('user_id'),
    user_uid: Number(get('user_uid')),
    user_gid: Number(get('user_gid')),
    user_gecos: get('user_gecos'),
    user_dir: get('user_dir'),
    user_shell: get('user_shell'),
    pkg_mgr: PKG_MGR[get('pkg')] ?? 'unknown',
    service_mgr: pid1 === 'systemd' ? 'systemd' : pid1 === 'init' ? 'sysvinit' : pid1 || 'service',
  });

  // date_time (the controller's clock is not the host's: Ansible reads the host's)
  const [epoch = '', tz = '', offset = ''] = get('date').split(' ');
  const iso = /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString().slice(0, 19) : '';
  const [date = '', time = ''] = iso.split('T');
  Object.assign(f, {
    date_time: {
      date,
      time,
      epoch,
      epoch_int: epoch,
      iso8601: iso ? `${iso}Z` : '',
      tz,
      tz_offset: offset,
      year: date.slice(0, 4),
      month: date.slice(5, 7),
      day: date.slice(8, 10),
      hour: time.slice(0, 2),
      minute: time.slice(3, 5),
      second: time.slice(6, 8),
    },
  });

  // network
  const interfaces: Record<string, Record<string, unknown>> = {};
  for (const [name, type = '', flags = '0', mtu = '0', mac = '', bridge, bond] of ifs) {
    if (!name) continue;
    const fl = Number.parseInt(flags, 16) || 0;
    interfaces[name] = {
      device: name,
      active: (fl & 1) === 1,
      promisc: (fl & 0x100) !== 0,
      mtu: Number(mtu),
      type: bridge === 'bridge' ? 'bridge' : bond === 'bonding' ? 'bonding' : (IF_TYPE[type] ?? 'unknown'),
      ...(mac && mac !== '00:00:00:00:00:00' ? { macaddress: mac } : {}),
    };
  }
  const all4: string[] = [];
  for (const [name, cidr, brd = '-'] of addrs) {
    const i = interfaces[name];
    if (!i || !cidr) continue;
    const a = ipv4(cidr, brd);
    if (i.ipv4) ((i.ipv4_secondaries ??= []) as Ipv4[]).push(a);
    else i.ipv4 = a;
    if (!a.address.startsWith('127.')) all4.push(a.address);
  }
  const all6: string[] = [];
  for (const [name, cidr = '', scope = '-'] of addrs6) {
    const i = interfaces[name];
    if (!i || !cidr) continue;
    const [address, prefix = '128'] = cidr.split('/');
    ((i.ipv6 ??= []) as unknown[]).push({ address, prefix, scope });
    if (address !== '::1') all6.push(address);
  }
  const route = get('route4').split(/\s+/);
  const after = (w: string): string | undefined => (route.includes(w) ? route[route.indexOf(w) + 1] : undefined);
  const dev = after('dev');
  const def: Record<string, unknown> = {};
  if (dev && interfaces[dev]) {
    const i = interfaces[dev];
    const a = i.ipv4 as Ipv4 | undefined;
    Object.assign(def, {
      interface: dev,
      alias: dev,
      ...(a ?? {}),
      address: after('src') ?? a?.address,
      macaddress: i.macaddress ?? 'unknown',
      mtu: i.mtu,
      type: i.type,
    });
    const via = after('via');
    if (via) def.gateway = via;
  }
  f.default_ipv4 = def;
  f.all_ipv4_addresses = all4;
  f.all_ipv6_addresses = all6;
  f.interfaces = Object.keys(interfaces);
  for (const [name, i] of Object.entries(interfaces)) f[name.replace(/[^A-Za-z0-9_]/g, '_')] = i;
  return f;
}

/** `ansible_facts` as variables: each fact also under its `ansible_` name (Ansible's INJECT_FACTS_AS_VARS). */
export function ansibleVars(f: AnsibleFacts): Record<string, unknown> {
  const out: Record<string, unknown> = { ansible_facts: f };
  for (const [k, v] of Object.entries(f)) out[`ansible_${k}`] = v;
  return out;
}
