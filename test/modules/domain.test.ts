import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kernelCheck from '../../modules/kernel_check.js';
import nicCheck from '../../modules/nic_check.js';
import pkg, { installedFrom, candidatesFrom } from '../../modules/package.js';
import sysctl, { editConf, fold } from '../../modules/sysctl.js';
import systemd from '../../modules/systemd.js';
import bpfProgram, { secType, shownType } from '../../modules/bpf_program.js';
import textfileCollector from '../../modules/textfile_collector.js';
import type { Facts } from '../../src/facts/types.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** The collector's units are lbprov's own fixed text: systemd itself checks them here. */
function systemdAnalyzeVerify(path: string, unit: string, script: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-units-'));
  const exe = join(dir, 'collector');
  writeFileSync(exe, script);
  chmodSync(exe, 0o755);
  const file = join(dir, basename(path));
  writeFileSync(file, unit.replace(/^ExecStart=.*$/m, `ExecStart=${exe}`));
  if (path.endsWith('.timer')) writeFileSync(file.replace(/\.timer$/, '.service'), `[Service]\nType=oneshot\nExecStart=${exe}\n`);
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  if (r.error) return true; // no systemd-analyze on this machine: the lab suites run the units for real
  if (r.status !== 0) process.stderr.write(r.stderr);
  return r.status === 0;
}
import { FixtureHost, context, planOn } from '../helpers/fixture-host.js';

const facts = (over: Partial<Facts> = {}): Facts => ({
  hostname: 'h1', arch: 'x86_64', kernel: { release: '6.8.0-1012-aws', version: '6.8.0' }, os: { id: 'debian', version_id: '12' },
  pkg_manager: 'apt', systemd: true, user: { name: 'root', uid: 0 }, ansible: {},
  nics: [{ name: 'eth0', vendor: '0x15b3', device: '0x1021', driver: 'mlx5_core', model: 'connectx-7' }, { name: 'lo', vendor: null, device: null, driver: null, model: null }],
  ...over,
});
const ctx = (f = facts()) => context({ facts: f });

test('kernel_check compares numeric release prefixes and names host, release and bound', () => {
  assert.is(planOn(kernelCheck, {}, new FixtureHost(), ctx()).failed, undefined);
  assert.is(planOn(kernelCheck, { min: '6.9' }, new FixtureHost(), ctx()).failed, 'h1: kernel 6.8.0-1012-aws is older than the minimum 6.9');
  assert.is(planOn(kernelCheck, { min: '5.11', max: '6.2' }, new FixtureHost(), ctx()).failed, 'h1: kernel 6.8.0-1012-aws is newer than the maximum 6.2');
  const el9 = ctx(facts({ kernel: { release: '5.14.0-427.el9.x86_64', version: '5.14.0' } }));
  assert.is(planOn(kernelCheck, { min: '5.11' }, new FixtureHost(), el9).failed, undefined);
  assert.match(planOn(kernelCheck, { min: '5.15' }, new FixtureHost(), el9).failed ?? '', /5\.14\.0-427\.el9\.x86_64 is older than the minimum 5\.15/);
});

test('nic_check maps PCI ids to models; require: false turns a miss into a warning', () => {
  const ok = planOn(nicCheck, {}, new FixtureHost(), ctx());
  assert.equal(ok.result?.nics, { eth0: 'connectx-7' });
  const veth = ctx(facts({ nics: [{ name: 'eth1', vendor: null, device: null, driver: null, model: null }] }));
  assert.match(planOn(nicCheck, {}, new FixtureHost(), veth).failed ?? '', /h1: no NIC of model connectx-7, e810-c, e810-xxv among eth1/);
  const soft = planOn(nicCheck, { require: false }, new FixtureHost(), veth);
  assert.is(soft.failed, undefined);
  assert.match(soft.warnings?.[0] ?? '', /no NIC of model/);
  assert.match(planOn(nicCheck, { models: ['e810-c'], interfaces: 'eth*' }, new FixtureHost(), ctx()).failed ?? '', /among eth0 \(mlx5_core\)/);
});

test('package: dpkg-query output decides; check mode lists installs; apt-get runs non-interactively', () => {
  assert.equal([...installedFrom('clang\tinstall ok installed\t1:14.0\nllvm\tdeinstall ok config-files\t1\n', 'apt')], [['clang', '1:14.0']]);
  assert.equal([...candidatesFrom('clang:\n  Installed: 1\n  Candidate: 2\nllvm:\n  Installed: (none)\n  Candidate: (none)\n')], [['clang', '2']]);
  const host = new FixtureHost();
  host.execs["dpkg-query -W -f ${Package}\\t${Status}\\t${Version}\\n -- clang bpftool"] = { rc: 1, stdout: 'clang\tinstall ok installed\t1:14.0\n' };
  const p = planOn(pkg, { name: ['clang', 'bpftool'], update_cache: true }, host, ctx());
  assert.is(p.msg, 'install bpftool');
  assert.equal(p.steps.map((s) => (s.op === 'exec' ? s.argv.slice(2, 4).join(' ') : '')), ['apt-get update', 'apt-get install']);
  assert.equal(p.diff?.[0], { path: 'packages', before: 'clang: 1:14.0\nbpftool: absent\n', after: 'clang: 1:14.0\nbpftool: installed\n' });
  host.execs["dpkg-query -W -f ${Package}\\t${Status}\\t${Version}\\n -- clang bpftool"] = { stdout: 'clang\tinstall ok installed\t1\nbpftool\tinstall ok installed\t7\n' };
  assert.is(planOn(pkg, { name: ['clang', 'bpftool'], update_cache: true }, host, ctx()).changed, false, 'update_cache alone changes nothing');
  host.execs["dpkg-query -W -f ${Package}\\t${Status}\\t${Version}\\n -- clang"] = { stdout: 'clang\tinstall ok installed\t1\n' };
  assert.equal(planOn(pkg, { name: 'clang', state: 'absent' }, host, ctx()).result?.remove, ['clang']);
});

test('sysctl: one round trip of reads, whitespace folded, file edited in place, unknown keys fail', () => {
  assert.is(fold('1024\t65000\n'), '1024 65000');
  assert.is(editConf('# keep me\nnet.core.somaxconn=128\nvm.x = 1\n', new Map([['net.core.somaxconn', '65535'], ['net.ipv4.tcp_migrate_req', '0']]), new Set()), '# keep me\nnet.core.somaxconn = 65535\nvm.x = 1\nnet.ipv4.tcp_migrate_req = 0\n');
  const host = new FixtureHost();
  host.execs['cat -- /proc/sys/net/ipv4/ip_local_port_range'] = { stdout: '1024\t65000\n' };
  host.execs['cat -- /proc/sys/net/ipv4/tcp_migrate_req'] = { stdout: '1\n' };
  host.execs['cat -- /proc/sys/net/ipv4/tcp_reuseport_strict'] = { rc: 1, stderr: 'No such file or directory' };
  const p = planOn(sysctl, { values: { 'net.ipv4.ip_local_port_range': '1024 65000', 'net.ipv4.tcp_migrate_req': 0 } }, host, ctx());
  assert.equal(p.steps.map((s) => (s.op === 'write' ? `write ${s.path}` : s.argv.join(' '))), ['write /etc/sysctl.d/60-lbprov.conf', 'sysctl -q -w net.ipv4.tcp_migrate_req=0']);
  assert.is(p.diff?.[1].before, 'net.ipv4.tcp_migrate_req = 1\n');
  for (const s of p.steps) if (s.op === 'write') host.apply(s);
  host.execs['cat -- /proc/sys/net/ipv4/tcp_migrate_req'] = { stdout: '0\n' };
  assert.is(planOn(sysctl, { values: { 'net.ipv4.ip_local_port_range': '1024 65000', 'net.ipv4.tcp_migrate_req': 0 } }, host, ctx()).changed, false, 'a second run is a no-op');
  assert.match(planOn(sysctl, { name: 'net.ipv4.tcp_reuseport_strict', value: 1 }, host, ctx()).failed ?? '', /h1: unknown sysctl key net\.ipv4\.tcp_reuseport_strict/);
  const ansible = planOn(sysctl, { name: 'net/ipv4/tcp_migrate_req', value: '0', sysctl_file: '/etc/sysctl.d/99-x.conf' }, host, ctx());
  assert.is((ansible.steps[0] as { path: string }).path, '/etc/sysctl.d/99-x.conf');
});

const show = (s: Record<string, string>): string => Object.entries({ LoadState: 'loaded', ActiveState: 'inactive', UnitFileState: 'disabled', NeedDaemonReload: 'no', ...s }).map(([k, v]) => `${k}=${v}`).join('\n');

test('systemd: daemon-reload only when systemd says so; enable/start only what is not so', () => {
  const host = new FixtureHost();
  const key = 'systemctl show --property=LoadState,ActiveState,UnitFileState,NeedDaemonReload -- lb-listener';
  const argvs = (p: ReturnType<typeof planOn>) => p.steps.map((s) => (s.op === 'exec' ? s.argv.slice(1).join(' ').replace(/ -- lb-listener$/, '') : 'write'));
  host.execs[key] = { stdout: show({ LoadState: 'not-found' }) };
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', enabled: true, state: 'started', daemon_reload: true }, host, ctx())), ['enable --now'], 'enable reloads systemd itself and --now starts: one call');
  host.execs[key] = { stdout: show({ NeedDaemonReload: 'yes', UnitFileState: 'enabled' }) };
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', enabled: true, state: 'started', daemon_reload: true }, host, ctx())), ['daemon-reload', 'start']);
  host.execs[key] = { stdout: show({ LoadState: 'not-found' }) };
  assert.match(planOn(systemd, { name: 'lb-listener', state: 'started' }, host, ctx()).failed ?? '', /not found \(a new unit file needs daemon_reload: true\)/);
  host.execs[key] = { stdout: show({ ActiveState: 'active', UnitFileState: 'enabled' }) };
  assert.is(planOn(systemd, { name: 'lb-listener', enabled: true, state: 'started', daemon_reload: true }, host, ctx()).changed, false, 'nothing to do, no reload');
  host.execs[key] = { stdout: show({ ActiveState: 'active', UnitFileState: 'enabled', NeedDaemonReload: 'yes' }) };
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', state: 'restarted', daemon_reload: true }, host, ctx())), ['daemon-reload', 'restart']);
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', masked: true, state: 'stopped' }, host, ctx())), ['mask', 'stop']);
  assert.match(planOn(systemd, { name: 'lb-listener' }, host, ctx(facts({ systemd: false }))).failed ?? '', /systemd is not running/);
  // check mode: a unit file an earlier task would have written is a unit systemd would load
  host.execs[key] = { stdout: show({ LoadState: 'not-found' }) };
  const planned = context({ facts: facts(), check: true, wouldExist: (p) => p === '/etc/systemd/system/lb-listener.service' });
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', state: 'restarted' }, host, planned)), ['restart'], 'a handler on a fresh host predicts its restart');
  assert.equal(argvs(planOn(systemd, { name: 'lb-listener', enabled: true, state: 'started', daemon_reload: true }, host, planned)), ['enable --now']);
});

test('bpf_program: compiles only when source or flags changed, repins when the pin is gone, verifies the type', () => {
  assert.is(secType('struct {} m SEC(".maps");\nSEC("sk_reuseport")\nint f() {}\nchar l[] SEC("license") = "GPL";'), 'sk_reuseport');
  assert.is(shownType('socket'), 'socket_filter');
  const src = 'SEC("sk_reuseport") int lb(void *c) { return 1; }\n';
  const host = new FixtureHost();
  const showPin = 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash';
  host.execs[showPin] = { rc: 255, stderr: 'No such file' };
  const c = context({ facts: facts(), localFile: () => Buffer.from(src) });
  const args = { src: 'lb_hash.c', pin: '/sys/fs/bpf/lb_hash', pin_maps: '/sys/fs/bpf/lb_hash_maps' };
  const first = planOn(bpfProgram, args, host, c);
  const ops = first.steps.map((s) => (s.op === 'write' ? `write ${s.path}` : s.argv[0]));
  assert.equal(ops, ['mkdir', 'write /opt/lbprov/bpf/lb_hash.c', 'lbprov_compile', 'lbprov_bpf_pin', 'lbprov_bpf_verify', 'write /opt/lbprov/bpf/lb_hash.pinned']);
  const compile = first.steps[2] as { argv: string[] };
  assert.ok(compile.argv.includes('-target') && compile.argv.includes('-I/usr/include/x86_64-linux-gnu'));
  assert.equal((first.steps[4] as { argv: string[] }).argv, ['lbprov_bpf_verify', '/sys/fs/bpf/lb_hash', 'sk_reuseport']);
  // the host after that run: source, object, hash and marker in place, program pinned
  for (const s of first.steps) if (s.op === 'write') host.apply(s);
  host.fs['/opt/lbprov/bpf/lb_hash.o'] = { type: 'file', mode: '0644', owner: 'root', group: 'root', content: 'ELF' };
  host.fs['/opt/lbprov/bpf/lb_hash.o.hash'] = { type: 'file', mode: '0644', owner: 'root', group: 'root', content: `${compile.argv[3]}\n` };
  host.execs[showPin] = { stdout: '{"id":7,"type":"sk_reuseport","tag":"abc","name":"lb"}' };
  assert.is(planOn(bpfProgram, args, host, c).changed, false, 'second run: nothing to do');
  host.execs[showPin] = { rc: 255 };
  assert.equal(planOn(bpfProgram, args, host, c).steps.map((s) => (s.op === 'write' ? 'write' : s.argv[0])), ['mkdir', 'lbprov_bpf_pin', 'lbprov_bpf_verify', 'write'], 'pin gone (reboot): repin, no recompile');
  host.execs[showPin] = { stdout: '{"id":7,"type":"sk_reuseport","tag":"abc","name":"lb"}' };
  const flags = planOn(bpfProgram, { ...args, cflags: ['-DLB_MAX_WORKERS=64'] }, host, c);
  assert.ok(flags.steps.some((s) => s.op === 'exec' && s.argv[0] === 'lbprov_compile'), 'new flags recompile');
});

test('textfile_collector: script and units written (units verified), timer enabled; then a no-op', () => {
  const host = new FixtureHost({ '/var/lib/prometheus/node-exporter': { type: 'directory', mode: '0755', owner: 'root', group: 'root' } });
  const key = 'systemctl show --property=LoadState,ActiveState,UnitFileState,NeedDaemonReload -- lbprov-textfile-reuseport.timer';
  host.execs[key] = { stdout: show({ LoadState: 'not-found' }) };
  const first = planOn(textfileCollector, { name: 'reuseport', port: 8080 }, host, ctx());
  const writes = first.steps.filter((s) => s.op === 'write') as Array<{ path: string; validate?: string[]; content: Buffer }>;
  assert.equal(writes.map((w) => w.path), ['/usr/local/bin/lbprov-textfile-reuseport', '/etc/systemd/system/lbprov-textfile-reuseport.service', '/etc/systemd/system/lbprov-textfile-reuseport.timer']);
  for (const w of writes.slice(1)) assert.ok(systemdAnalyzeVerify(w.path, w.content.toString(), writes[0].content.toString()), `${w.path} passes systemd-analyze verify`);
  assert.match(writes[0].content.toString(), /^port=8080$/m);
  assert.match(writes[0].content.toString(), /mv -f "\$tmp" "\$out"/);
  assert.equal(first.steps.filter((s) => s.op === 'exec').map((s) => (s as { argv: string[] }).argv.slice(1, 3).join(' ')), ['enable --now']);
  for (const s of first.steps) if (s.op === 'write') host.apply(s);
  host.execs[key] = { stdout: show({ ActiveState: 'active', UnitFileState: 'enabled' }) };
  assert.is(planOn(textfileCollector, { name: 'reuseport', port: 8080 }, host, ctx()).changed, false);
  assert.throws(() => planOn(textfileCollector, { name: 'x; rm -rf /', port: 8080 }, host, ctx()), /"x; rm -rf \/" is not a name of lowercase letters/);
});

test.run();
