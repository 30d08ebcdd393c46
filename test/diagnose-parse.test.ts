import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { judgeHost, type Expect } from '../src/diagnose/judge.js';
import {
  imbalance,
  parseAccepts,
  parseBpftoolProg,
  parseCounters,
  parseSs,
  parseStatus,
  sameSysctl,
} from '../src/diagnose/parse.js';
import { COUNTERS, diagnoseScript, splitOutput } from '../src/diagnose/script.js';
import { renderTable } from '../src/diagnose/render.js';
import { LocalTransport } from '../src/transport/local.js';
import { InputError } from '../src/util/errors.js';

/** The outputs are real: the diagnose script's output on lab hosts after edge.yml, and after each fault made by hand. */
const fx = (f: string): string => readFileSync(join(packageRoot, 'test', 'fixtures', 'diagnose', f), 'utf8');

const expect: Expect = {
  pin: '/sys/fs/bpf/lb_hash',
  pinMaps: '/sys/fs/bpf/lb_hash_maps',
  port: 8080,
  status: '/run/lb-listener/status',
  counters: '/run/lb-listener/accepts',
  workers: 4,
  sysctls: {
    'net.core.somaxconn': 65535,
    'net.ipv4.tcp_max_syn_backlog': 65535,
    'net.ipv4.tcp_migrate_req': 0,
    'net.ipv4.ip_local_port_range': '1024 65000',
  },
  sysctlKeys: [
    'net.core.somaxconn',
    'net.ipv4.tcp_max_syn_backlog',
    'net.ipv4.tcp_migrate_req',
    'net.ipv4.ip_local_port_range',
  ],
  kernelMin: '5.11',
  nicModels: ['connectx-7', 'e810-c', 'e810-xxv'],
  nicRequired: false,
  maxImbalance: 0.2,
};

test('after edge.yml: pinned = attached, ok; the lab veths are a note with nic_required false, a failure without', () => {
  const d = judgeHost(fx('ok.txt'), expect);
  assert.is(d.verdict, 'ok', d.reasons.join('; '));
  assert.equal(d.reasons, []);
  assert.is(d.match, true);
  assert.equal(
    { id: d.pinned?.id, tag: d.pinned?.tag, type: d.pinned?.type },
    { id: 12562, tag: '0e4f146dbded2a5b', type: 'sk_reuseport' },
  );
  assert.equal(
    { id: d.attached?.id, pid: d.attached?.pid, running: d.attached?.running, workers: d.attached?.workers },
    { id: 12562, pid: 326, running: true, workers: 4 },
  );
  assert.is(d.listeners.length, 4);
  assert.equal(d.listeners[0], { local: '0.0.0.0:8080', recv_q: 0, send_q: 65535 });
  assert.equal(d.workers.accepts, [0, 0, 0, 1]);
  assert.ok(
    d.notes.some((n) => n.includes('too few to judge')),
    'one accept is no imbalance',
  );
  assert.ok(
    d.notes.some((n) => n.includes('kernel.bpf_stats_enabled=1')),
    'says how to turn run counts on',
  );
  assert.equal(d.counters, {
    TcpExtListenOverflows: 0,
    TcpExtListenDrops: 0,
    TcpOutRsts: 4011,
    TcpExtTCPReqQFullDrop: 0,
    TcpExtSyncookiesSent: 0,
  });
  assert.ok(
    d.sysctls.every((s) => s.ok),
    JSON.stringify(d.sysctls),
  );
  assert.ok(d.kernel.ok);
  const strict = judgeHost(fx('ok.txt'), { ...expect, nicRequired: true });
  assert.is(strict.verdict, 'fail');
  assert.match(strict.reasons[0], /no NIC of model connectx-7, e810-c, e810-xxv \(interfaces: eth1, lo\)/);
  assert.is(
    judgeHost(fx('ok.txt'), { ...expect, kernelMin: '99.1' }).reasons[0],
    'kernel 6.18.44-fc-v669 is older than kernel_min 99.1',
  );
});

test('re-pinned by hand without telling the listener: warn, with both ids', () => {
  const d = judgeHost(fx('repinned.txt'), expect);
  assert.is(d.verdict, 'warn');
  assert.is(d.match, false);
  assert.is(d.pinned?.id, 12607);
  assert.is(d.attached?.id, 12577);
  assert.is(d.reasons.length, 1);
  assert.match(
    d.reasons[0],
    /attached program \(id 12577, tag 0e4f146dbded2a5b\) is not the one pinned at \/sys\/fs\/bpf\/lb_hash \(id 12607/,
  );
  assert.match(d.reasons[0], /the same code, loaded again/);
  assert.match(renderTable([{ name: 'h2', ...d }]), /^h2\s+WARN\s+12607 0e4f146d\s+12577 0e4f146d\s+NO /m);
});

test("no pin: fail with bpftool's reason; the listener still reports the program it holds", () => {
  const d = judgeHost(fx('no-pin.txt'), expect);
  assert.is(d.verdict, 'fail');
  assert.is(d.pinned, null);
  assert.is(d.match, null);
  assert.is(d.attached?.id, 12592);
  assert.equal(d.reasons, [
    'nothing pinned at /sys/fs/bpf/lb_hash: bpf obj get (/sys/fs/bpf/lb_hash): No such file or directory',
  ]);
});

test('listener stopped: fail, naming the missing report and the unit state; nothing listens', () => {
  const d = judgeHost(fx('listener-stopped.txt'), expect);
  assert.is(d.verdict, 'fail');
  assert.is(d.attached, null);
  assert.ok(
    d.reasons.includes(
      'the listener reports nothing at /run/lb-listener/status (cat: /run/lb-listener/status: No such file or directory; lb-listener.service: inactive)',
    ),
    d.reasons.join('\n'),
  );
  assert.ok(d.reasons.includes('nothing listens on port 8080'));
  assert.equal(d.workers.accepts, []);
});

test('with kernel.bpf_stats_enabled on: run counts of the pinned and the attached program; 200 accepts judged', () => {
  const d = judgeHost(fx('stats-on.txt'), expect);
  assert.is(d.bpf_stats_enabled, true);
  assert.is(d.pinned?.run_cnt, 200);
  assert.is(d.attached?.run_cnt, 200);
  assert.is(d.attached?.run_time_ns, 479442);
  assert.equal(d.workers.accepts, [43, 59, 45, 54]);
  assert.is(d.workers.total, 201);
  assert.ok(Math.abs(d.workers.imbalance! - (59 / (201 / 4) - 1)) < 1e-9);
  assert.is(d.verdict, 'ok', d.reasons.join('; '));
  assert.not.ok(d.notes.some((n) => n.includes('bpf_stats_enabled')));
  assert.match(renderTable([{ name: 'h1', ...d }]), /12562 0e4f146d \(200 runs\)/);
  // the same accepts judged against a tighter bar: now an imbalance warning
  assert.match(judgeHost(fx('stats-on.txt'), { ...expect, maxImbalance: 0.1 }).reasons[0], /imbalanced: 0\.174 > 0\.1/);
});

test('sysctls: a different value warns, a key the kernel lacks fails; whitespace folded', () => {
  const d = judgeHost(fx('ok.txt'), {
    ...expect,
    sysctls: { ...expect.sysctls, 'net.core.somaxconn': 4096, 'net.ipv4.tcp_reuseport_strict': 1 },
  });
  assert.is(d.verdict, 'fail');
  assert.ok(
    d.reasons.includes('sysctl net.ipv4.tcp_reuseport_strict does not exist on this kernel'),
    d.reasons.join('\n'),
  );
  assert.ok(d.reasons.includes('sysctl net.core.somaxconn is 65535, the playbook sets 4096'));
  assert.ok(sameSysctl('1024\t65000', '1024 65000'));
});

test('parsers: bpftool errors, status, accepts, ss, nstat and the /proc fallback', () => {
  assert.equal(parseBpftoolProg('{"error":"bpf obj get (/x): No such file or directory"}'), {
    error: 'bpf obj get (/x): No such file or directory',
  });
  assert.match(
    parseBpftoolProg('sh: 1: bpftool: not found').error!,
    /did not answer in JSON: sh: 1: bpftool: not found/,
  );
  assert.equal(parseBpftoolProg('').error, 'bpftool printed nothing');
  assert.is(
    parseStatus('pid=9\nprog_id=3\nlast_reload=SO_ATTACH_REUSEPORT_EBPF: Bad file descriptor\n').status?.last_reload,
    'SO_ATTACH_REUSEPORT_EBPF: Bad file descriptor',
  );
  assert.equal(parseAccepts('1 5\n0 7\ngarbage\n'), [7, 5]);
  assert.is(imbalance([]), null);
  assert.is(imbalance([0, 0]), null);
  assert.is(imbalance([10, 10]), 0);
  // weighted workers (lb_hash_weighted): judged per unit of weight
  assert.is(imbalance([800, 1600, 800, 800], [1, 2, 1, 1]), 0);
  assert.ok(Math.abs(imbalance([1000, 1000, 1000, 1000], [1, 2, 1, 1])! - (1000 / 875 - 1)) < 1e-12);
  assert.equal(parseStatus('pid=1\ncpus=0,1,0,1\nweights=1,2,1,1\n').status?.weights, [1, 2, 1, 1]);
  assert.equal(parseStatus('pid=1\ncpus=\nweights=\n').status?.cpus, []);
  assert.equal(parseSs('LISTEN 12 128 127.0.0.1:80 0.0.0.0:*\nESTAB 0 0 a b\n'), [
    { local: '127.0.0.1:80', recv_q: 12, send_q: 128 },
  ]);
  const proc = parseCounters(fx('proc-net.txt'), COUNTERS);
  for (const k of COUNTERS) assert.type(proc[k], 'number', k);
  assert.equal(parseCounters('TcpExtListenDrops  3  0.0\n', ['TcpExtListenDrops', 'TcpOutRsts']), {
    TcpExtListenDrops: 3,
    TcpOutRsts: null,
  });
});

test('a full accept queue warns; a truncated output fails', () => {
  const full = fx('ok.txt').replace('LISTEN 0      65535  0.0.0.0:8080', 'LISTEN 65535  65535  0.0.0.0:8080');
  assert.match(
    judgeHost(full, expect).reasons.join('\n'),
    /accept queue of 0\.0\.0\.0:8080 is full \(65535 of 65535\)/,
  );
  const cut = fx('ok.txt').split('@@diag listen')[0];
  assert.ok(judgeHost(cut, expect).reasons.includes('the diagnose script did not finish on the host'));
});

test('the script quotes every value, refuses what is not a sysctl key, and runs here (sh): every section, in order', async () => {
  assert.throws(
    () => diagnoseScript({ ...expect, sysctlKeys: ['net.core.x; reboot'] }),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => diagnoseScript({ ...expect, port: 0 }),
    (e: unknown) => e instanceof InputError,
  );
  const s = diagnoseScript({ ...expect, pin: "/sys/fs/bpf/it's $(id)" });
  assert.ok(s.includes(`'/sys/fs/bpf/it'\\''s $(id)'`));
  const r = await new LocalTransport().exec(['sh', '-s'], {
    stdin: diagnoseScript({ ...expect, status: '/nonexistent/status', counters: '/nonexistent/accepts' }),
  });
  const { sections } = splitOutput(r.stdout.toString());
  assert.equal(
    [...sections.keys()],
    [
      'pinned',
      'pin_maps',
      'bpf_stats',
      'status',
      'attached',
      'listener_process',
      'unit',
      'accepts',
      'listen',
      'nstat',
      'sysctls',
      'end',
    ],
  );
  assert.match(sections.get('sysctls')!, /^net\.core\.somaxconn\t\S+/m);
  assert.is(sections.get('listener_process')!.trim(), 'none');
});

test.run();
