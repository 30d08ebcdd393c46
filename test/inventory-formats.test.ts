import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inputError } from './helpers/input-error.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pyValue, shlexSplit } from '../src/inventory/py-literal.js';
import { hostAndPort } from '../src/inventory/ini.js';
import { loadInventorySources, sourceKind } from '../src/inventory/sources.js';
import type { Inventory } from '../src/inventory/types.js';
import { packageRoot } from '../src/util/paths.js';
import { ansibleInventory, haveAnsible } from './helpers/ansible.js';

/** INI, directory, host-list and script inventories: the same fleet as fleet.yml, and as Ansible reads them. */
const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'inventory-formats', f);

/** Host vars with sorted keys, and every group's hosts sorted, as ansibleInventory() gives them. */
function view(inv: Inventory): {
  hostvars: Record<string, Record<string, unknown>>;
  members: Record<string, string[]>;
} {
  const sortKeys = (v: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  const hostvars = Object.fromEntries([...inv.hosts].map(([h, host]) => [h, sortKeys(host.vars)]));
  const members = Object.fromEntries(
    [...inv.groups]
      .filter(([g, hs]) => g !== 'all' && (g !== 'ungrouped' || hs.length))
      .map(([g, hs]) => [g, [...hs].sort()]),
  );
  return { hostvars, members };
}

test('sources are told apart as Ansible does', () => {
  assert.is(sourceKind(fx('fleet.yml')), 'yaml');
  assert.is(sourceKind(fx('fleet.ini')), 'ini');
  assert.is(sourceKind(fx('dir/10-edge')), 'ini');
  assert.is(sourceKind(fx('dir')), 'directory');
  assert.is(sourceKind(fx('fleet.sh')), 'script');
  assert.is(sourceKind('h1,h2'), 'host-list');
  assert.match(
    inputError(() => sourceKind('/nonexistent/inv')),
    /no such file or directory/,
  );
});

test('INI, directory and script inventories give the fleet of the YAML one, vars and groups alike', () => {
  const yaml = view(loadInventorySources([fx('fleet.yml')]));
  assert.is(yaml.hostvars.us1.lb_workers, 16);
  for (const src of ['fleet.ini', 'dir', 'fleet.sh']) {
    const other = view(loadInventorySources([fx(src)]));
    assert.equal(other.hostvars, yaml.hostvars, src);
    assert.equal(other.members, yaml.members, src);
  }
});

if (haveAnsible('inventory formats against ansible-inventory')) {
  test('each format reads as ansible-inventory --list reads it', () => {
    for (const src of ['fleet.yml', 'fleet.ini', 'dir', 'fleet.sh', 'fleet-nometa.sh']) {
      const ours = view(loadInventorySources([fx(src)]));
      const ref = ansibleInventory(fx(src));
      assert.equal(ours.hostvars, ref.hostvars, `${src}: host vars`);
      assert.equal(ours.members, ref.members, `${src}: groups`);
    }
  });

  test("group_vars/ and host_vars/ beside the file rank as in Ansible, above the file's group vars", () => {
    const src = join(fx('precedence'), 'hosts.yml');
    const ours = view(loadInventorySources([src]));
    assert.equal(ours.hostvars, ansibleInventory(src).hostvars);
    // the point of the fixture: group_vars/all beats a child group's vars in the file
    assert.is(ours.hostvars.h1.a, 'gv_all');
  });

  test('INI value typing and host-line parsing follow Ansible on a tricky file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbprov-ini-'));
    try {
      const f = join(dir, 'tricky');
      writeFileSync(
        f,
        [
          `a i=5 neg=-3 hex=0x1f f=1e3 t=True tl=true n=None s='x y' d="{'k': [1, (2, 3)]}" lead=08 ip=10.0.0.1 e= q="\\"quoted\\"" hash=a#b`,
          'b:2201 ansible_user=deploy',
          '[g]',
          'c[1:3]',
          'd',
          '[g:vars]',
          'x = "string"',
          "y = ['l', 2]",
          'z = yes',
          'w = a = b',
          '[parent:children]',
          'g',
        ].join('\n'),
      );
      const ours = view(loadInventorySources([f]));
      const ref = ansibleInventory(f);
      assert.equal(ours.hostvars, ref.hostvars);
      assert.equal(ours.members, ref.members);
      assert.is(ours.hostvars.a.i, 5);
      assert.is(ours.hostvars.b.ansible_port, 2201);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a host list 'a,b:2222,' reads as Ansible's host_list plugin reads it", () => {
    const src = 'web1, web2:2222,10.0.0.9,';
    const ours = view(loadInventorySources([src]));
    assert.equal(ours, { hostvars: ansibleInventory(src).hostvars, members: ansibleInventory(src).members });
    assert.equal(Object.keys(ours.hostvars), ['web1', 'web2', '10.0.0.9']);
  });
}

test('several -i sources merge; later ones win', () => {
  const inv = loadInventorySources([fx('fleet.ini'), 'extra1,lonely,']);
  assert.ok(inv.hosts.has('extra1'));
  assert.is(inv.hosts.get('lonely')!.vars.flag, true);
  assert.equal(inv.groups.get('ungrouped'), ['lonely', 'extra1']);
});

test('INI mistakes are reported together with file:line', () => {
  const msg = inputError(() => loadInventorySources([fx('bad.ini')]));
  const f = fx('bad.ini');
  assert.match(msg, `${f}:2:1: Expected key=value host variable assignment, got: port`);
  assert.match(msg, `${f}:4:1: Expected key=value, got: novalue`);
  assert.match(msg, `${f}:9:1: Section [web:weird] has unknown type: weird`);
  assert.match(msg, `${f}:5:1: Section [ghost:vars] not valid for undefined group: ghost`);
  assert.match(msg, `${f}:8:1: Section [web:children] includes undefined group: nosuch`);
});

test('inventory scripts: bad JSON, a non-zero exit and a hang are clear input errors', () => {
  assert.match(
    inputError(() => loadInventorySources([fx('bad-json.sh')])),
    /bad-json\.sh --list: the output is not JSON/,
  );
  assert.match(
    inputError(() => loadInventorySources([fx('failing.sh')])),
    /failing\.sh --list: exited with 3: cannot reach the cloud API/,
  );
  const t0 = Date.now();
  assert.match(
    inputError(() => loadInventorySources([fx('slow.sh')], { scriptTimeoutS: 1 })),
    /slow\.sh --list: no answer within 1s/,
  );
  assert.ok(Date.now() - t0 < 5000);
});

test('Python literals as Ansible types INI values', () => {
  assert.is(pyValue('5'), 5);
  assert.is(pyValue('-2.5'), -2.5);
  assert.is(pyValue('True'), true);
  assert.is(pyValue('true'), 'true');
  assert.is(pyValue('None'), null);
  assert.is(pyValue("'a b'"), 'a b');
  assert.is(pyValue('"a" \'b\''), 'ab');
  assert.equal(pyValue("[1, 'x', (2,)]"), [1, 'x', [2]]);
  assert.equal(pyValue("{'a': {'b': False}}"), { a: { b: false } });
  assert.is(pyValue('007'), '007');
  assert.is(pyValue('1.2.3.4'), '1.2.3.4');
  assert.is(pyValue(' 5'), ' 5');
  assert.is(pyValue('[1,'), '[1,');
});

test('shlex.split with comments, and host:port', () => {
  assert.equal(shlexSplit(`h a="x y" b='c d' e=f\\ g # note`), ['h', 'a=x y', 'b=c d', 'e=f g']);
  assert.equal(shlexSplit('h a=b#c d=e'), ['h', 'a=b']);
  assert.throws(() => shlexSplit('h a="open'), /No closing quotation/);
  assert.equal(hostAndPort('web[01:03]:22'), { pattern: 'web[01:03]', port: 22 });
  assert.equal(hostAndPort('[::1]:2200'), { pattern: '::1', port: 2200 });
  assert.equal(hostAndPort('fe80::1'), { pattern: 'fe80::1' });
  const bad = hostAndPort('h:');
  assert.ok(typeof bad === 'string', 'an error message');
  assert.match(bad, /ending in ':'/);
});

test.run();
