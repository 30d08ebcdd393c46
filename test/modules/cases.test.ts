/**
 * Module tests as data: every test/modules/<module>/*.yaml is a task (args, facts, vars, check
 * mode) on a fixture host (files, sysctls, units, packages, pins, command answers) with what it
 * must plan and leave behind. Each case runs twice on the same host: the second run must change
 * nothing (no change reported, host state untouched) unless the case says `idempotent: false` or
 * gives `second:`. Every registered module must have a case folder. `_facts/` holds the fact
 * parsers' cases (command output -> facts), `_judge/` the reuseport self-test's verdicts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODULES } from '../../modules/index.js';
import { judge } from '../../modules/reuseport_selftest.js';
import { packageRoot } from '../../src/util/paths.js';
import { SourceDoc } from '../../src/util/yaml.js';
import { parseFacts } from '../../src/facts/sources.js';
import { parseAnsibleFacts } from '../../src/facts/ansible.js';
import { nicModel } from '../../src/facts/nics.js';
import { check as checkArgs } from '../../src/playbook/schema.js';
import { FixtureHost } from '../helpers/fixture-host.js';
import { outcomeUnlike, runCase, unlike, type Case } from '../helpers/fixture-host-case.js';

const root = join(packageRoot, 'test', 'modules');
const folders = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory());
const yamls = (dir: string): string[] =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
// read as playbooks are (YAML 1.1, as Ansible: `0644` is an octal number, `no` is false); errors name file:line:col
const load = <T>(dir: string, f: string): T =>
  SourceDoc.parse(join(root, dir, f), readFileSync(join(root, dir, f), 'utf8')).value as T;
const names = new Set([...MODULES.values()].map((m) => m.name));

test('every registered module has a case folder with cases; every folder is a module', () => {
  const missing = [...names].filter((n) => !folders.includes(n) || !yamls(n).length);
  assert.equal(missing, [], `modules without cases in test/modules/<module>/*.yaml: ${missing.join(', ')}`);
  const strays = folders.filter((d) => !d.startsWith('_') && !names.has(d));
  assert.equal(strays, [], `case folders that are no registered module: ${strays.join(', ')}`);
});

for (const dir of folders.filter((d) => names.has(d))) {
  const mod = MODULES.get(dir)!;
  for (const f of yamls(dir)) {
    const c = load<Case>(dir, f);
    test(`${dir}/${f}${c.name ? `: ${c.name}` : ''}`, () => {
      const host = new FixtureHost(c.host);
      const before = host.snapshot();
      const first = runCase(mod, c, join(root, dir), host);
      const problems = outcomeUnlike(first, c.expect, host, 'expect');
      if (c.check) problems.push(...unlike(host.snapshot(), before, 'check mode left the host'));
      if (c.between) host.patch(c.between);
      const afterFirst = host.snapshot();
      const second = runCase(
        mod,
        c.second_args ? { ...c, args: { ...c.args, ...c.second_args } } : c,
        join(root, dir),
        host,
      );
      if (c.second) problems.push(...outcomeUnlike(second, c.second, host, 'second'));
      else if (c.check) {
        // check mode changed nothing, so a second check predicts the same
        problems.push(
          ...unlike(
            { ...second, steps: second.steps.length },
            { ...first, steps: first.steps.length },
            'second check run',
          ),
        );
      } else if (c.idempotent !== false) {
        if (second.status === 'changed' || (second.status === 'failed' && first.status !== 'failed'))
          problems.push(`second run: ${second.status} (${second.msg ?? ''}), expected no change`);
        problems.push(...unlike(host.snapshot(), afterFirst, 'second run changed the host'));
      }
      assert.ok(!problems.length, `\n  ${problems.join('\n  ')}`);
    });
  }
}

/** test/modules/_facts/*.yaml: `parser`, `input` (what the host printed), `expect` (a subset of the facts). */
const PARSERS: Record<string, (input: string) => unknown> = {
  facts: parseFacts,
  ansible: parseAnsibleFacts,
  nic_model: (input) => {
    const [vendor = '', device = ''] = input.trim().split(/\s+/);
    return nicModel(vendor || null, device || null);
  },
};

for (const f of folders.includes('_facts') ? yamls('_facts') : []) {
  const c = load<{ name?: string; parser: string; input: string; expect: unknown }>('_facts', f);
  test(`_facts/${f}${c.name ? `: ${c.name}` : ''}`, () => {
    const parser = PARSERS[c.parser];
    assert.ok(parser, `unknown parser ${c.parser} (one of ${Object.keys(PARSERS).join(', ')})`);
    const problems = unlike(parser(c.input), c.expect, 'facts');
    assert.ok(!problems.length, `\n  ${problems.join('\n  ')}`);
  });
}

/** test/modules/_judge/*.yaml: the self-test's args, the helper's output (`report` + `pinned_tag`, or raw `stdout`), the verdict. */
for (const f of folders.includes('_judge') ? yamls('_judge') : []) {
  const c = load<{
    name?: string;
    args: Record<string, unknown>;
    report?: unknown;
    pinned_tag?: string;
    stdout?: string;
    stderr?: string;
    rc?: number;
    expect: unknown;
  }>('_judge', f);
  test(`_judge/${f}${c.name ? `: ${c.name}` : ''}`, () => {
    const args = structuredClone(c.args);
    assert.equal(checkArgs(MODULES.get('reuseport_selftest')!.schema, args, 'reuseport_selftest'), []);
    const stdout = c.stdout ?? `${JSON.stringify(c.report)}\n${c.pinned_tag ?? ''}\n`;
    const verdict = judge(args as unknown as Parameters<typeof judge>[0], {
      rc: c.rc ?? 0,
      stdout,
      stderr: c.stderr ?? '',
    });
    const problems = unlike(verdict, c.expect, 'judge');
    assert.ok(!problems.length, `\n  ${problems.join('\n  ')}`);
  });
}

test('the runner itself fails a wrong expectation, an unknown step and a read it cannot answer', () => {
  const host = new FixtureHost();
  const o = runCase(MODULES.get('copy')!, { args: { dest: '/x', content: 'a' }, expect: {} }, root, host);
  assert.equal(
    outcomeUnlike(
      o,
      { status: 'changed', steps: [{ write: '/x', content: 'a' }], host: { files: { '/x': { content: 'a' } } } },
      host,
      'e',
    ),
    [],
  );
  assert.ok(outcomeUnlike(o, { status: 'ok' }, host, 'e').length);
  assert.ok(outcomeUnlike(o, { steps: [{ write: '/x', content: 'b' }] }, host, 'e').length);
  assert.ok(outcomeUnlike(o, { steps: [{ exec: ['chmod', '...'] }] }, host, 'e').length);
  assert.ok(outcomeUnlike(o, { host: { files: { '/x': { mode: '0600' } } } }, host, 'e').length);
  assert.ok(outcomeUnlike(o, { msg: '/^updated/' }, host, 'e').length);
  assert.throws(() => host.apply({ op: 'exec', argv: ['reboot'] }), /cannot run the step/);
  assert.throws(() => host.read({ kind: 'exec', argv: ['uname', '-r'] }), /no answer for the read/);
});

test.run();
