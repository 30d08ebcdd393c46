import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { InputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';
import { lbprov } from './helpers/cli.js';

const fx = (f: string): string => join(packageRoot, 'test', 'fixtures', 'playbooks', f);

function problems(file: string): string[] {
  try {
    loadPlaybook(file);
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  }
  return [];
}

const bad = problems(fx('bad.yml'));
const has = (re: RegExp): void =>
  assert.ok(
    bad.some((l) => re.test(l)),
    `expected a line matching ${re} in:\n${bad.join('\n')}`,
  );

test('all problems are reported at once', () => {
  assert.ok(bad.length >= 6, bad.join('\n'));
});

test('an unknown play key points at the key', () =>
  has(/bad\.yml:3:3: play "broken on purpose": unknown key "gather_fact"/));
test('an unknown module points at the key and lists the modules', () =>
  has(/bad\.yml:6:7: task "unknown module": unknown module or task key "copyy" \(modules: .*copy.*\)/));
test('a wrong argument value points at the value', () =>
  has(/bad\.yml:8:36: task "wrong type" \(file\): "state" must be one of "directory", "file"/));
test('template syntax is checked before any host', () => has(/bad\.yml:10:21: template syntax/));
test('expression syntax is checked before any host', () => has(/bad\.yml:13:13: cannot parse expression "x ==="/));
test('two modules in one task', () =>
  has(/bad\.yml:14:7: task "two modules": more than one module \(debug, command\)/));
test('a notify naming no handler', () =>
  has(/bad\.yml:17:7: task "notifies nobody" notifies "nobody", but no handler/));

test('wrong argument types are errors; a template where a number goes is checked later', () => {
  const p = problems(fx('local-ops.yml'));
  assert.equal(p, [], 'mode: "{{ mode_for_conf }}" is a template, not a type error');
});

test('the CLI exits 5 with the positions on stderr, before contacting any host', async () => {
  const r = await lbprov([
    'apply',
    fx('bad.yml'),
    '-i',
    join(packageRoot, 'test', 'fixtures', 'inventory', 'prod.yml'),
  ]);
  assert.is(r.code, 5);
  assert.match(r.stderr, /bad\.yml:6:7:/);
  assert.is(r.stdout, '', 'nothing ran');
  const v = await lbprov(['validate', fx('bad.yml')]);
  assert.is(v.code, 5);
  const s = await lbprov(['apply', fx('bad.yml'), '--syntax-check']);
  assert.is(s.code, 5);
});

test('the CLI exits 5 for a --limit that matches nothing and for bad options', async () => {
  const r = await lbprov(['apply', 'playbooks/hello.yml', '--limit', 'nosuchhost']);
  assert.is(r.code, 5);
  assert.match(r.stderr, /--limit nosuchhost matches no host/);
  const f = await lbprov(['apply', 'playbooks/hello.yml', '--forks', 'zero']);
  assert.is(f.code, 5);
  const u = await lbprov(['apply']);
  assert.is(u.code, 5);
});

test('--list-hosts and --list-tasks contact no host', async () => {
  const inv = join(packageRoot, 'test', 'fixtures', 'inventory', 'prod.yml');
  const r = await lbprov(['apply', 'playbooks/hello.yml', '-i', inv, '--list-hosts', '--limit', 'edge:!canary']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /hosts \(3\):\n\s+eu01\n\s+eu03\n\s+special/);
  const t = await lbprov(['apply', 'playbooks/hello.yml', '-i', inv, '--list-tasks']);
  assert.match(t.stdout, /a rendered file/);
});

test.run();
