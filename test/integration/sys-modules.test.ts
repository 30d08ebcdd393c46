import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, lbprov, withStatus, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * The user and group modules creating, changing and removing real accounts (useradd & co. in the
 * hosts' own /etc), and service_facts / package_facts read from real systemd and dpkg, their
 * facts seen by later tasks under ansible_facts and the bare names.
 */
const test = suite('user, group, service_facts, package_facts on the lab');
const pb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'sys-modules-lab.yml');
const HOSTS = ['h1', 'h2'];
const HASH = '$6$lbprovlab$7/U9gONuGvBEBGzFwqLXu7nbVHb5IW354oeuTEmQKmE0/MMx21M5Obd3uSp9LajJJyoAzLXSKzFfdKnOc0Blq.';
let lab: LabState;

const hostResult = (run: JsonRun, task: string, host: string) => {
  const t = run.plays[0].tasks.find((x) => x.name === task);
  assert.ok(t, `task ${task} ran`);
  return t.hosts[host];
};
/** What `debug: var:` showed: the value after `NAME = `. */
const shown = (run: JsonRun, task: string, host: string): unknown => {
  const msg = hostResult(run, task, host).msg ?? '';
  return JSON.parse(msg.slice(msg.indexOf(' = ') + 3));
};

if (requireRoot('user, group, service_facts, package_facts on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
    for (const h of HOSTS)
      await sh(
        lab,
        h,
        'userdel -r lbsysusr 2>/dev/null; userdel lbsyssvc 2>/dev/null; groupdel lbsysgrp 2>/dev/null; ' +
          'id lbsysold >/dev/null 2>&1 || useradd -m lbsysold',
      );
  });

  test('check mode predicts and changes nothing; apply creates; a second apply changes nothing', async () => {
    const args = [pb, '-i', lab.inventory, '--limit', HOSTS.join(',')];
    const check = await applyJson([...args, '--check', '--diff']);
    assert.is(check.code, 0, check.stderr + JSON.stringify(check.run, null, 1));
    for (const h of HOSTS) {
      assert.is(hostResult(check.run, 'the group', h).status, 'changed');
      assert.is(hostResult(check.run, 'the user', h).status, 'changed');
      assert.is(hostResult(check.run, 'the user', h).msg, 'useradd lbsysusr');
      assert.is(hostResult(check.run, 'a user to remove', h).status, 'changed');
      assert.is((await sh(lab, h, 'getent passwd lbsysusr', true)).rc, 2, 'check mode created no user');
      assert.is((await sh(lab, h, 'getent passwd lbsysold', true)).rc, 0, 'check mode removed no user');
    }

    // -vvv shows every task's arguments and scripts: never the hash (the argument is declared noLog)
    const apply = await lbprov(['apply', '--json', '--diff', '-vvv', ...args]);
    assert.is(apply.code, 0, apply.stderr + apply.stdout);
    assert.ok(apply.stderr.includes('"password":"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"'), 'the -v arguments');
    assert.not.ok((apply.stdout + apply.stderr).includes(HASH.slice(12, 40)), 'the hash is in no output');
    const run = JSON.parse(apply.stdout) as JsonRun;
    assert.equal(
      withStatus(run, 'changed'),
      ['a system user', 'a user to remove', 'the group', 'the user']
        .flatMap((t) => HOSTS.map((h) => `${t} @ ${h}`))
        .sort(),
    );
    for (const h of HOSTS) {
      const d = hostResult(run, 'the user', h).diff![0];
      assert.is(d.path, 'user lbsysusr');
      assert.ok(d.after.includes('password: (hidden, changed)') && !d.after.includes('$6$'), d.after);
      const state = await sh(
        lab,
        h,
        "getent passwd lbsysusr; id -Gn lbsysusr; getent shadow lbsysusr | cut -d: -f2; stat -c '%U %G' /home/lbsysusr; getent group lbsysgrp",
      );
      assert.is(
        state.out,
        `lbsysusr:x:4301:4300:lab user:/home/lbsysusr:/bin/bash\nlbsysgrp adm\n${HASH}\nlbsysusr lbsysgrp\nlbsysgrp:x:4300:\n`,
      );
      const svc = (
        await sh(
          lab,
          h,
          'getent passwd lbsyssvc | cut -d: -f3,6,7; test -e /nonexistent-x; getent passwd lbsysold',
          true,
        )
      ).out;
      assert.match(
        svc,
        /^[1-9]\d{0,2}:\/home\/lbsyssvc:\/usr\/sbin\/nologin\n$/,
        'a system uid below 1000, no lbsysold',
      );
      assert.is((await sh(lab, h, 'test -e /home/lbsysold', true)).rc, 1, 'remove took the home');
    }

    const again = await applyJson(args);
    assert.is(again.code, 0, again.stderr);
    for (const h of HOSTS) assert.is(again.run.stats[h].changed, 0, `second apply on ${h}`);
  });

  test('a changed field is one usermod, shown as a diff; the password stays', async () => {
    const args = [pb, '-i', lab.inventory, '--limit', 'h1', '-e', 'usr_shell=/bin/sh'];
    const check = await applyJson([...args, '--check', '--diff']);
    const c = hostResult(check.run, 'the user', 'h1');
    assert.is(c.status, 'changed');
    assert.is(c.msg, 'usermod lbsysusr: shell');
    assert.ok(c.diff![0].before.includes('shell: /bin/bash\n') && c.diff![0].after.includes('shell: /bin/sh\n'));
    const r = await applyJson(args);
    assert.equal(withStatus(r.run, 'changed'), ['the user @ h1']);
    assert.is((await sh(lab, 'h1', 'getent passwd lbsysusr | cut -d: -f7')).out, '/bin/sh\n');
    assert.is((await sh(lab, 'h1', 'getent shadow lbsysusr | cut -d: -f2')).out, `${HASH}\n`);
    const back = await applyJson([pb, '-i', lab.inventory, '--limit', 'h1']);
    assert.equal(withStatus(back.run, 'changed'), ['the user @ h1']);
  });

  test('service_facts and package_facts read the real host; later tasks see them by both names', async () => {
    const r = await applyJson([pb, '-i', lab.inventory, '--limit', 'h1']);
    assert.is(r.code, 0, r.stderr);
    const ssh = shown(r.run, 'ssh as a fact', 'h1') as Record<string, string>;
    const live = (await sh(lab, 'h1', 'systemctl is-active ssh.service; systemctl is-enabled ssh.service', true)).out;
    assert.equal(live, 'active\nenabled\n');
    assert.equal(ssh, { name: 'ssh.service', state: 'running', status: 'enabled', source: 'systemd' });
    assert.is(shown(r.run, 'ssh by the bare name', 'h1'), 'running');
    const pkgs = shown(r.run, 'openssh-server as a fact', 'h1') as Array<Record<string, string>>;
    const dpkg = (await sh(lab, 'h1', "dpkg-query -W -f '${Version} ${Architecture} ${Section}' openssh-server")).out;
    assert.equal(pkgs, [
      {
        name: 'openssh-server',
        version: dpkg.split(' ')[0],
        arch: dpkg.split(' ')[1],
        category: dpkg.split(' ')[2],
        source: 'apt',
      },
    ]);
    const bash = (await sh(lab, 'h1', "dpkg-query -W -f '${Version}' bash")).out;
    assert.is(shown(r.run, 'bash by the bare name', 'h1'), bash);
  });

  test.after(async () => {
    for (const h of HOSTS) await sh(lab, h, 'userdel -r lbsysusr; userdel lbsyssvc; groupdel lbsysgrp; true', true);
  });
}

test.run();
