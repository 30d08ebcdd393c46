import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { haveAnsible } from '../helpers/ansible.js';
import { ansiblePlaybook, asLbprov, changedTasks, recap, trace } from '../helpers/ansible-run.js';
import { applyJson } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * The role-based sample repository (test/sample-roles: roles with dependencies, defaults
 * overridden by the inventory, handlers with listen, a block with rescue) on three lab hosts over
 * SSH, run by lbprov and by ansible-playbook on the same hosts: the same tasks on the same hosts in
 * the same order with the same variables, the same recap; each tool finds the other's result
 * converged; check mode predicts the first apply; a second apply changes nothing.
 */
const test = suite('roles on the lab');
const repo = join(packageRoot, 'test', 'sample-roles');
const site = join(repo, 'site.yml');
const HOSTS = ['h1', 'h2', 'h3'];
let lab: LabState;
let args: string[];
let ansibleArgs: string[];

/** Fresh hosts: no /srv/sample; h3 has the feature flag the block probes for. */
async function reset(): Promise<void> {
  for (const h of HOSTS)
    await sh(
      lab,
      h,
      `rm -rf /srv/sample${h === 'h3' ? ' && mkdir -p /srv/sample && touch /srv/sample/feature-flag' : ''}`,
    );
}

const read = async (h: string, f: string): Promise<string> =>
  (await sh(lab, h, `cat /srv/sample/${f} 2>/dev/null || echo MISSING`)).out;

if (requireRoot('roles on the lab', labMissing()) && haveAnsible('roles on the lab', 'ansible-playbook')) {
  test.before(async () => {
    lab = await sharedLab(3);
    const inv = ['-i', lab.inventory, '-i', join(repo, 'inventory', 'overrides.yml')];
    args = [site, ...inv, '--limit', HOSTS.join(',')];
    // Ansible checks the lab's host keys against the lab's own known_hosts, as lbprov does
    ansibleArgs = [
      ...inv,
      site,
      '--limit',
      HOSTS.join(','),
      `--ssh-common-args=-o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes`,
    ];
  });

  test('check mode predicts, apply does it, a second apply changes nothing', async () => {
    await reset();
    const check = await applyJson([...args, '--check']);
    assert.is(check.code, 0, JSON.stringify(check.run));
    assert.is(
      (await sh(lab, 'h1', 'test -e /srv/sample && echo yes || echo no')).out.trim(),
      'no',
      'check mode wrote nothing',
    );
    const first = await applyJson(args);
    assert.is(first.code, 0, JSON.stringify(first.run));
    // check mode skips commands (as Ansible's does): the probe cannot fail, so its rescue and the
    // shell handlers are what it cannot predict
    const unpredictable = /^app : (flag off|restart app|log change) @/;
    assert.equal(
      changedTasks(check.run.plays),
      changedTasks(first.run.plays).filter((t) => !unpredictable.test(t)),
    );
    const t = trace(first.run.plays);
    assert.equal(t.h1, [
      'base : root folder: changed',
      'base : base config: changed',
      'motd : motd: changed',
      'app : app file: changed',
      'app : flag present: failed',
      'app : flag off: changed',
      'app : probe done: ok T:probe done role-vars',
      'report: ok T:report h1 port=8000 env=lab motd=hello mode=role-vars',
      'app : restart app: changed',
      'app : log change: changed',
    ]);
    assert.equal(t.h3.slice(4, 7), [
      'app : flag present: ok',
      'app : flag on: ok T:flag on h3',
      'app : probe done: ok T:probe done role-vars',
    ]);
    assert.match(t.h2.join('\n'), /T:report h2 port=9002 env=lab/, "the inventory's host var over the role default");
    assert.equal(recap(first.run).h1, 'ok=9 changed=7 failed=0 skipped=0 rescued=1');
    assert.is(await read('h2', 'base.conf'), 'port=9002\nenv=lab\n');
    assert.is(await read('h1', 'motd'), 'from app\n', 'the dependency got its parameter');
    assert.is(await read('h1', 'flag-state'), 'off (failed: flag present)\n', 'the rescue read ansible_failed_task');
    assert.is(await read('h3', 'flag-state'), 'MISSING\n');
    assert.is(
      (await read('h1', 'restarts')).split('\n').filter(Boolean).length,
      1,
      'two notifications through listen, one handler run',
    );
    const again = await applyJson(args);
    assert.is(again.code, 0);
    assert.equal(changedTasks(again.run.plays), [], 'the second apply changes nothing');
    assert.is((await read('h1', 'restarts')).split('\n').filter(Boolean).length, 1, 'no handler ran');
  });

  test('ansible-playbook on the same hosts: converged already, the same tasks, variables and recap', async () => {
    const ours = await applyJson(args);
    const theirs = ansiblePlaybook(ansibleArgs);
    assert.equal(trace(asLbprov(theirs)), trace(ours.run.plays));
    assert.equal(recap(theirs), recap(ours.run));
    assert.equal(changedTasks(asLbprov(theirs)), [], 'Ansible finds nothing to change after lbprov');
  });

  test('from fresh hosts, ansible-playbook makes the same changes as lbprov; lbprov then finds nothing to do', async () => {
    await reset();
    const theirCheck = ansiblePlaybook([...ansibleArgs, '--check']);
    const ourCheck = await applyJson([...args, '--check']);
    assert.equal(trace(ourCheck.run.plays), trace(asLbprov(theirCheck)), "check mode predicts as Ansible's does");
    const theirs = ansiblePlaybook(ansibleArgs);
    await reset();
    const ours = await applyJson(args);
    assert.equal(trace(ours.run.plays), trace(asLbprov(theirs)));
    assert.equal(recap(ours.run), recap(theirs));
    await reset();
    ansiblePlaybook(ansibleArgs);
    const after = await applyJson(args);
    assert.equal(changedTasks(after.run.plays), [], 'lbprov finds nothing to change after Ansible');
  });
}

test.run();
