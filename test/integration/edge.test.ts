import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, withStatus, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { httpGet } from '../helpers/http.js';
import { requireRoot } from '../helpers/skip.js';

/** playbooks/edge.yml, the rollout itself, on 3 real lab hosts. */
const test = suite('edge rollout on the lab');
const pb = join(packageRoot, 'playbooks', 'edge.yml');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-edge-'));
const HOSTS = ['h1', 'h2', 'h3'];
let lab: LabState;
const inv = (): string[] => ['-i', lab.inventory];

/** An inventory file that overrides vars for one host (host vars win over the playbook defaults). */
function hostOverride(host: string, vars: Record<string, unknown>): string[] {
  const f = join(tmp, `override-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(f, `lab:\n  children:\n    edge:\n      hosts:\n        ${host}: ${JSON.stringify(vars)}\n`);
  return ['-i', f];
}

const status = (run: JsonRun, task: string, host: string): string | undefined =>
  run.plays[0].tasks.find((t) => t.name === task)?.hosts[host]?.status;
const msg = (run: JsonRun, task: string, host: string): string =>
  run.plays[0].tasks.find((t) => t.name === task)?.hosts[host]?.msg ?? '';

if (requireRoot('edge rollout on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test('check mode on never-provisioned hosts predicts the first apply exactly; the apply changes every host, batch by batch, and exits 0', async () => {
    const check = await applyJson([pb, ...inv(), '--check', '--diff']);
    assert.is(check.code, 0, check.stderr + JSON.stringify(check.run, null, 1));
    const r = await applyJson([pb, ...inv()]);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run, null, 1));
    // the same tasks change on the same hosts: a restart handler for a unit a template would create,
    // the listener it would start and the self-test helper it would build included
    assert.equal(withStatus(check.run, 'changed'), withStatus(r.run, 'changed'));
    for (const h of HOSTS) assert.is(check.run.stats[h].changed, r.run.stats[h].changed, h);
    // every predicted change comes with its diff: files, pins, live sysctls, unit states
    for (const t of check.run.plays[0].tasks) {
      for (const [h, res] of Object.entries(t.hosts))
        if (res.status === 'changed') assert.ok(res.diff?.length, `${t.name} @ ${h}: a diff`);
    }
    for (const h of HOSTS) {
      assert.ok(r.run.stats[h].changed >= 6, `${h}: ${JSON.stringify(r.run.stats[h])}`);
      assert.is(status(r.run, 'listener : restart listener', h), 'changed', 'the handler restarted the listener');
    }
  });

  test('every host has lb_hash pinned as sk_reuseport, sysctls live and persisted, units active', async () => {
    for (const h of HOSTS) {
      const prog = JSON.parse((await sh(lab, h, 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash')).out) as {
        type: string;
        name: string;
      };
      assert.is(prog.type, 'sk_reuseport');
      assert.is(prog.name, 'lb_hash');
      const live = (
        await sh(lab, h, 'sysctl -n net.ipv4.tcp_migrate_req net.core.somaxconn net.ipv4.ip_local_port_range')
      ).out;
      assert.equal(
        live
          .trim()
          .split('\n')
          .map((l) => l.replace(/\s+/g, ' ')),
        ['0', '65535', '1024 65000'],
      );
      const conf = (await sh(lab, h, 'cat /etc/sysctl.d/60-lbprov.conf')).out;
      assert.match(conf, /^net\.ipv4\.tcp_migrate_req = 0$/m);
      assert.not.match(conf, /reuseport_strict/);
      const active = (
        await sh(
          lab,
          h,
          'systemctl is-active lb-listener.service lbprov-textfile-reuseport.timer; systemctl is-enabled lb-listener.service lbprov-textfile-reuseport.timer',
        )
      ).out;
      assert.equal(active.trim().split('\n'), ['active', 'active', 'enabled', 'enabled']);
    }
  });

  test('the listener answers, and node_exporter serves the lbprov_* metrics without scrape errors', async () => {
    const h1 = lab.hosts[0];
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) answers.add((await httpGet(h1.address, 8080, '/')).trim());
    assert.ok(answers.size >= 2, `connections spread over workers: ${[...answers].join(', ')}`);
    await sh(lab, 'h1', 'sleep 1.2; /usr/local/bin/lbprov-textfile-reuseport');
    await sh(
      lab,
      'h1',
      `systemd-run --unit=lbtest-node-exporter /usr/bin/prometheus-node-exporter --collector.textfile.directory=/var/lib/prometheus/node-exporter --web.listen-address=${h1.address}:9100`,
    );
    let metrics = '';
    for (let i = 0; i < 50 && !metrics; i++) {
      metrics = await httpGet(h1.address, 9100, '/metrics').catch(() => '');
      if (!metrics) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(metrics, /^node_textfile_scrape_error 0$/m);
    assert.match(metrics, /^lbprov_listeners\{port="8080"\} 4$/m);
    assert.match(metrics, /^lbprov_bpf_program_info\{[^}]*type="sk_reuseport"[^}]*\} 1$/m);
    assert.match(metrics, /^lbprov_reuseport_accepts_total\{port="8080",worker="3"\} \d+$/m);
    assert.match(metrics, /^lbprov_reuseport_imbalance_ratio\{port="8080",source="workers"\} [0-9.]+$/m);
    assert.match(metrics, /^lbprov_accept_queue\{listener="0",port="8080"\} \d+$/m);
  });

  test('a second apply reports changed=0', async () => {
    const r = await applyJson([pb, ...inv()]);
    assert.is(r.code, 0);
    for (const h of HOSTS) assert.is(r.run.stats[h].changed, 0, `${h}: ${withStatus(r.run, 'changed').join(', ')}`);
  });

  test('a changed lb_hash.c: check mode predicts recompile + repin + reload, apply does exactly that and keeps _prev', async () => {
    const src = readFileSync(join(packageRoot, 'bpf', 'lb_hash.c'), 'utf8').replace(
      '#define LB_MAX_WORKERS 256',
      '#define LB_MAX_WORKERS 128',
    );
    const f = join(tmp, 'lb_hash.c');
    writeFileSync(f, src);
    const before = await Promise.all(
      HOSTS.map(
        async (h) =>
          (
            await sh(
              lab,
              h,
              'bpftool -j prog show pinned /sys/fs/bpf/lb_hash; systemctl show -p MainPID --value lb-listener',
            )
          ).out,
      ),
    );
    const args = [pb, ...inv(), '-e', `lb_hash_src=${f}`];
    const check = await applyJson([...args, '--check', '--diff']);
    assert.is(check.code, 0, check.stderr);
    const expected = HOSTS.flatMap((h) => [
      `lb_hash : lb_hash compiled and pinned @ ${h}`,
      `listener : reload listener @ ${h}`,
    ]).sort();
    assert.equal(withStatus(check.run, 'changed'), expected);
    const diff = check.run.plays[0].tasks.find((t) => t.name === 'lb_hash : lb_hash compiled and pinned')!.hosts.h1
      .diff!;
    assert.match(diff.map((d) => d.after).join('\n'), /#define LB_MAX_WORKERS 128/);
    assert.match(diff.map((d) => d.after).join('\n'), /recompiled.*previous kept at \/sys\/fs\/bpf\/lb_hash_prev/);
    const apply = await applyJson(args);
    assert.is(apply.code, 0, apply.stderr);
    assert.equal(withStatus(apply.run, 'changed'), expected, 'check mode predicted exactly what changed');
    for (const [i, h] of HOSTS.entries()) {
      const [oldProg, oldPid] = before[i].trim().split('\n');
      const now = JSON.parse((await sh(lab, h, 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash')).out) as {
        id: number;
        tag: string;
      };
      const prev = JSON.parse((await sh(lab, h, 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash_prev')).out) as {
        id: number;
        tag: string;
      };
      const old = JSON.parse(oldProg) as { id: number; tag: string };
      assert.is(prev.id, old.id, `${h}: the previous program is kept at lb_hash_prev`);
      assert.is.not(now.tag, old.tag, `${h}: the new program is pinned`);
      const pid = (await sh(lab, h, 'systemctl show -p MainPID --value lb-listener')).out.trim();
      assert.is(pid, oldPid.trim(), `${h}: the listener was reloaded, not restarted`);
      const attached = (await sh(lab, h, 'cat /run/lb-listener/status')).out;
      assert.match(attached, new RegExp(`^prog_tag=${now.tag}$`, 'm'), `${h}: the listener attached the new program`);
    }
    const again = await applyJson(args);
    for (const h of HOSTS) assert.is(again.run.stats[h].changed, 0);
  });

  const failures: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'kernel below min',
      { kernel_min: '99.0' },
      'kernel : kernel is new enough',
      /h2: kernel \S+ is older than the minimum 99\.0/,
    ],
    [
      'a required NIC missing',
      { nic_required: true },
      'kernel : NIC model',
      /h2: no NIC of model connectx-7, e810-c, e810-xxv among eth1, lo/,
    ],
    [
      'an unknown sysctl key',
      { edge_sysctls: { 'net.core.somaxconn': 65535, 'net.ipv4.tcp_reuseport_strict': 1 } },
      'listener : edge sysctls',
      /h2: unknown sysctl key net\.ipv4\.tcp_reuseport_strict/,
    ],
    [
      'a BPF program the verifier rejects',
      { lb_hash_src: join(packageRoot, 'test', 'fixtures', 'bpf', 'verifier_reject.c') },
      'lb_hash : lb_hash compiled and pinned',
      /loading and pinning .* failed .*invalid bpf_context access off=4096/s,
    ],
    [
      'a package that does not exist',
      { edge_packages: ['clang', 'lbprov-no-such-package'] },
      'toolchain : BPF toolchain',
      /apt-get install lbprov-no-such-package failed .*Unable to locate package lbprov-no-such-package/s,
    ],
  ];
  for (const [what, vars, task, why] of failures) {
    test(`${what}: a clear failure of that host; the others are unaffected`, async () => {
      const r = await applyJson([pb, ...inv(), ...hostOverride('h2', vars), '-e', 'rollout_serial=100%']);
      assert.is(r.code, 2, JSON.stringify(r.run.stats));
      assert.is(status(r.run, task, 'h2'), 'failed');
      assert.match(msg(r.run, task, 'h2'), why);
      for (const h of ['h1', 'h3'])
        assert.is(r.run.stats[h].failed + r.run.stats[h].unreachable, 0, `${h} is unaffected`);
    });
  }

  test('after a rejected program the previous pin is still in place', async () => {
    const prog = JSON.parse((await sh(lab, 'h2', 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash')).out) as {
      type: string;
    };
    assert.is(prog.type, 'sk_reuseport');
    assert.is((await sh(lab, 'h2', 'systemctl is-active lb-listener')).out.trim(), 'active');
  });
}

test.run();
