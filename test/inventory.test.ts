import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inputError } from './helpers/input-error.js';
import { join } from 'node:path';
import { loadInventory, expandHostRange } from '../src/inventory/load.js';
import { matchHosts } from '../src/inventory/patterns.js';
import { packageRoot } from '../src/util/paths.js';

const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'inventory', f);
const inv = loadInventory([fx('prod.yml')]);
const names = (p: string): string[] => matchHosts(inv, p).hosts;

test('hosts come in inventory order, ranges expanded', () => {
  assert.equal([...inv.hosts.keys()], ['lonely', 'eu01', 'eu02', 'eu03', 'special', 'us1']);
  assert.equal(expandHostRange('web[08:10].x'), ['web08.x', 'web09.x', 'web10.x']);
});

test('vars merge all < parent group < child group < host, group_vars/ and host_vars/ included', () => {
  const v = (h: string): Record<string, unknown> => inv.hosts.get(h)!.vars;
  assert.is(v('lonely').level, 'all');
  assert.is(v('lonely').lb_workers, 2);
  assert.is(v('eu01').level, 'edge_eu');
  assert.is(v('eu01').lb_port, 443);
  assert.is(v('eu01').lb_workers, 4, 'group_vars/edge.yml beats all.vars');
  assert.is(v('eu01').from_group_file, 'edge');
  assert.is(v('special').level, 'host');
  assert.is(v('us1').lb_workers, 16, 'host_vars/us1.yml beats group vars');
  assert.is(v('us1').ansible_host, '10.0.0.1');
});

test('groups include their children; group_names style membership', () => {
  assert.equal(inv.groups.get('edge'), ['eu01', 'eu02', 'eu03', 'special', 'us1']);
  assert.equal(inv.hosts.get('eu02')!.groups, ['canary', 'edge', 'edge_eu']);
  assert.equal(inv.groups.get('ungrouped'), ['lonely']);
});

test('patterns: union, exclusion, intersection, globs, all', () => {
  assert.equal(names('all'), ['lonely', 'eu01', 'eu02', 'eu03', 'special', 'us1']);
  assert.equal(names('edge_us:lonely'), ['lonely', 'us1']);
  assert.equal(names('edge,lonely'), ['lonely', 'eu01', 'eu02', 'eu03', 'special', 'us1']);
  assert.equal(names('edge:!canary'), ['eu01', 'eu03', 'special']);
  assert.equal(names('edge:&canary'), ['eu02', 'us1']);
  assert.equal(names('eu*'), ['eu01', 'eu02', 'eu03']);
  assert.equal(names('edge_*:!eu0[12]'), ['eu03', 'special', 'us1']);
  assert.equal(names('!canary:edge'), ['eu01', 'eu03', 'special'], 'exclusions apply whatever their place');
  assert.equal(matchHosts(inv, 'nope:us1').unmatched, ['nope']);
});

test('bad inventory: every problem with file:line:col', () => {
  const msg = inputError(() => loadInventory([fx('bad.yml')]));
  assert.match(msg, /bad\.yml:4:7: group "edge": unknown key "hostz"/);
  assert.match(msg, /bad\.yml:6:13: group "edge": vars must be a mapping/);
});

test('YAML syntax errors carry positions', () => {
  assert.match(
    inputError(() => loadInventory([fx('broken-yaml.yml')])),
    /broken-yaml\.yml:4:3: YAML: Flow map/,
  );
  assert.match(
    inputError(() => loadInventory([fx('../playbooks/templates/conf.hbs')])),
    /conf\.hbs:2:1: an inventory is a mapping of group names/,
  );
});

test.run();
