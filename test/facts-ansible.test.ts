import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansibleVars, parseAnsibleFacts } from '../src/facts/ansible.js';
import { lbprov } from './helpers/cli.js';
import { skipped } from './helpers/skip.js';

/**
 * Ansible's common facts: the parser on a fixed host answer, then lbprov's facts of this machine
 * against what Ansible's own `setup` module gathers on the same machine, side by side.
 */
const test = suite('ansible_* facts');

const ANSWER = `nodename=edge-1.example.net
kernel=6.8.0-1012-aws
kernel_version=#13-Ubuntu SMP
machine=x86_64
system=Linux
fqdn=edge-1.example.net
os_id=ubuntu
os_like=debian
os_version_id=24.04
os_codename=noble
os_name=Ubuntu
debian_version=trixie/sid
nproc=8
vcpus=16
sockets=2
cores= 4
mem_MemTotal:=16318412
mem_MemFree:=1234567
mem_SwapTotal:=0
mem_SwapFree:=0
pid1=systemd
user_id=deploy
user_uid=1000
user_gid=1000
user_dir=/home/deploy
user_shell=/bin/bash
date=1795998123 UTC +0000
pkg=apt-get
route4=8.8.8.8 via 10.0.0.1 dev ens5 src 10.0.0.17 uid 0
if lo 772 0x9 65536 00:00:00:00:00:00 - -
if ens5 1 0x1003 9001 0a:1b:2c:3d:4e:5f - -
if br-lb 1 0x1003 1500 aa:bb:cc:dd:ee:ff bridge -
a4 lo 127.0.0.1/8 -
a4 ens5 10.0.0.17/20 10.0.15.255
a6 ens5 fe80::81b:2cff:fe3d:4e5f/64 link
`;

test('the parser gives Ansible names and shapes', () => {
  const f = parseAnsibleFacts(ANSWER);
  assert.is(f.os_family, 'Debian');
  assert.is(f.distribution, 'Ubuntu');
  assert.is(f.distribution_version, '24.04', 'only Debian itself takes /etc/debian_version');
  assert.is(f.distribution_major_version, '24');
  assert.is(f.distribution_release, 'noble');
  assert.is(f.hostname, 'edge-1');
  assert.is(f.domain, 'example.net');
  assert.is(f.processor_vcpus, 16);
  assert.is(f.processor_count, 2);
  assert.is(f.processor_cores, 4);
  assert.is(f.processor_threads_per_core, 2);
  assert.is(f.memtotal_mb, 15935);
  assert.is(f.pkg_mgr, 'apt');
  assert.is(f.userspace_bits, '64');
  assert.equal((f.date_time as Record<string, string>).iso8601, '2026-11-30T00:22:03Z');
  assert.is(f.service_mgr, 'systemd');
  assert.equal(f.default_ipv4, {
    interface: 'ens5',
    alias: 'ens5',
    address: '10.0.0.17',
    broadcast: '10.0.15.255',
    netmask: '255.255.240.0',
    network: '10.0.0.0',
    prefix: '20',
    macaddress: '0a:1b:2c:3d:4e:5f',
    mtu: 9001,
    type: 'ether',
    gateway: '10.0.0.1',
  });
  assert.equal(f.interfaces, ['lo', 'ens5', 'br-lb']);
  assert.is(
    (f.br_lb as { type: string }).type,
    'bridge',
    'dashes become underscores, as Ansible names interface facts',
  );
  assert.equal(f.all_ipv4_addresses, ['10.0.0.17']);
  assert.equal(f.all_ipv6_addresses, ['fe80::81b:2cff:fe3d:4e5f']);
  const vars = ansibleVars(f);
  assert.is(vars.ansible_os_family, 'Debian');
  assert.is((vars.ansible_facts as Record<string, unknown>).os_family, 'Debian');
});

test('an empty answer gives defined, empty facts rather than a throw', () => {
  const f = parseAnsibleFacts('');
  assert.is(f.distribution, 'NA');
  assert.equal(f.default_ipv4, {});
  assert.equal(f.interfaces, []);
});

// The differential part: Ansible's setup module and lbprov, on this machine, in one run.
const ansible = '/usr/bin/ansible';
const STABLE = [
  'os_family',
  'distribution',
  'distribution_version',
  'distribution_major_version',
  'distribution_release',
  'system',
  'kernel',
  'kernel_version',
  'machine',
  'architecture',
  'nodename',
  'hostname',
  'userspace_bits',
  'machine_id',
  'processor_vcpus',
  'processor_count',
  'processor_cores',
  'processor_nproc',
  'memtotal_mb',
  'swaptotal_mb',
  'user_id',
  'user_uid',
  'user_gid',
  'user_dir',
  'user_shell',
  'pkg_mgr',
  'service_mgr',
  'all_ipv4_addresses',
];

if (!existsSync(ansible)) {
  const msg = 'ansible_* facts against Ansible: needs /usr/bin/ansible (Debian package ansible)';
  if (process.env.CI) throw new Error(`${msg} (CI=true: .ci/run installs it)`);
  skipped.push(msg);
} else {
  /** One side-by-side gathering: what differs between Ansible's facts and lbprov's. */
  const compare = async (dir: string, inv: string): Promise<string[]> => {
    const setup = spawnSync(ansible, ['localhost', '-c', 'local', '-m', 'setup'], {
      encoding: 'utf8',
      cwd: dir,
      timeout: 120_000,
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' },
    });
    assert.is(setup.status, 0, setup.stderr);
    const theirs = (
      JSON.parse(setup.stdout.slice(setup.stdout.indexOf('{'))) as { ansible_facts: Record<string, unknown> }
    ).ansible_facts;
    const r = await lbprov(['facts', '-i', inv]);
    assert.is(r.code, 0, r.stderr);
    const ours = (JSON.parse(r.stdout) as Record<string, { ansible: Record<string, unknown> }>).localhost.ansible;
    const norm = (v: unknown): string => JSON.stringify(Array.isArray(v) ? [...(v as string[])].sort() : v);
    const differ = [...STABLE, 'interfaces']
      .filter((k) => norm(ours[k]) !== norm(theirs[`ansible_${k}`]))
      .map((k) => `${k}: lbprov ${norm(ours[k])}, ansible ${norm(theirs[`ansible_${k}`])}`);
    const pick = (d: unknown): string => {
      const o = d as Record<string, unknown>;
      return norm(
        Object.fromEntries(
          [
            'interface',
            'address',
            'gateway',
            'netmask',
            'network',
            'prefix',
            'macaddress',
            'mtu',
            'type',
            'broadcast',
          ].map((k) => [k, o[k]]),
        ),
      );
    };
    if (pick(ours.default_ipv4) !== pick(theirs.ansible_default_ipv4))
      differ.push(`default_ipv4: ${pick(ours.default_ipv4)} vs ${pick(theirs.ansible_default_ipv4)}`);
    for (const name of ours.interfaces as string[]) {
      const key = name.replace(/[^A-Za-z0-9_]/g, '_');
      const a = ours[key] as Record<string, unknown>;
      const b = (theirs[`ansible_${key}`] ?? {}) as Record<string, unknown>;
      for (const k of ['device', 'active', 'mtu', 'type', 'macaddress', 'ipv4', 'promisc'])
        if (norm(a[k]) !== norm(b[k])) differ.push(`${name}.${k}: ${norm(a[k])} vs ${norm(b[k])}`);
    }
    return differ;
  };

  test("lbprov's ansible_* facts equal Ansible's setup module's on the same machine", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbprov-facts-'));
    const inv = join(dir, 'local.yml');
    writeFileSync(inv, 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n');
    // a lab booting or stopping between the two gatherings changes this machine's interfaces: once more then
    const first = await compare(dir, inv);
    assert.equal(first.length ? await compare(dir, inv) : first, []);
  });

  test('a play reads ansible_* facts as variables and as ansible_facts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbprov-facts-'));
    const inv = join(dir, 'local.yml');
    writeFileSync(inv, 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n');
    const pb = join(dir, 'pb.yml');
    writeFileSync(
      pb,
      [
        '- hosts: all',
        '  tasks:',
        '    - assert: { that: ["ansible_os_family == ansible_facts.os_family", "ansible_processor_vcpus > 0", "ansible_kernel == facts.kernel.release"] }',
        '    - debug: { msg: "{{ ansible_distribution }} {{ ansible_default_ipv4.interface }}" }',
        '',
      ].join('\n'),
    );
    const r = await lbprov(['apply', pb, '-i', inv, '--json']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const run = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { msg?: string }> }> }> };
    assert.match(run.plays[0].tasks.at(-1)!.hosts.localhost.msg ?? '', /^\w+ \S+$/);
  });
}

test.run();
