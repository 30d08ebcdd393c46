import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Scope } from '../src/playbook/scope.js';
import { renderString, renderValue, TemplateError } from '../src/playbook/template.js';

const scope = new Scope(
  {
    port: 443,
    name: 'edge',
    label: '{{ name }}-{{ port }}',
    list: [1, 2],
    nested: '{{ label }}!',
    loop_a: '{{ loop_b }}',
    loop_b: '{{ loop_a }}',
    broken: '{{ nope }}',
  },
  { facts: { kernel: { release: '6.8.0-1012-aws' } }, raw: 'text with {{ braces }} from a host' },
);

test('a lone {{ x }} keeps its type', () => {
  assert.is(renderString('{{ port }}', scope), 443);
  assert.equal(renderString('{{ list }}', scope), [1, 2]);
  assert.is(renderString('{{facts.kernel.release}}', scope), '6.8.0-1012-aws');
});

test('mixed text renders to a string; vars refer to vars lazily, in any order', () => {
  assert.is(renderString('port={{ port }}', scope), 'port=443');
  assert.is(renderString('{{ nested }}', scope), 'edge-443!');
  assert.equal(renderValue({ a: ['{{ port }}', 'x{{ name }}'] }, scope), { a: [443, 'xedge'] });
});

test('a missing variable is an error, never an empty string', () => {
  assert.throws(
    () => renderString('x {{ missing }} y', scope),
    (e: Error) => e instanceof TemplateError && /undefined variable "missing"/.test(e.message),
  );
  assert.throws(() => renderString('{{ facts.kernel.nope }}', scope), /has no "nope"/);
  assert.throws(() => renderString('{{ broken }}', scope), /undefined variable "nope".*in var "broken"/);
});

test('an unused broken var is no error; a cycle is reported', () => {
  assert.is(renderString('{{ name }}', scope), 'edge');
  assert.throws(() => renderString('{{ loop_a }}', scope), /refers to itself/);
});

test('data from hosts is never rendered again', () => {
  assert.is(renderString('{{ raw }}', scope), 'text with {{ braces }} from a host');
});

test('helpers and block syntax work; HTML is not escaped', () => {
  assert.is(renderString('{{ join list "," }}', scope), '1,2');
  assert.is(renderString('{{#each list}}[{{ this }}]{{/each}}', scope), '[1][2]');
  assert.is(renderString('{{ name }}<&>', scope), 'edge<&>');
  assert.throws(() => renderString('{{ oops', scope), /template syntax/);
});

test('a child scope (task vars, loop item) sees its parent', () => {
  const child = scope.child({ greeting: 'hi {{ name }} #{{ item }}' }, { item: 3 });
  assert.is(renderString('{{ greeting }}', child), 'hi edge #3');
  assert.is(renderString('{{ item }}', child), 3);
});

test.run();
