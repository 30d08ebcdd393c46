import { test } from 'uvu';
import * as assert from 'uvu/assert';
import command from '../../modules/command.js';
import shell from '../../modules/shell.js';
import assertMod from '../../modules/assert.js';
import debug from '../../modules/debug.js';
import { splitCommand } from '../../src/module/command.js';
import { FixtureHost, context, planOn } from '../helpers/fixture-host.js';

test('command: a string is split into argv without a shell; shell syntax is refused', () => {
  assert.equal(splitCommand(`echo "a b" 'c$d' e\\ f`), ['echo', 'a b', 'c$d', 'e f']);
  assert.throws(() => splitCommand('cat /etc/passwd | wc -l'), /use the shell module/);
  const p = planOn(command, { cmd: 'uname -r' }, new FixtureHost());
  assert.equal(p.steps, [{ op: 'exec', argv: ['env', '--', 'uname', '-r'], capture: true }]);
  assert.ok(p.checkSkip, 'in check mode a command is skipped: its effect cannot be predicted');
});

test('command: creates/removes make it idempotent; chdir uses env -C', () => {
  const host = new FixtureHost({ '/done': { type: 'file', mode: '0644', owner: 'root', group: 'root', content: '' } });
  assert.is(planOn(command, { argv: ['make'], creates: '/done' }, host).changed, false);
  assert.is(planOn(command, { argv: ['make'], removes: '/absent' }, host).changed, false);
  assert.equal(planOn(command, { argv: ['make', 1], chdir: '/src' }, host).steps[0], { op: 'exec', argv: ['env', '-C', '/src', '--', 'make', '1'], capture: true });
});

test('command: the result is read from the run; a non-zero rc fails with stderr', () => {
  const p = planOn(command, { cmd: 'false' }, new FixtureHost());
  const bad = p.interpret!([{ rc: 3, stdout: 'out\n', stderr: 'it broke\n' }]);
  assert.match(bad.failed ?? '', /non-zero return code 3: it broke/);
  const ok = p.interpret!([{ rc: 0, stdout: 'a\nb\n', stderr: '' }]);
  assert.equal(ok.result?.stdout_lines, ['a', 'b']);
  assert.is(ok.result?.stdout, 'a\nb');
});

test('shell: runs through /bin/sh -c', () => {
  assert.equal(planOn(shell, { cmd: 'echo $HOME | wc -c' }, new FixtureHost()).steps[0], { op: 'exec', argv: ['env', '--', '/bin/sh', '-c', 'echo $HOME | wc -c'], capture: true });
});

test('assert and debug change nothing', () => {
  const no = planOn(assertMod, { that: ['a', 'b'], fail_msg: 'nope' }, new FixtureHost(), context({ evaluate: (e) => e === 'a' }));
  assert.is(no.failed, 'nope');
  const yes = planOn(assertMod, { that: 'a' }, new FixtureHost(), context({ evaluate: () => true }));
  assert.is(yes.failed, undefined);
  assert.is(yes.changed, false);
  assert.is(planOn(debug, { msg: 'hi' }, new FixtureHost()).msg, 'hi');
  assert.is(planOn(debug, { var: 'x' }, new FixtureHost(), context({ evaluate: () => [1] })).msg, 'x = [1]');
});

test.run();
