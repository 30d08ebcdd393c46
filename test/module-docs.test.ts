import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALL_MODULES, MODULES } from '../modules/index.js';
import sysctl from '../modules/sysctl.js';
import { README, withModuleTable } from '../src/doc/readme.js';
import { moduleText } from '../src/doc/render.js';
import type { ModuleDef } from '../src/module/types.js';
import { loadPlaybook } from '../src/playbook/load.js';
import { lbprov } from './helpers/cli.js';

interface Prop {
  type?: string | string[];
  enum?: unknown[];
  items?: { enum?: unknown[] };
  default?: unknown;
  description?: string;
}
const props = (m: ModuleDef): Record<string, Prop> => (m.schema as { properties: Record<string, Prop> }).properties;
const required = (m: ModuleDef): string[] => (m.schema as { required?: string[] }).required ?? [];
// what the doc must print for a value, written independently of src/doc: YAML flow style
const flow = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(flow).join(', ')}]` : typeof v === 'string' ? v : JSON.stringify(v);
const typeWords: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  array: 'list',
  object: 'mapping',
};

/** The lines `lbprov doc` prints under one argument's heading (`= name` or `- name`), by name. */
function argSections(text: string): Map<string, { marker: string; lines: string[] }> {
  const body = text.slice(text.indexOf('ARGUMENTS'), text.indexOf('ATTRIBUTES:'));
  const out = new Map<string, { marker: string; lines: string[] }>();
  let cur: { marker: string; lines: string[] } | undefined;
  for (const line of body.split('\n')) {
    const h = /^([=-]) (\S+)$/.exec(line);
    if (h) out.set(h[2], (cur = { marker: h[1], lines: [] }));
    else if (cur && line.trim()) cur.lines.push(line.trim());
  }
  return out;
}

/** Every argument of the schema is shown with its required mark, type, choices and default. */
function assertDocShowsSchema(m: ModuleDef, text: string): void {
  const sections = argSections(text);
  assert.equal([...sections.keys()], Object.keys(props(m)), `${m.name}: the arguments shown are the schema's`);
  for (const [name, p] of Object.entries(props(m))) {
    const s = sections.get(name)!;
    const where = `lbprov doc ${m.name}, argument ${name}:\n${s.lines.join('\n')}`;
    assert.is(s.marker, required(m).includes(name) ? '=' : '-', where);
    const type = s.lines.find((l) => l.startsWith('type: '));
    assert.ok(type, where);
    for (const t of Array.isArray(p.type) ? p.type : p.type ? [p.type] : [])
      assert.ok(type.includes(typeWords[t]), `${where}\n(expected ${t})`);
    if (p.default !== undefined) assert.ok(s.lines.includes(`default: ${flow(p.default)}`), where);
    else
      assert.not.ok(
        s.lines.some((l) => l.startsWith('default: ')),
        where,
      );
    const choices = p.enum ?? p.items?.enum;
    if (choices) assert.ok(s.lines.includes(`choices: ${flow(choices)}`), where);
    assert.ok(p.description && s.lines.join(' ').includes(p.description.split(' ')[0]), where);
  }
}

test('lbprov doc --list lists every registered module, one line each', async () => {
  const r = await lbprov(['doc', '--list']);
  assert.is(r.code, 0, r.stderr);
  const names = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s+/)[0]);
  assert.equal(names.sort(), [...new Set(MODULES.values())].map((m) => m.name).sort());
  for (const m of ALL_MODULES)
    assert.ok(
      r.stdout.split('\n').some((l) => l.startsWith(`${m.name} `) && l.endsWith(`  ${m.description}`)),
      m.name,
    );
});

test('lbprov doc sysctl shows every argument of its schema with its type and default', async () => {
  const r = await lbprov(['doc', 'sysctl']);
  assert.is(r.code, 0, r.stderr);
  assertDocShowsSchema(sysctl, r.stdout);
  assert.match(r.stdout, /ALIASES: ansible\.posix\.sysctl/);
  assert.match(r.stdout, /check_mode: full/);
  assert.match(r.stdout, /EXAMPLES:\n\n- name: /);
  assert.match(r.stdout, /RETURN VALUES:\n\n- live\n/);
});

test("every module's doc shows every argument of its schema", () => {
  for (const m of ALL_MODULES) assertDocShowsSchema(m, moduleText(m));
});

test('an alias finds its module', async () => {
  const r = await lbprov(['doc', 'ansible.builtin.apt']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^> PACKAGE /);
});

test("--json: the list and a module's doc are JSON documents with the schema's arguments", async () => {
  const list = await lbprov(['doc', '--list', '--json']);
  assert.is(list.code, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout), Object.fromEntries(ALL_MODULES.map((m) => [m.name, m.description])));
  const r = await lbprov(['doc', 'sysctl', '--json']);
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    name: string;
    arguments: Record<string, { type: string; default?: unknown; required: boolean; choices?: unknown[] }>;
    examples: string;
    returns: object;
  };
  assert.is(doc.name, 'sysctl');
  assert.equal(Object.keys(doc.arguments), Object.keys(props(sysctl)));
  for (const [name, p] of Object.entries(props(sysctl))) {
    assert.equal(doc.arguments[name].default, p.default, name);
    assert.is(doc.arguments[name].required, required(sysctl).includes(name), name);
    if (p.enum) assert.equal(doc.arguments[name].choices, p.enum, name);
  }
  assert.equal(doc.returns, sysctl.returns);
});

test('an unknown module is an input error (exit 5) naming the modules; with --json, one JSON document', async () => {
  const r = await lbprov(['doc', 'sysctll']);
  assert.is(r.code, 5);
  assert.match(r.stderr, /unknown module "sysctll" \(modules: .*sysctl.*\)/);
  const j = await lbprov(['doc', 'sysctll', '--json']);
  assert.is(j.code, 5);
  assert.match(
    (JSON.parse(j.stdout) as { errors: Array<{ message: string }> }).errors[0].message,
    /unknown module "sysctll"/,
  );
  assert.is((await lbprov(['doc'])).code, 5);
});

test("README.md's module table is the one generated from the modules", () => {
  const readme = readFileSync(README, 'utf8');
  const fresh = withModuleTable(readme);
  assert.ok(
    readme === fresh,
    "README.md's module table is stale: run `npm run docs` (it rewrites the table from modules/*.ts) and commit README.md",
  );
  for (const m of ALL_MODULES) assert.ok(readme.includes(`| \`${m.name}\` |`), m.name);
});

test('every module has a one-line description, described arguments and return values, check/diff support', () => {
  for (const m of ALL_MODULES) {
    assert.ok(m.description.trim() && !m.description.includes('\n'), `${m.name}: description`);
    for (const [name, p] of Object.entries(props(m)))
      assert.ok(p.description?.trim(), `${m.name}: argument ${name} has no description`);
    for (const [name, r] of Object.entries(m.returns))
      assert.ok(r.description.trim() && r.type, `${m.name}: return value ${name}`);
    assert.ok(['full', 'partial', 'none'].includes(m.check) && ['full', 'partial', 'none'].includes(m.diff), m.name);
  }
});

/**
 * Each module's examples, loaded as the tasks of a playbook by lbprov's own loader: arguments
 * checked against the schema (types, required, unknown keys), expressions and templates parsed.
 * Local `src:` files and notified handlers are supplied so that only the examples are judged.
 */
test("every module has examples, and each example task loads and passes the module's schema", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-doc-examples-'));
  try {
    for (const m of ALL_MODULES) {
      const tasks = parse(m.examples) as Array<Record<string, unknown>>;
      assert.ok(Array.isArray(tasks) && tasks.length > 0, `${m.name}: examples must be a YAML list of tasks`);
      const notify = new Set<string>();
      for (const t of tasks) {
        for (const n of [t.notify ?? []].flat()) notify.add(String(n));
        const args = Object.entries(t).find(([k]) => MODULES.has(k))?.[1];
        const src = args && typeof args === 'object' ? (args as { src?: unknown }).src : undefined;
        if (typeof src === 'string' && !src.startsWith('/')) {
          for (const kind of ['files', 'templates']) {
            mkdirSync(dirname(join(dir, kind, src)), { recursive: true });
            writeFileSync(join(dir, kind, src), 'example\n');
          }
        }
      }
      const handlers = [...notify].map((name) => ({ name, debug: { msg: name } }));
      const pb = join(dir, `${m.name}.yml`);
      writeFileSync(pb, stringify([{ hosts: 'all', gather_facts: false, tasks, handlers }]));
      const loaded = loadPlaybook(pb);
      const modules = loaded.plays[0].tasks.map((t) => t.module);
      assert.ok(
        modules.length === tasks.length && modules.every((n) => n === m.name),
        `${m.name}: every example task uses ${m.name} (got ${modules.join(', ')})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
