import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { becomeChannel, becomeCommand, BecomeError } from '../src/transport/become.js';
import { becomeFor } from '../src/executor/become.js';
import { Scope } from '../src/playbook/scope.js';
import type { Channel } from '../src/transport/types.js';

/** How become commands are built (as Ansible's sudo and su plugins build them) and who a task becomes. */

test("sudo without a password: Ansible's flags -H -S -n, the command after a success marker", () => {
  const c = becomeCommand(['bash', '-c', 'AGENT'], { method: 'sudo', user: 'root' }, 'ID');
  assert.equal(c.argv, [
    'sudo',
    '-H',
    '-S',
    '-n',
    '-u',
    'root',
    '--',
    '/bin/sh',
    '-c',
    'echo BECOME-SUCCESS-ID; exec "$@"',
    'sh',
    'bash',
    '-c',
    'AGENT',
  ]);
  assert.is(c.prompt, undefined);
});

test('sudo with a password: -n dropped (also inside -nH), -S kept or added, a prompt of its own; no password in argv', () => {
  const c = becomeCommand(['id'], { method: 'sudo', user: 'deploy', flags: '-nH -E', password: 'pw-secret' }, 'ID');
  assert.equal(c.argv, [
    'sudo',
    '-H',
    '-E',
    '-S',
    '-p',
    '[sudo via lbprov, key=ID] password:',
    '-u',
    'deploy',
    '--',
    '/bin/sh',
    '-c',
    'echo BECOME-SUCCESS-ID; exec "$@"',
    'sh',
    'id',
  ]);
  assert.not.ok(c.argv.join(' ').includes('pw-secret'));
});

test('su: flags, user, one shell-quoted -c command', () => {
  const c = becomeCommand(['bash', '-c', "it's"], { method: 'su', user: 'svc', flags: '-l', password: 'x' }, 'ID');
  assert.equal(c.argv.slice(0, 4), ['su', '-l', 'svc', '-c']);
  assert.is(c.argv[4], `/bin/sh -c 'echo BECOME-SUCCESS-ID; exec "$@"' sh bash -c 'it'\\''s'`);
});

/** A channel driven by the test: what the host would print, and what lbprov wrote to it. */
function fakeChannel(): {
  chan: Channel;
  written: string[];
  out: (s: string) => void;
  err: (s: string) => void;
  close: (why?: string) => void;
  closed: () => boolean;
} {
  let data: (d: Buffer) => void = () => {};
  let errCb: (d: Buffer) => void = () => {};
  let closeCb: (why?: string) => void = () => {};
  let closed = false;
  const written: string[] = [];
  return {
    chan: {
      write: (d) => written.push(d.toString()),
      onData: (cb) => (data = cb),
      onStderr: (cb) => (errCb = cb),
      onClose: (cb) => (closeCb = cb),
      close: () => (closed = true),
    },
    written,
    out: (s) => data(Buffer.from(s)),
    err: (s) => errCb(Buffer.from(s)),
    close: (why) => closeCb(why),
    closed: () => closed,
  };
}

test('the handshake: answers the prompt once, then hands over what follows the marker', async () => {
  const spec = { method: 'sudo' as const, user: 'root', password: 'pw' };
  const cmd = becomeCommand(['x'], spec, 'ID');
  const f = fakeChannel();
  const p = becomeChannel(f.chan, spec, cmd, 5000);
  f.err('sudo: unable to resolve host h1\n[sudo via lbprov, key=ID] password:');
  assert.equal(f.written, ['pw\n']);
  f.out('BECOME-SUCCESS-ID\n@@first');
  const chan = await p;
  let got = '';
  chan.onData((d) => (got += d.toString()));
  assert.is(got, '@@first');
});

test("a second prompt is a wrong password: BecomeError with sudo's words; the channel is closed", async () => {
  const spec = { method: 'sudo' as const, user: 'root', password: 'bad' };
  const cmd = becomeCommand(['x'], spec, 'ID');
  const f = fakeChannel();
  const p = becomeChannel(f.chan, spec, cmd, 5000);
  f.err('[sudo via lbprov, key=ID] password:');
  f.err('Sorry, try again.\n[sudo via lbprov, key=ID] password:');
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.instance(e, BecomeError);
  assert.is((e as Error).message, 'sudo to root: the password was refused: Sorry, try again.');
  assert.ok(f.closed());
  assert.equal(f.written, ['bad\n'], 'the password is sent once only');
});

test('sudo exiting before the marker, and su failing, are BecomeErrors with their messages', async () => {
  const spec = { method: 'sudo' as const, user: 'root' };
  const f = fakeChannel();
  const p = becomeChannel(f.chan, spec, becomeCommand(['x'], spec, 'ID'), 5000);
  f.err('sudo: a password is required\n');
  f.close('exited (1)');
  assert.is(((await p.catch((e: Error) => e)) as Error).message, 'sudo to root failed: sudo: a password is required');
  const su = { method: 'su' as const, user: 'svc', password: 'p' };
  const g = fakeChannel();
  const q = becomeChannel(g.chan, su, becomeCommand(['x'], su, 'ID'), 5000);
  g.err('Password: ');
  assert.equal(g.written, ['p\n']);
  g.err('su: Authentication failure\n');
  g.close('exited (1)');
  assert.is(((await q.catch((e: Error) => e)) as Error).message, 'su to svc failed: su: Authentication failure');
});

test('who a task becomes, as Ansible: variables > task keyword > play keyword > -b/config > defaults; templates rendered', () => {
  const none = new Scope({ flag: 'yes', pw: 's3' }, {});
  assert.is(becomeFor({}, {}, none), undefined);
  assert.equal(becomeFor({ become: '{{ flag }}' }, {}, none), {
    method: 'sudo',
    user: 'root',
    flags: undefined,
    password: undefined,
  });
  assert.is(becomeFor({ become: false }, { become: true }, none), undefined, "the task keyword beats the play's");
  assert.is(becomeFor({}, { become: false }, none, { ansible_become: true }), undefined, 'a play keyword beats -b');
  assert.is(becomeFor({}, {}, none, { ansible_become: true, ansible_become_user: 'cli' })?.user, 'cli');
  assert.is(
    becomeFor({}, { become: true, becomeUser: 'playuser' }, none, { ansible_become_user: 'cli' })?.user,
    'playuser',
  );
  const vars = new Scope(
    { ansible_become: true, ansible_become_user: 'varuser', pw: 's3', ansible_become_password: '{{ pw }}' },
    {},
  );
  assert.equal(
    becomeFor({ become: false, becomeUser: 'taskuser' }, { becomeMethod: 'su' }, vars),
    { method: 'su', user: 'varuser', flags: undefined, password: 's3' },
    'variables beat keywords (ansible-playbook does the same)',
  );
  assert.is(
    becomeFor({}, {}, none, { ansible_become: true, ansible_become_password: 'k' })?.password,
    'k',
    "-K's answer",
  );
  assert.is(
    becomeFor({}, {}, vars, { ansible_become_password: 'k' })?.password,
    's3',
    'ansible_become_password beats -K',
  );
  assert.throws(
    () => becomeFor({ become: true, becomeMethod: 'doas' }, {}, none),
    /become_method "doas" is not supported/,
  );
});

test.run();
