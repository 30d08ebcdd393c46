import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { Scope } from '../src/playbook/scope.js';
import { renderString } from '../src/playbook/template.js';
import { lbprov } from './helpers/cli.js';
import { inputError } from './helpers/input-error.js';

/**
 * Jinja written the Ansible way is refused when the playbook loads (exit 5, before any host),
 * each use at its place with the Handlebars to write; never rendered as text for a host.
 */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-jinja-'));
mkdirSync(join(dir, 'templates'));
writeFileSync(
  join(dir, 'templates', 'site.conf.j2'),
  'listen {{ port }};\n{% if tls %}\nssl on;\n  {# a comment #}\n{% endif %}\n',
);
const bad = join(dir, 'bad.yml');
writeFileSync(
  bad,
  [
    '- hosts: all',
    '  gather_facts: false',
    '  vars:',
    '    port: "{{ x | default(80) }}"',
    '  tasks:',
    '    - name: site',
    '      template: { src: site.conf.j2, dest: /tmp/site.conf }',
    '    - name: say',
    '      debug: { msg: "{# note #}{{ name }}" }',
    '',
  ].join('\n'),
);
const good = join(dir, 'good.yml');
writeFileSync(
  good,
  [
    '- hosts: localhost',
    '  gather_facts: false',
    '  vars: { x: true }',
    '  tasks:',
    '    - name: wrapped',
    '      debug: { msg: hi }',
    '      when: "{{ x }}"',
    '',
  ].join('\n'),
);

const tpl = join(dir, 'templates', 'site.conf.j2');

test('a {% if %} in a template file: its line and column there, and the Handlebars to write', () => {
  const msg = inputError(() => loadPlaybook(bad));
  assert.match(
    msg,
    `${tpl}:2:1: Jinja syntax "{% if tls %}" (lbprov templates are Handlebars): write {{#if tls}} ... {{/if}} (the template of the task at ${bad}:7:`,
  );
  assert.match(
    msg,
    `${tpl}:4:3: Jinja syntax "{# a comment #}" (lbprov templates are Handlebars): write {{!-- a comment --}}`,
  );
  assert.match(msg, `${tpl}:5:1: Jinja syntax "{% endif %}" (lbprov templates are Handlebars): write {{/if}}`);
});

test('a | default() filter in a var and {# #} in an argument: at the value, with the hint', () => {
  const msg = inputError(() => loadPlaybook(bad));
  assert.match(
    msg,
    `${bad}:4:11: Jinja syntax "{{ x | default(80) }}" (lbprov templates are Handlebars): write {{default x 80}}`,
  );
  assert.match(msg, `${bad}:9:21: Jinja syntax "{# note #}" (lbprov templates are Handlebars): write {{!-- note --}}`);
  assert.not.match(msg, /Parse error/);
});

test('lbprov validate: exit 5, every use listed on stderr, nothing on stdout', async () => {
  const r = await lbprov(['validate', bad]);
  assert.is(r.code, 5, r.stderr);
  assert.is(r.stdout, '');
  for (const where of [`${tpl}:2:1`, `${tpl}:4:3`, `${tpl}:5:1`, `${bad}:4:11`, `${bad}:9:21`])
    assert.ok(r.stderr.includes(`${where}: Jinja syntax`), `${where} in:\n${r.stderr}`);
  assert.match(r.stderr, 'write {{default x 80}}');
});

test('when: "{{ x }}" works, with Ansible\'s warning (at its place) from validate and apply', async () => {
  const warning = `[WARNING]: ${good}:7:13: conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: {{ x }}`;
  const v = await lbprov(['validate', good]);
  assert.is(v.code, 0, v.stderr);
  assert.ok(v.stderr.includes(warning), v.stderr);
  const a = await lbprov(['apply', good, '--json']);
  assert.is(a.code, 0, a.stderr);
  assert.ok(a.stderr.includes(warning), a.stderr);
  const run = JSON.parse(a.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { status: string }> }> }> };
  assert.is(run.plays[0].tasks[0].hosts.localhost.status, 'ok', 'the condition held');
});

test('at run time too (a value from -e): refused, never written out as text', () => {
  const s = new Scope({ x: 1 }, {});
  assert.throws(() => renderString('{% if x %}on{% endif %}', s), /Jinja syntax "\{% if x %\}".*write \{\{#if x\}\}/);
  assert.throws(() => renderString('port {{ x | int }}', s), /write \{\{int x\}\}/);
});

test('Handlebars that looks alike is no Jinja: block params, comments, raw blocks, escapes, ${#x}', () => {
  const s = new Scope({ xs: ['a', 'b'], n: 2 }, {});
  assert.is(renderString('{{#each xs as |x i|}}{{i}}={{x}} {{/each}}', s), '0=a 1=b ');
  assert.is(renderString('{{!-- {% if %} --}}{{n}}', s), '2');
  assert.is(renderString('{{{{raw}}}}{% if x %}{{ y | z }}{{{{/raw}}}}', s), '{% if x %}{{ y | z }}');
  assert.is(renderString('\\{{ y | z }} {{n}}', s), '{{ y | z }} 2');
  assert.is(renderString('len=${#arr[@]} {{n}}', s), 'len=${#arr[@]} 2');
});

test.run();
