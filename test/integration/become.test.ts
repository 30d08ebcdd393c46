import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, withStatus } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** become through sudo over real SSH: a non-root login user, tasks as root and as itself. */
const test = suite('become on the lab');
const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'playbooks', f);
let lab: LabState;

if (
  requireRoot('become on the lab', [
    ...labMissing(),
    ...(['/usr/bin/sudo'].some((p) => !require_exists(p)) ? ['sudo (Debian package sudo)'] : []),
  ])
) {
  test.before(async () => {
    try {
      await setup();
    } catch (e) {
      // uvu does not show what a before hook throws: say it here
      process.stdout.write(`\n  become setup failed: ${(e as Error).stack}\n`);
      throw e;
    }
  });

  const setup = async (): Promise<void> => {
    lab = await sharedLab(3);
    const r = await applyJson([
      fx('become-setup.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=h3',
      '-e',
      `pubkey=${lab.key}.pub`,
    ]);
    assert.is(r.code, 0, JSON.stringify(r.run));
  };

  test('a play with become: true runs as root through sudo; become: false tasks run as the login user', async () => {
    const args = [fx('become.yml'), '-i', lab.inventory, '-e', 'target=h3', '-e', 'ansible_user=deploy'];
    const r = await applyJson(args);
    assert.is(r.code, 0, JSON.stringify(r.run, null, 1));
    assert.is((await sh(lab, 'h3', 'stat -c %U:%a /root/lbprov-become.txt')).out.trim(), 'root:600');
    assert.is((await sh(lab, 'h3', 'stat -c %U /home/deploy/mine.txt')).out.trim(), 'deploy');
    const again = await applyJson(args);
    assert.equal(withStatus(again.run, 'changed'), [], 'idempotent through sudo too');
  });

  test('without sudo rights, become fails that host clearly', async () => {
    await sh(lab, 'h3', 'rm -f /etc/sudoers.d/deploy');
    const r = await applyJson([fx('become.yml'), '-i', lab.inventory, '-e', 'target=h3', '-e', 'ansible_user=deploy']);
    assert.is(r.code, 2, 'a become that sudo refuses fails the task; the host was reached');
    const facts = r.run.plays[0].tasks[0].hosts.h3;
    assert.is(facts.status, 'failed');
    assert.match(facts.msg ?? '', /sudo to root failed: sudo: a password is required/);
  });
}

function require_exists(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

test.run();
