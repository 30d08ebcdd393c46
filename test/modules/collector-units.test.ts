import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { collectorFiles } from '../../modules/textfile_collector.js';
import { requireTools } from '../helpers/skip.js';

/**
 * The collector's units are lbprov's own fixed text (no validate step on the host): systemd itself
 * checks them here. Without systemd-analyze the suite is skipped visibly, and fails under CI=true
 * (scripts/system-deps.sh installs systemd).
 */
test('textfile_collector: its service and timer pass systemd-analyze verify', () => {
  if (!requireTools('textfile_collector units', ['systemd-analyze'])) return;
  const { files } = collectorFiles({
    name: 'reuseport',
    directory: '/var/lib/prometheus/node-exporter',
    port: 8080,
    interval: '15s',
    pin: '/sys/fs/bpf/lb_hash',
    counters: '/run/lb-listener/accepts',
  });
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-units-'));
  // the unit's ExecStart must exist and be executable for verify: the script itself, written here
  const exe = join(dir, 'collector');
  writeFileSync(exe, files[0].content);
  chmodSync(exe, 0o755);
  const units = files.filter((f) => f.unit);
  assert.equal(
    units.map((u) => basename(u.path)),
    ['lbprov-textfile-reuseport.service', 'lbprov-textfile-reuseport.timer'],
  );
  for (const u of units)
    writeFileSync(join(dir, basename(u.path)), u.content.replace(/^ExecStart=.*$/m, `ExecStart=${exe}`));
  for (const u of units) {
    const r = spawnSync('systemd-analyze', ['verify', join(dir, basename(u.path))], { encoding: 'utf8' });
    assert.is(r.status, 0, `${u.path}: systemd-analyze verify: ${r.stderr}`);
  }
});

test.run();
