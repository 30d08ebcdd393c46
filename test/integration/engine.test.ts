import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onHost as remote } from '../helpers/remote.js';
import { labNet, type LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, lbprov, withStatus, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { requireRoot } from '../helpers/skip.js';

/** The engine against 3 real lab hosts (systemd, sshd, own host keys) over real SSH. */
const test = suite('engine on the lab');
const pb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'lab-engine.yml');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-engine-'));
let lab: LabState;
const inv = (): string[] => ['-i', lab.inventory];

const onHost = async (name: string, argv: string[]): Promise<string> => (await remote(lab, name, argv)).out;

const notCommands = (run: JsonRun, status: string): string[] => {
  const cmds = new Set(
    run.plays.flatMap((p) => p.tasks.filter((t) => t.module === 'command' || t.module === 'shell').map((t) => t.name)),
  );
  return withStatus(run, status).filter((x) => !cmds.has(x.split(' @ ')[0]));
};

if (requireRoot('engine on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(3);
  });

  test('check mode on fresh hosts predicts exactly what the first apply changes', async () => {
    const check = await applyJson([pb, ...inv(), '--check', '--diff']);
    assert.is(check.code, 0, check.stderr + JSON.stringify(check.run.stats));
    const first = await applyJson([pb, ...inv(), '--diff']);
    assert.is(first.code, 0, first.stderr + JSON.stringify(first.run, null, 1));
    assert.equal(notCommands(check.run, 'changed'), notCommands(first.run, 'changed'));
    for (const h of ['h1', 'h2', 'h3']) {
      assert.ok(first.run.stats[h].changed >= 3, `${h} changed things`);
      assert.is(
        check.run.plays[0].tasks.find((t) => t.name === 'config changed')?.hosts[h].status,
        'skipped',
        'a notified shell handler is skipped in check mode',
      );
    }
    const diff = check.run.plays[0].tasks.find((t) => t.name === 'per-host config')!.hosts.h2.diff![0];
    assert.is(diff.path, '/opt/lbtest/app.conf');
    assert.match(diff.after, /upstream = h2\.upstream/);
    assert.is(
      await onHost('h2', ['cat', '/opt/lbtest/app.conf']),
      diff.after,
      'the host holds exactly what the diff said',
    );
  });

  test('a second apply reports changed=0 on every host', async () => {
    const again = await lbprov(['apply', pb, ...inv()]);
    assert.is(again.code, 0, again.stdout);
    for (const h of ['h1', 'h2', 'h3'])
      assert.match(again.stdout, new RegExp(`${h} : ok=\\d+ changed=0 unreachable=0 failed=0 skipped=0`));
  });

  test('handlers fire only where a notifying task changed', async () => {
    await onHost('h2', ['bash', '-c', 'echo drift >> /opt/lbtest/app.conf']);
    const r = await applyJson([pb, ...inv()]);
    assert.is(r.code, 0);
    assert.equal(Object.keys(r.run.plays[0].tasks.find((t) => t.name === 'config changed')!.hosts), ['h2']);
    assert.is(await onHost('h1', ['cat', '/opt/lbtest/handler.log']), 'ran\n');
    assert.is(await onHost('h2', ['cat', '/opt/lbtest/handler.log']), 'ran\nran\n');
    assert.is(await onHost('h3', ['cat', '/opt/lbtest/handler.log']), 'ran\n');
  });

  test('a host whose key changed is refused; fixing known_hosts lets it in', async () => {
    const lines = readFileSync(lab.knownHosts, 'utf8').trim().split('\n');
    const h1Key = lines[0].split(' ').slice(1).join(' ');
    const h2 = lab.hosts[1].address;
    const forged = lines.map((l) => (l.startsWith(`${h2} `) ? `${h2} ${h1Key}` : l));
    const kh = join(tmp, 'known_hosts');
    writeFileSync(kh, forged.join('\n') + '\n');
    const bad = await applyJson([pb, ...inv(), '-e', `lbprov_known_hosts=${kh}`]);
    assert.is(bad.code, 4);
    assert.is(bad.run.stats.h2.unreachable, 1);
    assert.is(bad.run.stats.h1.failed + bad.run.stats.h1.unreachable, 0, 'other hosts finish');
    const msg = bad.run.plays[0].tasks[0].hosts.h2.msg ?? '';
    assert.ok(msg.includes(`HOST KEY MISMATCH for ${h2}`), msg);
    writeFileSync(kh, lines.join('\n') + '\n');
    const good = await applyJson([pb, ...inv(), '-e', `lbprov_known_hosts=${kh}`]);
    assert.is(good.code, 0);
    assert.is(good.run.stats.h2.unreachable, 0);
  });

  test('an unknown host is refused under strict checking, recorded under accept-new', async () => {
    const kh = join(tmp, 'empty_known_hosts');
    writeFileSync(kh, '');
    const strict = await applyJson([pb, ...inv(), '-e', `lbprov_known_hosts=${kh}`, '--limit', 'h1']);
    assert.is(strict.code, 4);
    assert.match(strict.run.plays[0].tasks[0].hosts.h1.msg ?? '', /not in .*strict/);
    const acc = await applyJson([
      pb,
      ...inv(),
      '-e',
      `lbprov_known_hosts=${kh}`,
      '-e',
      'lbprov_host_key_checking=accept-new',
      '--limit',
      'h1',
    ]);
    assert.is(acc.code, 0);
    assert.ok(readFileSync(kh, 'utf8').startsWith(`${lab.hosts[0].address} ssh-ed25519 `));
  });

  test('a host that is down is unreachable while the others finish (exit 4); with a failure too, exit 6', async () => {
    const ghost = join(tmp, 'ghost.yml');
    writeFileSync(
      ghost,
      `lab:\n  hosts:\n    ghost: { ansible_host: ${labNet().unused}, lbprov_connect_timeout: 2 }\n`,
    );
    const r = await applyJson([pb, ...inv(), '-i', ghost]);
    assert.is(r.code, 4, JSON.stringify(r.run.stats));
    assert.is(r.run.stats.ghost.unreachable, 1);
    for (const h of ['h1', 'h2', 'h3']) assert.is(r.run.stats[h].failed + r.run.stats[h].unreachable, 0);
    const failing = join(tmp, 'fail-h3.yml');
    writeFileSync(
      failing,
      '- hosts: lab\n  tasks:\n    - name: not on h3\n      assert: { that: "inventory_hostname != \'h3\'" }\n    - name: after\n      debug: { msg: "{{ inventory_hostname }} went on" }\n',
    );
    const two = await applyJson([failing, ...inv()]);
    assert.is(two.code, 2);
    assert.is(two.run.plays[0].tasks[2].hosts.h1.status, 'ok');
    assert.is(two.run.plays[0].tasks[2].hosts.h3, undefined, 'the failed host stopped');
    const six = await applyJson([failing, ...inv(), '-i', ghost]);
    assert.is(six.code, 6);
  });

  test('serial batches with max_fail_percentage stop the rollout at the first bad batch', async () => {
    const f = join(tmp, 'rolling.yml');
    writeFileSync(
      f,
      '- hosts: lab\n  serial: 1\n  max_fail_percentage: 0\n  gather_facts: false\n  tasks:\n    - name: h1 is broken\n      assert: { that: "inventory_hostname != \'h1\'" }\n    - copy: { dest: /opt/lbtest/rolled, content: "yes\\n" }\n',
    );
    const r = await applyJson([f, ...inv()]);
    assert.is(r.code, 2);
    assert.equal(Object.keys(r.run.stats), ['h1'], 'h2 and h3 were never touched');
  });

  test('lbprov facts gathers every host in one go', async () => {
    const r = await lbprov(['facts', ...inv()]);
    assert.is(r.code, 0, r.stderr);
    const facts = JSON.parse(r.stdout) as Record<
      string,
      { hostname: string; systemd: boolean; nics: Array<{ name: string }>; pkg_manager: string }
    >;
    assert.equal(Object.keys(facts), ['h1', 'h2', 'h3']);
    assert.is(facts.h2.hostname, 'h2');
    assert.is(facts.h2.systemd, true);
    assert.is(facts.h2.pkg_manager, 'apt');
    assert.equal(facts.h2.nics.map((n) => n.name).sort(), ['eth1', 'lo']);
  });
}

test.run();
