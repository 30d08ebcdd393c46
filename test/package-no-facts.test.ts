import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lbprov, type JsonRun } from './helpers/cli.js';
import { skipped } from './helpers/skip.js';

/**
 * `package` in a play without facts, on this machine (connection: local): the manager is found on
 * the host by modules/package.sh in the same read as the packages. Only packages this machine has
 * are asked for, so nothing is installed: the apply and check mode both report them installed.
 */
const have = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

if (!have('apt-get') || !have('dpkg-query')) skipped.push('package without facts: needs a Debian host (apt-get)');
else {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-pkg-nofacts-'));
  writeFileSync(join(dir, 'inventory.yml'), 'all:\n  hosts:\n    here: { ansible_connection: local }\n');
  writeFileSync(
    join(dir, 'site.yml'),
    [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: installed already',
      '      package: { name: [bash, coreutils], state: present }',
      '    - name: not a Debian name',
      '      package: { name: Not_Debian, state: present }',
      '      ignore_errors: true',
      '',
    ].join('\n'),
  );

  for (const mode of [[], ['--check']]) {
    test(`gather_facts false${mode.length ? ' in check mode' : ''}: apt found on the host, installed packages ok`, async () => {
      const r = await lbprov(['apply', join(dir, 'site.yml'), '-i', join(dir, 'inventory.yml'), '--json', ...mode]);
      const run = JSON.parse(r.stdout) as JsonRun;
      const [ok, bad] = run.plays[0].tasks.map((t) => t.hosts.here);
      assert.equal(ok, { ...ok, status: 'ok', msg: 'bash, coreutils installed' }, r.stdout + r.stderr);
      // the names are checked against the manager found on the host: Debian's grammar refuses capitals
      assert.is(bad.status, 'failed', r.stdout);
      assert.match(bad.msg ?? '', /not a Debian package name: "Not_Debian"/);
    });
  }
}

test.run();
