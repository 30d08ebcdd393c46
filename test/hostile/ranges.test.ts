import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadInventory } from '../../src/inventory/load.js';
import { expandHostRange, MAX_RANGE_HOSTS } from '../../src/inventory/ranges.js';
import { InputError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lbprov-ranges-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const refused = (pattern: string, why: RegExp): void => {
  try {
    expandHostRange(pattern);
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as Error).message, why);
    return;
  }
  assert.unreachable(`${pattern} was accepted`);
};

test('ranges as Ansible writes them: widths, steps, letters, several in one name', () => {
  assert.equal(expandHostRange('web[08:10].x'), ['web08.x', 'web09.x', 'web10.x']);
  assert.equal(expandHostRange('web[1:10:4]'), ['web1', 'web5', 'web9']);
  assert.equal(expandHostRange('db-[a:c]'), ['db-a', 'db-b', 'db-c']);
  assert.equal(expandHostRange('n[1:2]-[x:y]'), ['n1-x', 'n1-y', 'n2-x', 'n2-y']);
  assert.equal(expandHostRange('w[:2]'), ['w0', 'w1', 'w2']);
  assert.equal(expandHostRange('plain'), ['plain']);
  assert.equal(expandHostRange('[::1]'), ['[::1]'], 'brackets that are no range stay part of the name');
});

test('bad ranges are errors, not silently empty or huge', () => {
  refused('web[10:1]', /runs backwards \(10 > 1\)/);
  refused('web[c:a]', /runs backwards/);
  refused('web[1:5:0]', /step/);
  refused('web[01:100]', /same number of digits/);
  refused('web[a:9]', /letter range/);
  refused('web[1:99999999999999999999]', /too large/);
  refused('web[01:99999999]', new RegExp(`names 99999999 hosts; at most ${MAX_RANGE_HOSTS}`));
  refused('n[1:1000]-[1:1000]', /names 1000000 hosts/);
});

test('200,000 hosts from ranges load in seconds (loading is linear in hosts)', () => {
  const f = join(dir, 'big.yml');
  // two groups share the first range; a child group and vars exercise the merge
  writeFileSync(
    f,
    'all:\n  vars:\n    ansible_connection: local\n  children:\n    web:\n      hosts:\n        "web[1:150000]":\n      children:\n        canary:\n          hosts:\n            "web[1:10]":\n    edge:\n      hosts:\n        "e[1:250]-[1:200]":\n          port: 443\n',
  );
  const t0 = performance.now();
  const inv = loadInventory([f]);
  const ms = performance.now() - t0;
  assert.is(inv.hosts.size, 200_000);
  assert.is(inv.groups.get('web')!.length, 150_000);
  assert.equal(inv.hosts.get('web5')!.groups, ['canary', 'web']);
  assert.is(inv.hosts.get('e250-200')!.vars.port, 443);
  assert.is(inv.groups.get('ungrouped')!.length, 0);
  // quadratic loading took 17 s for 80,000 hosts; linear takes about 1 s for 200,000 on a quiet
  // machine. The bound is loose because the test machine is shared.
  assert.ok(ms < 15_000, `${Math.round(ms)} ms`);
});

test('a cycle of groups names the place that closes it', () => {
  const f = join(dir, 'cycle.yml');
  writeFileSync(f, 'a:\n  children:\n    b:\nb:\n  children:\n    a:\n');
  try {
    loadInventory([f]);
    assert.unreachable('a cycle was accepted');
  } catch (e) {
    assert.instance(e, InputError);
    assert.match(
      (e as Error).message,
      /cycle\.yml:\d+:5: inventory: group "[ab]" is its own descendant \((a -> b -> a|b -> a -> b)\)/,
    );
  }
});

test.run();
