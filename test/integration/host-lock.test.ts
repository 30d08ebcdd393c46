import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** Issue #9: one run per host at a time (flock under /run/lock held by the run's remote shell). */
const test = suite('host lock: one run per host');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-lock-'));
const D = '/opt/lbtest/lock';
let lab: LabState;

function playbook(name: string, seconds: number): string {
  const f = join(tmp, `${name}.yml`);
  writeFileSync(
    f,
    `- hosts: h3\n  gather_facts: false\n  tasks:\n    - name: start\n      shell: { cmd: "mkdir -p ${D}; date +%s.%N > ${D}/${name}.start" }\n    - name: work\n      shell: { cmd: "sleep ${seconds}; date +%s.%N > ${D}/${name}.end" }\n`,
  );
  return f;
}
const num = async (file: string): Promise<number> => Number((await sh(lab, 'h3', `cat ${D}/${file}`)).out.trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (requireRoot('host lock: one run per host', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    await sh(lab, 'h3', `rm -rf ${D}`);
  });

  test('two runs on one host serialize: the second starts its first task after the first run ended', async () => {
    const a = applyJson([playbook('a', 2), '-i', lab.inventory]);
    await sleep(700);
    const b = await applyJson([playbook('b', 0), '-i', lab.inventory]);
    assert.is((await a).code, 0);
    assert.is(b.code, 0, b.stderr);
    assert.ok((await num('b.start')) >= (await num('a.end')), 'b waited for a');
  });

  test('past lbprov_lock_timeout the second run fails that host, naming the holder', async () => {
    const a = applyJson([playbook('c', 4), '-i', lab.inventory]);
    await sleep(1000);
    const b = await applyJson([playbook('d', 0), '-i', lab.inventory, '-e', 'lbprov_lock_timeout=1']);
    assert.is(b.code, 2);
    const msg = JSON.stringify(b.run.plays[0].tasks[0].hosts.h3);
    assert.match(msg, /locked by run [0-9a-f]{8} from [A-Za-z0-9._-]+ since \d{4}-\d\d-\d\dT[0-9:]+Z/);
    assert.is((await a).code, 0);
  });

  // The killed run's agent lives until the command it is running ends (sshd does not signal a
  // session without a terminal), then reads EOF and exits: the kernel drops its flock then.
  test('a killed run leaves no lock: the kernel drops it once its last command ended', async () => {
    const child = spawn(
      process.execPath,
      [join(packageRoot, 'bin', 'lbprov.js'), 'apply', playbook('e', 4), '-i', lab.inventory],
      { stdio: 'ignore' },
    );
    await sleep(2000);
    child.kill('SIGKILL');
    const t0 = Date.now();
    const b = await applyJson([playbook('f', 0), '-i', lab.inventory, '-e', 'lbprov_lock_timeout=20']);
    assert.is(b.code, 0, b.stderr + JSON.stringify(b.run));
    assert.ok(Date.now() - t0 < 15_000, 'the lock was released with the dead run, not after a timeout');
    assert.is(
      (await sh(lab, 'h3', 'flock -n /run/lock/lbprov.lock true && echo free')).out.trim(),
      'free',
      'no lock held after the runs',
    );
  });
}

test.run();
