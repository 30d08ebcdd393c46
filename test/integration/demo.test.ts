import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { labDown, readState, type LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { labMissing, teardownLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { httpGet } from '../helpers/http.js';
import { requireRoot } from '../helpers/skip.js';

/** `npm run demo`, the README's main command, as a newcomer runs it; then what it left running. */
const test = suite('npm run demo');
let lab: LabState;

if (requireRoot('npm run demo', labMissing())) {
  // the demo boots its own lab (replacing any): the suites after it boot the shared one again
  test.before(async () => {
    await teardownLab();
  });
  test.after(async () => {
    await labDown({ quiet: true });
  });

  // skipped: the 'reload listener' handler, when a restart already attached the new program
  test('the demo boots 3 lab hosts and rolls edge.yml out to all of them', () => {
    const r = spawnSync('npm', ['run', 'demo', '--silent'], {
      cwd: packageRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.is(r.status, 0, r.stdout + r.stderr);
    for (const h of ['h1', 'h2', 'h3'])
      assert.match(
        r.stdout,
        new RegExp(`^${h} : ok=\\d+ changed=\\d+ unreachable=0 failed=0 skipped=\\d+ rescued=0 ignored=0$`, 'm'),
      );
    assert.match(r.stdout, /The lab is still up/);
    lab = readState()!;
    assert.is(lab.hosts.length, 3);
  });

  test('the listener answers HTTP on every lab host; node_exporter shows its per-worker accepts and the imbalance', async () => {
    for (const h of lab.hosts) {
      const seen = new Set<string>();
      for (let i = 0; i < 60; i++) seen.add((await httpGet(h.address, 8080)).trim());
      assert.ok(
        [...seen].every((x) => /^worker [0-3]$/.test(x)),
        [...seen].join(','),
      );
      assert.ok(seen.size >= 3, `${h.name}: lb_hash spread 60 connections over ${seen.size} workers`);
      await sh(
        lab,
        h.name,
        `sleep 1.2; /usr/local/bin/lbprov-textfile-reuseport; systemd-run --unit=demo-node-exporter /usr/bin/prometheus-node-exporter --collector.textfile.directory=/var/lib/prometheus/node-exporter --web.listen-address=${h.address}:9100`,
      );
      let metrics = '';
      for (let i = 0; i < 50 && !metrics.includes('lbprov_'); i++) {
        metrics = await httpGet(h.address, 9100, '/metrics').catch(() => '');
        if (!metrics.includes('lbprov_')) await new Promise((r) => setTimeout(r, 100));
      }
      const accepts = [...metrics.matchAll(/^lbprov_reuseport_accepts_total\{port="8080",worker="(\d)"\} (\d+)$/gm)];
      assert.is(accepts.length, 4, `${h.name}: one counter per worker`);
      assert.ok(accepts.reduce((a, m) => a + Number(m[2]), 0) >= 60, `${h.name}: the 60 requests are counted`);
      assert.match(metrics, /^lbprov_reuseport_imbalance_ratio\{port="8080",source="workers"\} [0-9.]+$/m);
      assert.match(metrics, /^node_textfile_scrape_error 0$/m);
    }
  });
}

test.run();
