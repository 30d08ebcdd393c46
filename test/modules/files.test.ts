import { test } from 'uvu';
import * as assert from 'uvu/assert';
import copy from '../../modules/copy.js';
import file from '../../modules/file.js';
import template, { validateArgv } from '../../modules/template.js';
import { FixtureHost, context, planOn, twice } from '../helpers/fixture-host.js';

const f = (content: string, mode = '0644') => ({ type: 'file' as const, mode, owner: 'root', group: 'root', content });

test('copy: creates through one atomic write with mode, then is a no-op', () => {
  const host = new FixtureHost();
  const [first, second] = twice(copy, { dest: '/etc/x.conf', content: 'a=1\n', mode: '0600' }, host);
  assert.is(first.changed, true);
  assert.equal(first.steps.map((s) => s.op), ['write']);
  assert.is(first.steps[0].op === 'write' && first.steps[0].mode, '0600');
  assert.equal(first.diff, [{ path: '/etc/x.conf', before: '', after: 'a=1\n' }]);
  assert.is(second.changed, false);
  assert.equal(second.steps, []);
});

test('copy: a content change is a write with a before/after diff; mode kept unless given', () => {
  const host = new FixtureHost({ '/etc/x.conf': f('a=1\n', '0640') });
  const p = planOn(copy, { dest: '/etc/x.conf', content: 'a=2\n' }, host);
  assert.equal(p.diff, [{ path: '/etc/x.conf', before: 'a=1\n', after: 'a=2\n' }]);
  assert.is(p.steps[0].op === 'write' && p.steps[0].mode, undefined, 'the executor keeps the existing mode');
});

test('copy: only the mode differs -> chmod, no rewrite; YAML 1.1 octal numbers are modes', () => {
  const host = new FixtureHost({ '/etc/x.conf': f('same\n', '0644') });
  const [first, second] = twice(copy, { dest: '/etc/x.conf', content: 'same\n', mode: 0o600 }, host);
  assert.equal(first.steps, [{ op: 'exec', argv: ['chmod', '0600', '--', '/etc/x.conf'], what: 'chmod 0600 /etc/x.conf' }]);
  assert.is(second.changed, false);
});

test('copy: src is read from the controller; a directory at dest fails clearly', () => {
  const host = new FixtureHost({ '/srv/d': { type: 'directory', mode: '0755', owner: 'root', group: 'root' } });
  const p = planOn(copy, { dest: '/srv/new', src: 'lb_hash.c' }, host);
  assert.is((p.steps[0] as { content: Buffer }).content.toString(), 'local:lb_hash.c\n');
  assert.match(planOn(copy, { dest: '/srv/d', content: 'x' }, host).failed ?? '', /is a directory, not a file/);
  assert.throws(() => planOn(copy, { dest: '/x' }, host), /exactly one/);
});

test('template: renders with the task variables, validate becomes an argv', () => {
  const host = new FixtureHost();
  const ctx = context({ localFile: () => Buffer.from('port={{ port }}\n'), render: (t) => t.replace('{{ port }}', '443') });
  const [first, second] = twice(template, { src: 'x.hbs', dest: '/etc/x', validate: 'systemd-analyze verify %s' }, host, ctx);
  assert.is(first.diff?.[0].after, 'port=443\n');
  assert.equal((first.steps[0] as { validate?: string[] }).validate, ['systemd-analyze', 'verify', '%s']);
  assert.is(second.changed, false);
  assert.throws(() => validateArgv('check %s | tee log'), /plain command/);
});

test('file: directory, touch, link and absent are each idempotent', () => {
  const host = new FixtureHost();
  for (const args of [
    { path: '/opt/lbprov', state: 'directory', mode: '0750' },
    { path: '/opt/lbprov/flag', state: 'touch' },
    { path: '/opt/lbprov/link', state: 'link', src: '/opt/lbprov/flag' },
    { path: '/opt/lbprov/flag', state: 'absent' },
  ]) {
    const [first, second] = twice(file, args, host);
    assert.is(first.changed, true, `${JSON.stringify(args)} changes first`);
    assert.is(second.changed, false, `${JSON.stringify(args)} is a no-op second`);
  }
  assert.is(host.fs['/opt/lbprov'].mode, '0750');
  assert.is(host.fs['/opt/lbprov/link'].target, '/opt/lbprov/flag');
});

test('file: refuses what would destroy data; state=file needs the file', () => {
  const host = new FixtureHost({ '/d': { type: 'directory', mode: '0755', owner: 'root', group: 'root' }, '/f': f('x') });
  assert.match(planOn(file, { path: '/d', state: 'link', src: '/x' }, host).failed ?? '', /refusing/);
  assert.match(planOn(file, { path: '/f', state: 'directory' }, host).failed ?? '', /not a directory/);
  assert.match(planOn(file, { path: '/nope' }, host).failed ?? '', /does not exist/);
  assert.throws(() => planOn(file, { path: '/l', state: 'link' }, host), /src/);
});

test.run();
