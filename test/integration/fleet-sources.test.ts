import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { loadInventorySources } from '../../src/inventory/sources.js';
import { packageRoot } from '../../src/util/paths.js';
import { ansibleInventory } from '../helpers/ansible.js';
import { applyJson, lbprov, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * Real fleets' inventories and settings on the lab: the lab described as INI, as a directory and as
 * an executable reaches the same hosts with the same vars as its YAML inventory; ansible.cfg and
 * LBPROV_* settings take effect with the documented precedence; -v..-vvvv show what they promise.
 */
const test = suite('inventories, config and flags on the lab');
const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'playbooks', f);
let lab: LabState;
let dir: string;

/** The probe's debug line per host: who logged in, the host's name, merged vars, groups. */
const probe = (run: JsonRun): Record<string, string> =>
  Object.fromEntries(
    Object.entries(run.plays[0].tasks.find((t) => t.name === 'what')!.hosts).map(([h, r]) => [h, r.msg ?? r.status]),
  );

function writeSources(): { yaml: string; ini: string; dir: string; script: string; bare: string } {
  const conn = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: lab.key,
    lbprov_known_hosts: lab.knownHosts,
    lbprov_host_key_checking: 'strict',
  };
  const hosts = lab.hosts.slice(0, 3);
  // YAML: the lab's own shape plus a group var and a host var to follow
  const yaml = join(dir, 'lab.yml');
  writeFileSync(
    yaml,
    `all:\n  vars: ${JSON.stringify({ ...conn, probe: 'from-all', lb_port: 80 })}\n  children:\n    edge:\n      vars: { lb_port: 443 }\n      hosts:\n${hosts.map((h, i) => `        ${h.name}: ${JSON.stringify({ ansible_host: h.address, ...(i === 1 ? { probe: 'host-var' } : {}) })}\n`).join('')}`,
  );
  const ini = join(dir, 'lab.ini');
  writeFileSync(
    ini,
    [
      '[edge]',
      ...hosts.map((h, i) => `${h.name} ansible_host=${h.address}${i === 1 ? ' probe=host-var' : ''}`),
      '[edge:vars]',
      'lb_port=443',
      '[all:vars]',
      ...Object.entries({ ...conn, probe: 'from-all', lb_port: 80 }).map(([k, v]) => `${k}=${v}`),
    ].join('\n'),
  );
  const d = join(dir, 'inv.d');
  mkdirSync(join(d, 'group_vars'), { recursive: true });
  mkdirSync(join(d, 'host_vars'), { recursive: true });
  writeFileSync(join(d, 'hosts'), ['[edge]', ...hosts.map((h) => `${h.name} ansible_host=${h.address}`)].join('\n'));
  writeFileSync(join(d, 'group_vars', 'all.yml'), JSON.stringify({ ...conn, probe: 'from-all', lb_port: 80 }));
  writeFileSync(join(d, 'group_vars', 'edge.yml'), 'lb_port: 443\n');
  writeFileSync(join(d, 'host_vars', `${hosts[1].name}.yml`), 'probe: host-var\n');
  writeFileSync(join(d, 'hosts.retry'), 'not-a-host\n');
  const script = join(dir, 'lab-inventory');
  const data = {
    all: { vars: { ...conn, probe: 'from-all', lb_port: 80 } },
    edge: { hosts: hosts.map((h) => h.name), vars: { lb_port: 443 } },
    _meta: {
      hostvars: Object.fromEntries(
        hosts.map((h, i) => [h.name, { ansible_host: h.address, ...(i === 1 ? { probe: 'host-var' } : {}) }]),
      ),
    },
  };
  writeFileSync(script, `#!/bin/sh\n[ "$1" = --list ] || exit 1\ncat <<'EOF'\n${JSON.stringify(data)}\nEOF\n`);
  chmodSync(script, 0o755);
  // no login user and no key: those come from the config file, the environment or the flags
  const bare = join(dir, 'bare.ini');
  writeFileSync(
    bare,
    [
      '[edge]',
      ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
      '[all:vars]',
      `lbprov_known_hosts=${lab.knownHosts}`,
      'probe=bare',
      'lb_port=1',
    ].join('\n'),
  );
  return { yaml, ini, dir: d, script, bare };
}

if (requireRoot('inventories, config and flags on the lab', labMissing())) {
  let src: ReturnType<typeof writeSources>;
  test.before(async () => {
    lab = await sharedLab(3);
    dir = mkdtempSync(join(tmpdir(), 'lbprov-fleet-'));
    src = writeSources();
    const r = await applyJson([
      fx('fleet-user-setup.yml'),
      '-i',
      lab.inventory,
      '-e',
      'target=all',
      '-e',
      `pubkey=${lab.key}.pub`,
    ]);
    assert.is(r.code, 0, JSON.stringify(r.run));
  });
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('INI, directory and executable inventories reach the same hosts with the same vars as the YAML one', async () => {
    const want = await applyJson([fx('fleet-probe.yml'), '-i', src.yaml]);
    assert.is(want.code, 0, JSON.stringify(want.run));
    const h2 = lab.hosts[1].name;
    assert.match(
      probe(want.run)[h2],
      new RegExp(`^${h2} user=root hostname=${h2} probe=host-var port=443 groups=\\["edge"\\]$`),
    );
    const wantFacts = JSON.parse((await lbprov(['facts', '-i', src.yaml])).stdout) as Record<
      string,
      { hostname: string }
    >;
    for (const s of [src.ini, src.dir, src.script]) {
      const got = await applyJson([fx('fleet-probe.yml'), '-i', s]);
      assert.is(got.code, 0, `${s}: ${JSON.stringify(got.run)}`);
      assert.equal(probe(got.run), probe(want.run), s);
      assert.equal(got.run.stats, want.run.stats, s);
      const facts = await lbprov(['facts', '-i', s]);
      assert.is(facts.code, 0, facts.stderr);
      const f = JSON.parse(facts.stdout) as Record<string, { hostname: string }>;
      assert.equal(Object.keys(f), Object.keys(wantFacts));
      for (const h of Object.keys(f)) assert.is(f[h].hostname, wantFacts[h].hostname);
      // and every merged var as Ansible merges it
      const ref = ansibleInventory(s);
      const ours = loadInventorySources([s]);
      for (const [h, host] of ours.hosts) assert.equal(host.vars, ref.hostvars[h], `${s}: ${h}`);
    }
  });

  test("ansible.cfg and LBPROV_*: config < env < command line, all below the inventory's ansible_user", async () => {
    const cwd = join(dir, 'proj');
    mkdirSync(cwd, { recursive: true });
    chmodSync(cwd, 0o755);
    writeFileSync(
      join(cwd, 'ansible.cfg'),
      `[defaults]\ninventory = ../bare.ini\nremote_user = root\nprivate_key_file = ${lab.key}\nfact_caching = jsonfile\n`,
    );
    const h1 = lab.hosts[0].name;
    const run = async (args: string[], env: Record<string, string> = {}): Promise<Record<string, string>> => {
      const r = await lbprov(['apply', '--json', fx('fleet-probe.yml'), '-l', h1, ...args], {
        cwd,
        env: { HOME: dir, ...env },
      });
      assert.is(r.code, 0, r.stdout + r.stderr);
      return probe(JSON.parse(r.stdout) as JsonRun);
    };
    // the file alone: its inventory (relative to it), user and key
    assert.match((await run([]))[h1], / user=root .*probe=bare/);
    const warned = await lbprov(['apply', fx('fleet-probe.yml'), '-l', h1, '--list-hosts'], {
      cwd,
      env: { HOME: dir },
    });
    assert.match(warned.stderr, /ansible\.cfg:5: \[defaults\] fact_caching is not a setting lbprov knows: ignored/);
    // the environment beats the file, LBPROV_* beats ANSIBLE_*
    assert.match(
      (await run([], { ANSIBLE_REMOTE_USER: 'nobody', LBPROV_REMOTE_USER: 'cfguser' }))[h1],
      / user=cfguser /,
    );
    assert.match((await run([], { ANSIBLE_REMOTE_USER: 'cfguser' }))[h1], / user=cfguser /);
    // the command line beats the environment
    assert.match((await run(['-u', 'root'], { LBPROV_REMOTE_USER: 'cfguser' }))[h1], / user=root /);
    // no config at all: -u and --private-key alone reach the host
    const plain = await lbprov(
      [
        'apply',
        '--json',
        fx('fleet-probe.yml'),
        '-i',
        join(dir, 'bare.ini'),
        '-l',
        h1,
        '-u',
        'cfguser',
        '--private-key',
        lab.key,
      ],
      { cwd: dir, env: { HOME: dir } },
    );
    assert.is(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(probe(JSON.parse(plain.stdout) as JsonRun)[h1], / user=cfguser /);
    // an inventory's ansible_user beats -u, as in Ansible
    const extra = join(dir, 'user.ini');
    writeFileSync(extra, `${h1} ansible_user=cfguser\n`);
    assert.match((await run(['-i', join(dir, 'bare.ini'), '-i', extra, '-u', 'root']))[h1], / user=cfguser /);
    // become from the environment, and from -b with --become-user
    assert.match((await run([], { LBPROV_REMOTE_USER: 'cfguser', LBPROV_BECOME: 'true' }))[h1], / user=root /);
    assert.match((await run(['-u', 'cfguser', '-b', '--become-user', 'nobody']))[h1], / user=nobody /);
    // LBPROV_CONFIG wins over ./ansible.cfg; a bad value there is exit 5 naming file:line
    const other = join(dir, 'other.cfg');
    writeFileSync(other, '[defaults]\nforks = 0\n');
    const bad = await lbprov(['apply', fx('fleet-probe.yml')], { cwd, env: { HOME: dir, LBPROV_CONFIG: other } });
    assert.is(bad.code, 5);
    assert.match(bad.stderr, `${other}:2:1: [defaults] forks = "0": expected a whole number >= 1`);
    const t = await lbprov(['apply', fx('fleet-probe.yml'), '-T', '-1'], { cwd, env: { HOME: dir } });
    assert.is(t.code, 5);
  });

  test('-v shows task arguments, -vvv the scripts sent, -vvvv the remote shell; none of it on stdout', async () => {
    const base = ['apply', '--json', fx('fleet-probe.yml'), '-i', src.yaml, '-l', lab.hosts[0].name];
    const v1 = await lbprov([...base, '-v']);
    assert.is(v1.code, 0, v1.stderr);
    JSON.parse(v1.stdout);
    assert.match(v1.stderr, /TASK \[who\] \{"cmd":"whoami"\}/);
    assert.not.match(v1.stderr, /script \d+ \(/);
    const v3 = await lbprov([...base, '-vvv']);
    assert.match(v3.stderr, /connection: ssh root@/);
    // command execs through env: no shell builtin or lbprov function can stand in for the program
    assert.match(v3.stderr, /script \d+ \(\d+ bytes\):\nlbprov_step 0 0 env -- whoami\n/);
    assert.not.match(v3.stderr, /remote shell started/);
    const v4 = await lbprov([...base, '-vvvv']);
    assert.match(v4.stderr, /remote shell started/);
    assert.match(v4.stderr, /script \d+: rc 0, \d+ bytes out/);
  });
}

test.run();
