import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, versionCompare } from '../src/playbook/expr.js';
import { Scope } from '../src/playbook/scope.js';

const scope = new Scope(
  { lb_workers: 4, name: '{{ who }}', who: 'edge' },
  {
    facts: { kernel: { release: '6.8.0-1012-aws', version: '6.8.0' }, nics: [{ model: 'connectx-7' }] },
    result: { changed: true, rc: 0, stdout: 'hello world', stdout_lines: ['a', 'b', 'c'] },
    models: ['connectx-7', 'e810-c'],
  },
);
const ev = (s: string): unknown => evaluate(s, scope);

test('comparisons, boolean words and symbols', () => {
  assert.is(ev('lb_workers > 2'), true);
  assert.is(ev('lb_workers > 2 and result.changed'), true);
  assert.is(ev('not result.changed or lb_workers == 4'), true);
  assert.is(ev('!(lb_workers >= 5) && result.rc == 0'), true);
  assert.is(ev("name == 'edge'"), true, 'vars are rendered when read');
  assert.is(ev("'connectx-7' in models"), true);
  assert.is(ev("'world' in result.stdout"), true);
  assert.is(ev('lb_workers == "4"'), true, 'a number equals its string form, as YAML users expect');
});

test('version() compares numeric release prefixes, never strings', () => {
  assert.is(ev("version(facts.kernel.release, '>=', '5.11')"), true);
  assert.is(versionCompare('5.9.0', '>=', '5.11'), false, "string compare would say '5.9' > '5.11'");
  assert.is(versionCompare('5.14.0-427.el9.x86_64', '>=', '5.11'), true);
  assert.is(versionCompare('6.18.44-fc-v657', '<', '6.2'), false);
  assert.is(versionCompare('5.11', '==', '5.11.0'), true);
});

test('Ansible tests and filters', () => {
  assert.is(ev('result is defined'), true);
  assert.is(ev('nothing is defined'), false);
  assert.is(ev('nothing is not defined'), true);
  assert.is(ev('result is changed'), true);
  assert.is(ev('result.stdout_lines | length > 2'), true);
  assert.is(ev("result.stdout | upper | startswith('HELLO')"), true);
  assert.is(ev("result.stdout.startswith('hello')"), true);
  assert.is(ev('defined(facts.nics)'), true);
  assert.is(ev('{{ lb_workers > 3 }}'), true, 'a condition wrapped in {{ }} still works');
  assert.equal(evaluate(['lb_workers > 3', true], scope), true);
});

test('undefined variables and unknown functions are errors', () => {
  assert.throws(() => ev('missing > 1'), /undefined variable "missing"/);
  assert.throws(() => ev('system("id")'), /unknown function "system"/);
});

test('no way out to JavaScript: prototypes, constructors and globals are unreachable', () => {
  assert.throws(() => ev('result.constructor'), /no "constructor"/);
  assert.throws(() => ev("result['__proto__']"), /no "__proto__"/);
  assert.throws(() => ev("models.constructor('return process')()"), /./);
  assert.throws(() => ev('process.exit(1)'), /unknown function "exit"/);
  assert.throws(() => ev('process'), /undefined variable "process"/);
  assert.throws(() => ev('this'), /./);
});

test.run();
