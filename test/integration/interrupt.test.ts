import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * Issue #9: SIGINT (and Ctrl-C on a terminal) during a run: the task in flight finishes, no later
 * task starts, no temp file or lock stays on the hosts, the recap is printed, exit 99.
 */
const test = suite('interrupts');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-int-'));
const D = '/opt/lbtest/int';
let lab: LabState;
const HOSTS = ['h1', 'h2', 'h3'];

const pb = join(tmp, 'slow.yml');
writeFileSync(
  pb,
  `- hosts: lab\n  gather_facts: false\n  tasks:\n    - name: in flight\n      shell: { cmd: "mkdir -p ${D}; sleep 3; touch ${D}/t1" }\n    - name: never\n      copy: { dest: ${D}/t2, content: "x\\n" }\n`,
);

/** Temp dirs of lbprov's agents (mktemp -d in /tmp), lbprov_put temp files, and whether the lock is free. */
async function residue(h: string): Promise<string> {
  return (
    await sh(lab, h, `ls -d /tmp/tmp.* ${D}/.lbprov.* 2>/dev/null; flock -n /run/lock/lbprov.lock true || echo LOCKED`)
  ).out.trim();
}

function run(
  argv: string[],
  how: (c: ReturnType<typeof spawn>) => void,
  tty = false,
): Promise<{ code: number | null; out: string }> {
  // on a terminal lbprov draws live rows (listr2) unless NO_COLOR or CI says otherwise
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  if (tty) {
    delete env.NO_COLOR;
    delete env.CI;
  }
  return new Promise((resolve) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    // a host that cannot be asked fails this test (its output says why), never the whole run
    inFlight().then(
      () => how(c),
      (e: unknown) => {
        out += `\n(test) ${String(e)}\n`;
        c.kill('SIGKILL');
      },
    );
    c.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * Resolves once the first task has started on every host (its mkdir is there): a fixed delay sent
 * the signal before lbprov listened for it, or after the task, on a loaded machine.
 */
async function inFlight(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const seen = await Promise.all(
      HOSTS.map(async (h) => (await sh(lab, h, `test -d ${D} && echo yes || true`)).out.trim() === 'yes'),
    );
    if (seen.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the first task never started on every host');
}

async function settled(): Promise<void> {
  // the agents exit when their connection closes: give the hosts a moment
  for (let i = 0; i < 20; i++) {
    if ((await Promise.all(HOSTS.map(residue))).every((r) => r === '')) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

if (requireRoot('interrupts', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });
  test.before.each(async () => {
    for (const h of HOSTS) await sh(lab, h, `rm -rf ${D}`);
  });

  test('SIGINT: the task in flight finishes, nothing after it, recap, exit 99, nothing left on the hosts', async () => {
    const r = await run(
      [process.execPath, join(packageRoot, 'bin', 'lbprov.js'), 'apply', pb, '-i', lab.inventory],
      (c) => c.kill('SIGINT'),
    );
    assert.is(r.code, 99, r.out);
    assert.match(r.out, /PLAY RECAP/);
    await settled();
    for (const h of HOSTS) {
      assert.is((await sh(lab, h, `ls ${D}`)).out, 't1\n', `${h}: the task in flight finished, the next never started`);
      assert.is(await residue(h), '', `${h}: no temp file, no lock`);
    }
  });

  test('Ctrl-C on a terminal (a real pty): the same, exit 99 with the recap (not 127)', async () => {
    // `script -c` runs $SHELL -c: exec, so that no shell sits between the pty and lbprov (a dash
    // there dies of the ^C itself, and its exit status would be read instead of lbprov's); -e gives
    // lbprov's exit status as script's own
    const cmd = `exec ${process.execPath} ${join(packageRoot, 'bin', 'lbprov.js')} apply ${pb} -i ${lab.inventory}`;
    const r = await run(['script', '-qfec', cmd, '/dev/null'], (c) => c.stdin!.write('\x03'), true);
    assert.match(r.out, /PLAY RECAP/, r.out);
    assert.is(r.code, 99, r.out);
    await settled();
    for (const h of HOSTS) assert.is(await residue(h), '', `${h}: no temp file, no lock`);
  });
}

test.run();
