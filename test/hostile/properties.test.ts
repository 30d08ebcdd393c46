/**
 * Property-based tests of the loaders: whatever the input, loading ends in a value or in an
 * InputError (the error that exits 5 with a place), never in another exception (which would be
 * exit 1 with a stack trace). Bounded runs keep the suite fast; fast-check prints the seed and the
 * shrunk input of any failure so it can be replayed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import { stringify } from 'yaml';
import { loadInventory } from '../../src/inventory/load.js';
import { checkExpr, evaluate, ExprError, parseExpr } from '../../src/playbook/expr.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { Scope } from '../../src/playbook/scope.js';
import { TemplateError, templateSyntax } from '../../src/playbook/template.js';
import { InputError } from '../../src/util/errors.js';
import { checkUtf8 } from '../../src/util/utf8.js';
import { SourceDoc } from '../../src/util/yaml.js';

const RUNS = { numRuns: 200 };
const dir = mkdtempSync(join(tmpdir(), 'lbprov-prop-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs fn; only the listed error classes may escape it. */
function onlyThrows(fn: () => unknown, ...allowed: Array<abstract new (...a: never[]) => Error>): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) throw e;
  }
}

// text made of YAML's own punctuation, so that the parser's corners are reached more often than by random letters
const yamlToken = fc.constantFrom(
  '- ',
  ': ',
  '? ',
  '&a ',
  '&b ',
  '*a',
  '*b',
  '!!str ',
  '!!python/object ',
  '!t ',
  '[',
  ']',
  '{',
  '}',
  ', ',
  '"',
  "'",
  '\\',
  '|',
  '>',
  '#',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '\n',
  '  ',
  '\t',
  'key',
  'hosts',
  'tasks',
  'all',
  'vars',
  'children',
  '0644',
  'yes',
  'no',
  'y',
  '~',
  '1:30',
  '<<: *a',
  '{{ x }}',
  '{{#if',
  'web[1:3]',
  'web[9:1]',
  '\u0000',
  '\uFEFF',
  'é',
);
const yamlish = fc.array(yamlToken, { maxLength: 60 }).map((t) => t.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), yamlish);

test('YAML: any text parses or is an input error', () => {
  fc.assert(
    fc.property(anyText, (text) => onlyThrows(() => SourceDoc.parse('prop.yml', text), InputError)),
    RUNS,
  );
});

test('YAML: any bytes are UTF-8 text or an input error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
      onlyThrows(() => checkUtf8('prop.yml', Buffer.from(bytes)), InputError),
    ),
    RUNS,
  );
});

// values as a YAML file may hold them, with keys the loaders look at and keys that attack plain objects
const key = fc.oneof(
  fc.constantFrom(
    'all',
    'hosts',
    'vars',
    'children',
    'web',
    'web[01:03]',
    'n[1:2]-[a:b]',
    'x[5:1]',
    '__proto__',
    'constructor',
    'ansible_connection',
    'ungrouped',
  ),
  fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('{{ x }}', '{{#if}}', '{{ x }', 'local'),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));

let n = 0;
const writeTemp = (text: string): string => {
  const f = join(dir, `f${n++}.yml`);
  writeFileSync(f, text);
  return f;
};

test('inventory: any structure or text loads or is an input error', () => {
  const input = fc.oneof(
    value.map((v) => stringify(v)),
    anyText,
  );
  fc.assert(
    fc.property(input, (text) => onlyThrows(() => loadInventory([writeTemp(text)]), InputError)),
    RUNS,
  );
});

const taskKey = fc.constantFrom(
  'name',
  'when',
  'loop',
  'register',
  'notify',
  'tags',
  'vars',
  'become',
  'no_log',
  'debug',
  'command',
  'file',
  'template',
  'copy',
  'assert',
  'meta',
  'args',
  'bogus',
);
const task = fc.dictionary(taskKey, value, { maxKeys: 4 });
const play = fc.record(
  {
    hosts: value,
    name: value,
    vars: value,
    vars_files: value,
    tasks: fc.array(task, { maxLength: 3 }),
    handlers: fc.array(task, { maxLength: 2 }),
    serial: value,
  },
  { requiredKeys: [] },
);

test('playbook: any structure or text loads or is an input error', () => {
  const input = fc.oneof(
    fc.array(play, { maxLength: 2 }).map((p) => stringify(p)),
    value.map((v) => stringify(v)),
    anyText,
  );
  fc.assert(
    fc.property(input, (text) => onlyThrows(() => loadPlaybook(writeTemp(text)), InputError)),
    RUNS,
  );
});

const exprToken = fc.constantFrom(
  'x',
  'y',
  'facts',
  '.',
  'kernel',
  '[',
  ']',
  '(',
  ')',
  ',',
  ' ',
  'and',
  'or',
  'not',
  'in',
  'is',
  'defined',
  '|',
  'length',
  '==',
  '!=',
  '<',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
  '~',
  '^',
  ';',
  '?',
  ':',
  '"a"',
  "'(a+)+$'",
  '1',
  '0.5',
  'True',
  'None',
  'this',
  'match',
  'search',
  'version',
  'lower',
  'split',
  'int',
  '{{',
  '}}',
  '`',
  '=',
  '__proto__',
  'constructor',
);
const exprText = fc.oneof(
  fc.array(exprToken, { maxLength: 25 }).map((t) => t.join('')),
  fc.string({ maxLength: 40 }),
);
const scope = new Scope({ x: 'aaaa', y: [1, 2], z: '{{ missing }}' }, { facts: { kernel: { release: '6.8.0' } } });

test('expressions: any text is checked or refused with an expression error; evaluating fails only with one', () => {
  fc.assert(
    fc.property(exprText, (src) => {
      let ok = false;
      onlyThrows(() => {
        checkExpr(parseExpr(src));
        ok = true;
      }, ExprError);
      if (ok) onlyThrows(() => evaluate(src, scope), ExprError, TemplateError);
    }),
    RUNS,
  );
});

test('templates: any text is a valid template or a template syntax error', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc
      .array(
        fc.constantFrom(
          '{{',
          '}}',
          '{{#if x}}',
          '{{/if}}',
          '{{> p}}',
          '{{!',
          'x',
          ' ',
          '{{{',
          '}}}',
          '#each',
          '/each',
          'else',
          '(',
          ')',
          '"',
        ),
        { maxLength: 12 },
      )
      .map((t) => t.join('')),
  );
  fc.assert(
    fc.property(text, (src) => onlyThrows(() => templateSyntax(src), TemplateError)),
    RUNS,
  );
});

test.run();
