import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import type { HostDiagnosis } from '../../src/diagnose/judge.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, lbprov } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** `lbprov diagnose` on real lab hosts after edge.yml, and after faults made by hand on them. */
const test = suite('diagnose on the lab');
const pb = join(packageRoot, 'playbooks', 'edge.yml');
let lab: LabState;

interface Doc {
  hosts: Record<string, (HostDiagnosis & { reasons: string[] }) | { verdict: 'unreachable'; reasons: string[] }>;
  summary: Record<string, number>;
}

async function diagnose(...args: string[]): Promise<{ code: number; doc: Doc; stderr: string }> {
  const r = await lbprov(['diagnose', '-i', lab.inventory, '--json', ...args]);
  try {
    return { code: r.code, doc: JSON.parse(r.stdout) as Doc, stderr: r.stderr };
  } catch {
    throw new Error(`diagnose --json gave no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
const host = (d: Doc, h: string): HostDiagnosis => d.hosts[h] as HostDiagnosis;
const pinnedId = async (h: string): Promise<number> =>
  (JSON.parse((await sh(lab, h, 'bpftool -j prog show pinned /sys/fs/bpf/lb_hash')).out) as { id: number }).id;

if (requireRoot('diagnose on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    const r = await applyJson([pb, '-i', lab.inventory]);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run.stats));
  });

  test('after edge.yml: every host ok, the pinned program is the attached one; --json is one document; the table says the same', async () => {
    const { code, doc, stderr } = await diagnose();
    assert.is(code, 0, stderr + JSON.stringify(doc, null, 1));
    assert.equal(
      Object.keys(doc.hosts),
      lab.hosts.map((h) => h.name),
    );
    for (const h of lab.hosts) {
      const d = host(doc, h.name);
      assert.is(d.verdict, 'ok', `${h.name}: ${d.reasons.join('; ')}`);
      assert.is(d.match, true);
      assert.is(d.pinned?.id, await pinnedId(h.name));
      assert.is(d.attached?.id, d.pinned?.id);
      assert.is(d.pinned?.type, 'sk_reuseport');
      assert.is(d.listeners.length, 4);
      assert.is(d.workers.accepts.length, 4);
      assert.ok(d.sysctls.length >= 4 && d.sysctls.every((s) => s.ok), JSON.stringify(d.sysctls));
      assert.type(d.counters.TcpExtListenOverflows, 'number');
      assert.ok(d.kernel.ok);
    }
    assert.equal(doc.summary, { ok: lab.hosts.length, warn: 0, fail: 0, unreachable: 0 });
    const t = await lbprov(['diagnose', '-i', lab.inventory, '-l', 'h1']);
    assert.is(t.code, 0, t.stderr);
    assert.match(t.stdout, /^HOST\s+VERDICT\s+PINNED\s+ATTACHED\s+MATCH/);
    assert.match(t.stdout, /^h1\s+OK\s+(\d+) \w{8}\s+\1 \w{8}\s+yes\s/m);
  });

  test('re-pinned by hand without telling the listener: warn with both ids (exit 0), the collector exports both; the advised reload makes it ok', async () => {
    const before = await pinnedId('h2');
    await sh(
      lab,
      'h2',
      'set -e; bpftool prog load /opt/lbprov/bpf/lb_hash.o /sys/fs/bpf/lb_hash_byhand type sk_reuseport; mv /sys/fs/bpf/lb_hash /sys/fs/bpf/lb_hash_old_byhand; mv /sys/fs/bpf/lb_hash_byhand /sys/fs/bpf/lb_hash; rm /sys/fs/bpf/lb_hash_old_byhand',
    );
    const now = await pinnedId('h2');
    assert.is.not(now, before);
    const { code, doc } = await diagnose('-l', 'h2');
    assert.is(code, 0, 'a warning is not a failure');
    const d = host(doc, 'h2');
    assert.is(d.verdict, 'warn');
    assert.is(d.match, false);
    assert.is(d.pinned?.id, now);
    assert.is(d.attached?.id, before);
    assert.match(
      d.reasons.join('\n'),
      new RegExp(
        `attached program \\(id ${before}, tag \\w+\\) is not the one pinned at /sys/fs/bpf/lb_hash \\(id ${now}, tag \\w+\\).*systemctl reload lb-listener`,
      ),
    );
    // the collector: the pinned program and the attached one, side by side
    const prom = (
      await sh(
        lab,
        'h2',
        '/usr/local/bin/lbprov-textfile-reuseport && cat /var/lib/prometheus/node-exporter/lbprov_reuseport.prom',
      )
    ).out;
    assert.match(
      prom,
      new RegExp(
        `^lbprov_bpf_program_info\\{pin="/sys/fs/bpf/lb_hash",id="${now}",tag="\\w+",type="sk_reuseport"\\} 1$`,
        'm',
      ),
    );
    assert.match(
      prom,
      new RegExp(
        `^lbprov_bpf_program_attached_info\\{pin="/sys/fs/bpf/lb_hash",id="${before}",tag="\\w+",type="sk_reuseport"\\} 1$`,
        'm',
      ),
    );
    assert.match(prom, /^lbprov_bpf_program_attached_matches_pinned\{pin="\/sys\/fs\/bpf\/lb_hash"\} 0$/m);
    await sh(lab, 'h2', 'systemctl reload lb-listener');
    const after = await diagnose('-l', 'h2');
    assert.is(host(after.doc, 'h2').verdict, 'ok', host(after.doc, 'h2').reasons.join('; '));
    assert.is(host(after.doc, 'h2').attached?.id, now);
    const prom2 = (
      await sh(
        lab,
        'h2',
        '/usr/local/bin/lbprov-textfile-reuseport && cat /var/lib/prometheus/node-exporter/lbprov_reuseport.prom',
      )
    ).out;
    assert.match(prom2, /^lbprov_bpf_program_attached_matches_pinned\{pin="\/sys\/fs\/bpf\/lb_hash"\} 1$/m);
  });

  test('a missing pin fails the host with the reason (exit 2); the other hosts stay ok; edge.yml repairs it', async () => {
    await sh(lab, 'h3', 'rm /sys/fs/bpf/lb_hash');
    const { code, doc } = await diagnose();
    assert.is(code, 2);
    const d = host(doc, 'h3');
    assert.is(d.verdict, 'fail');
    assert.is(d.pinned, null);
    assert.ok(
      d.reasons.includes(
        'nothing pinned at /sys/fs/bpf/lb_hash: bpf obj get (/sys/fs/bpf/lb_hash): No such file or directory',
      ),
      d.reasons.join('\n'),
    );
    assert.is(host(doc, 'h1').verdict, 'ok');
    assert.equal(doc.summary, { ok: 2, warn: 0, fail: 1, unreachable: 0 });
    const t = await lbprov(['diagnose', '-i', lab.inventory, '-l', 'h3']);
    assert.is(t.code, 2);
    assert.match(t.stdout, /^h3: fail: nothing pinned at \/sys\/fs\/bpf\/lb_hash/m);
    const r = await applyJson([pb, '-i', lab.inventory, '-l', 'h3']);
    assert.is(r.code, 0, r.stderr);
    assert.is(host((await diagnose('-l', 'h3')).doc, 'h3').verdict, 'ok');
  });

  test("troubleshooting, as the README says: the debug build prints to tracelog; the listener reports its program, a socket's fdinfo does not", async () => {
    const dbg = await applyJson([pb, '-i', lab.inventory, '-l', 'h1', '-e', '{"lb_hash_cflags": ["-DLB_DEBUG"]}']);
    assert.is(dbg.code, 0, dbg.stderr);
    const trace = (
      await sh(
        lab,
        'h1',
        '(timeout 3 bpftool prog tracelog > /tmp/tracelog.txt 2>&1 &); sleep 0.5; for i in 1 2 3 4 5 6; do curl -s -o /dev/null http://127.0.0.1:8080/; done; sleep 3; grep -c "lb_hash: hash [0-9a-f]* -> worker [0-3] of 4" /tmp/tracelog.txt; rm -f /tmp/tracelog.txt',
        true,
      )
    ).out;
    assert.ok(Number(trace.trim()) >= 6, `tracelog lines: ${trace}`);
    const d = host((await diagnose('-l', 'h1')).doc, 'h1');
    assert.is(d.match, true, 'the debug build is pinned and attached');
    const fdinfo = (
      await sh(
        lab,
        'h1',
        'p=$(sed -n "s/^pid=//p" /run/lb-listener/status); for f in /proc/$p/fd/*; do case $(readlink $f) in socket:*) cat /proc/$p/fdinfo/${f##*/};; esac; done',
      )
    ).out;
    assert.ok(fdinfo.includes('ino:'), fdinfo);
    assert.not.match(fdinfo, /prog_id|prog_tag/);
    const back = await applyJson([pb, '-i', lab.inventory, '-l', 'h1']);
    assert.is(back.code, 0, back.stderr);
    const d2 = host((await diagnose('-l', 'h1')).doc, 'h1');
    assert.is(d2.verdict, 'ok');
    assert.is.not(d2.pinned?.tag, d.pinned?.tag, 'the normal build again');
  });

  test('an unreachable host: exit 4, as apply; bad values: exit 5 before any host is contacted', async () => {
    const { code, doc } = await diagnose('-l', 'h1', '-e', 'ansible_port=1');
    assert.is(code, 4);
    assert.is(doc.hosts.h1.verdict, 'unreachable');
    assert.equal(doc.summary.unreachable, 1);
    const bad = await lbprov(['diagnose', '-i', lab.inventory, '-e', '{"edge_sysctls": {"net.core.x; reboot": 1}}']);
    assert.is(bad.code, 5);
    assert.match(bad.stderr, /host h1: edge_sysctls: "net\.core\.x; reboot" is not a sysctl key/);
  });
}

test.run();
