import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { evaluate } from '../src/playbook/expr.js';
import { FILTER_NAMES } from '../src/playbook/filters.js';
import { Scope } from '../src/playbook/scope.js';
import { renderString } from '../src/playbook/template.js';
import { packageRoot } from '../src/util/paths.js';
import { haveAnsible } from './helpers/ansible.js';
import { CASES, type FilterCase } from './filters-cases.js';

/**
 * Each helper, three ways: Ansible's own filter (when Ansible is installed), an lbprov expression
 * and an lbprov template. All three must give the value of the table; so the template helper and
 * the expression function are the same function, and both are Ansible's.
 */
const all = Object.entries(CASES).flatMap(([name, cases]) => cases.map((c) => ({ name, c })));
const scopeOf = (c: FilterCase): Scope => new Scope(c.vars ?? {}, {});
const outcome = (fn: () => unknown): { ok: unknown } | { error: string } => {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

/** What is wrong with one outcome ('' when it is the expected one). */
function mismatch(label: string, c: FilterCase, got: { ok: unknown } | { error: string }): string {
  if (c.error)
    return 'error' in got && c.error.test(got.error)
      ? ''
      : `${label}: expected an error matching ${c.error}, got ${JSON.stringify(got)}`;
  return 'ok' in got && isDeepStrictEqual(got.ok, c.expect)
    ? ''
    : `${label}: expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(got)}`;
}

test('the table covers every helper the README lists', () => {
  const required = [
    'default',
    'to_json',
    'to_nice_json',
    'to_yaml',
    'from_json',
    'b64encode',
    'b64decode',
    'regex_replace',
    'regex_search',
    'basename',
    'dirname',
    'bool',
    'int',
    'length',
    'first',
    'last',
    'unique',
    'sort',
    'dict2items',
    'items2dict',
    'combine',
    'ipaddr',
    'ipv4',
    'ipv6',
  ];
  for (const r of required) {
    assert.ok(FILTER_NAMES.includes(r), `helper ${r}`);
    assert.ok(CASES[r]?.length, `cases for ${r}`);
  }
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  for (const r of required) assert.ok(readme.includes(`\`${r}\``), `README names ${r}`);
});

test('an lbprov expression gives the value Ansible gives', () => {
  const wrong = all
    .map(({ name, c }) =>
      mismatch(
        `${name}: ${c.expr ?? c.jinja}`,
        c,
        outcome(() => evaluate(c.expr ?? c.jinja, scopeOf(c))),
      ),
    )
    .filter(Boolean);
  assert.equal(wrong, []);
});

test('an lbprov template gives the same value as the expression (one function behind both)', () => {
  const wrong = all
    .filter(({ c }) => c.hbs)
    .map(({ name, c }) =>
      mismatch(
        `${name}: ${c.hbs}`,
        c,
        outcome(() => renderString(c.hbs!, scopeOf(c))),
      ),
    )
    .filter(Boolean);
  assert.equal(wrong, []);
});

test('inside text, a helper renders as text; join has one default in both', () => {
  const s = new Scope({ l: [1, 2], d: { a: 1 } }, {});
  assert.is(renderString('[{{join l}}] [{{join l ","}}] {{to_json d}}', s), '[12] [1,2] {"a": 1}');
  assert.is(evaluate("(l | join) == '12' and (l | join(',')) == '1,2'", s), true);
  assert.is(
    renderString('{{#if (bool "yes")}}on{{else}}off{{/if}} {{#each (sort l reverse=true)}}{{this}}{{/each}}', s),
    'on 21',
  );
});

test('a helper given an undefined variable is an error, never an empty string', () => {
  const s = new Scope({}, {});
  assert.throws(() => renderString('x={{to_json missing}}', s), /to_json: the value is undefined/);
  assert.throws(() => renderString('{{ missing.deep }}', s), /undefined variable "missing"/);
  assert.throws(() => evaluate('missing | to_json', s), /undefined variable "missing"/);
  assert.throws(() => renderString('{{join missing.deep}}', s), /undefined variable/);
  // default is the one helper that takes an undefined value, as deep as it goes
  assert.is(renderString('{{default missing.deep 1}}', s), 1);
});

test('a variable named like a helper is still a variable', () => {
  const s = new Scope({ first: 'one', sort: [2, 1] }, {});
  assert.is(renderString('{{ first }}', s), 'one');
  assert.is(renderString('x {{ first }}', s), 'x one');
  assert.equal(renderString('{{ sort }}', s), [2, 1]);
  assert.is(evaluate("first == 'one'", s), true);
});

test('wrong arguments are errors that say so', () => {
  const s = new Scope({}, {});
  assert.throws(() => evaluate("'a' | basename('x')", s), /basename\(\) takes no arguments/);
  assert.throws(() => evaluate("'a' | default(1, bogus=true)", s), /unexpected keyword argument 'bogus'/);
  assert.throws(() => evaluate("'a' | regex_replace('(', 'x')", s), /invalid regular expression/);
  assert.throws(() => renderString('{{regex_replace "a" "a" "\\9"}}', s), /invalid group reference/);
});

test('Ansible itself gives every value of the table', () => {
  if (!haveAnsible('filters against Ansible', 'ansible')) return;
  const ansible = spawnSync('sh', ['-c', 'command -v ansible'], { encoding: 'utf8' }).stdout.trim();
  const python = /^#!\s*(\S+)/.exec(readFileSync(ansible, 'utf8'))?.[1] ?? 'python3';
  const cases = all.filter(({ c }) => !c.lbprovOnly);
  const r = spawnSync(python, [join(packageRoot, 'test', 'helpers', 'ansible-template.py')], {
    input: JSON.stringify(cases.map(({ c }) => ({ expr: c.jinja, vars: c.vars ?? {} }))),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  assert.is(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Array<{ ok?: unknown; error?: string }>;
  const wrong = cases
    .map(({ name, c }, i) => {
      const got = results[i];
      if (c.error)
        return 'error' in got
          ? ''
          : `${name}: ${c.jinja}: Ansible gave ${JSON.stringify(got)}, the table expects an error`;
      return isDeepStrictEqual(got, { ok: c.expect })
        ? ''
        : `${name}: ${c.jinja}: Ansible gave ${JSON.stringify(got)}, the table says ${JSON.stringify(c.expect)}`;
    })
    .filter(Boolean);
  assert.equal(wrong, []);
});

test.run();
