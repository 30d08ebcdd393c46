import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckOverlay } from '../src/executor/check-overlay.js';
import type { CheckKnown, Seen } from '../src/module/types.js';
import { contentPlan } from '../src/module/files.js';
import { access, followKnown } from '../src/module/check-known.js';
import { applyJson } from './helpers/cli.js';

/** Check mode sees the files earlier tasks of the same check run would have written. */
const test = suite('check mode predicts a run task by task');

test('recorded writes answer later stat and file reads; exec reads and other paths are untouched', () => {
  const o = new CheckOverlay();
  const reads = { dest: { kind: 'stat' as const, path: '/etc/a.conf' } };
  o.record(
    { changed: true, steps: [{ op: 'write', path: '/etc/a.conf', content: Buffer.from('x=1\n'), mode: '0600' }] },
    reads,
    { dest: { rc: 0, stdout: Buffer.alloc(0), stderr: '', stat: null } },
  );
  o.record({ changed: false, steps: [{ op: 'write', path: '/etc/b.conf', content: Buffer.from('') }] }, {}, {});
  assert.ok(o.has('/etc/a.conf'));
  assert.not.ok(o.has('/etc/b.conf'), 'an unchanged plan writes nothing');
  const seen = {
    f: { rc: 1, stdout: Buffer.alloc(0), stderr: 'no such file', stat: null },
    s: { rc: 0, stdout: Buffer.from('x'), stderr: '' },
    g: { rc: 0, stdout: Buffer.alloc(0), stderr: '', stat: null },
  };
  const out = o.apply(
    {
      f: { kind: 'file', path: '/etc/a.conf' },
      s: { kind: 'exec', argv: ['cat', '/etc/a.conf'] },
      g: { kind: 'stat', path: '/etc/c.conf' },
    },
    seen,
  );
  assert.is(out.f.stdout.toString(), 'x=1\n');
  assert.equal(out.f.stat, { type: 'file', mode: '0600', owner: 'root', group: 'root', size: 4 });
  assert.is(out.s, seen.s);
  assert.is(out.g, seen.g);
});

test("the file-system steps and a plan's checkPaths: link, chmod, chown, rm -rf of a directory, creates/removes", () => {
  const o = new CheckOverlay();
  const none = { rc: 0, stdout: Buffer.alloc(0), stderr: '', stat: null };
  const file = {
    rc: 0,
    stdout: Buffer.from('x\n'),
    stderr: '',
    stat: { type: 'file' as const, mode: '0600', owner: 'root', group: 'root', size: 2 },
  };
  const exec = (...argv: string[]) => ({ op: 'exec' as const, argv });
  o.record({ changed: true, steps: [exec('ln', '-sfn', '--', '/d/f', '/d/l')] }, {}, {});
  o.record(
    { changed: true, steps: [exec('chown', '--', 'app:adm', '/d/f'), exec('chmod', '0644', '--', '/d/f')] },
    { f: { kind: 'file', path: '/d/f' } },
    { f: file },
  );
  o.record({ changed: true, steps: [], checkPaths: { '/d/made': { type: 'file' }, '/d/gone': null } }, {}, {});
  const stat = (path: string, seen: Seen = none) => o.apply({ r: { kind: 'file', path } }, { r: seen }).r;
  assert.equal(stat('/d/l').stat, {
    type: 'link',
    mode: '0777',
    owner: 'root',
    group: 'root',
    size: 0,
    target: '/d/f',
  });
  const f = stat('/d/f', file);
  assert.equal(f.stat, { type: 'file', mode: '0644', owner: 'app', group: 'adm', size: 2 });
  assert.is(f.stdout.toString(), 'x\n', 'an attribute change keeps the content the host has');
  assert.is(stat('/d/made').stat?.type, 'file');
  assert.is(stat('/d/gone', file).stat, null);
  o.record({ changed: true, steps: [exec('rm', '-rf', '--', '/d')] }, {}, {});
  assert.is(stat('/d/f', file).stat, null, 'what was under a removed directory is gone');
  assert.not.ok(o.has('/d/l'));
  o.record({ changed: true, steps: [exec('mkdir', '-p', '--', '/d')] }, {}, {});
  assert.is(stat('/d').stat?.type, 'directory');
  assert.is(stat('/d/other', file).stat, null, 'a directory made again is empty');
});

test('lookup: what a path would hold (content, removal), folders implied by what is under them, trailing slashes', () => {
  const o = new CheckOverlay();
  const none = { rc: 0, stdout: Buffer.alloc(0), stderr: '', stat: null };
  const exec = (...argv: string[]) => ({ op: 'exec' as const, argv });
  o.record(
    { changed: true, steps: [exec('mkdir', '-p', '--', '/srv/a/b')] },
    { d: { kind: 'stat', path: '/srv/a/b' } },
    { d: none },
  );
  o.record({ changed: true, steps: [{ op: 'write', path: '/srv/a/b/f', content: Buffer.from('hi\n') }] }, {}, {});
  o.record({ changed: true, steps: [exec('rm', '-rf', '--', '/old')] }, {}, {});
  assert.equal(o.lookup('/srv/a/b/f')?.content?.toString(), 'hi\n');
  assert.is(o.lookup('/srv/a/b/')?.stat?.type, 'directory');
  assert.not.ok(o.lookup('/srv/a/b')?.implied, 'made by mkdir: known, not implied');
  assert.equal(o.lookup('/srv/a'), {
    stat: { type: 'directory', mode: '0755', owner: 'root', group: 'root', size: 0 },
    implied: true,
  });
  assert.equal(o.lookup('/old/x'), { stat: null });
  assert.is(o.lookup('/srv/other'), undefined);
  // the copy of the stat is the caller's: changing it changes nothing recorded
  o.lookup('/srv/a/b/f')!.stat!.mode = '0777';
  assert.is(o.lookup('/srv/a/b/f')?.stat?.mode, '0644');
});

test("apply: a missing path's folder an earlier task would make is there; one it would remove is missing", () => {
  const o = new CheckOverlay();
  const exec = (...argv: string[]) => ({ op: 'exec' as const, argv });
  const missing = (parentMissing: boolean): Seen => ({
    rc: 0,
    stdout: Buffer.alloc(0),
    stderr: '',
    stat: null,
    parentMissing,
  });
  o.record(
    { changed: true, steps: [exec('mkdir', '-p', '--', '/srv/new/sub')] },
    { d: { kind: 'stat', path: '/srv/new/sub' } },
    { d: missing(true) },
  );
  o.record({ changed: true, steps: [exec('rm', '-rf', '--', '/etc/app')] }, {}, {});
  const reads = {
    made: { kind: 'file' as const, path: '/srv/new/sub/f' },
    implied: { kind: 'file' as const, path: '/srv/new/g' },
    removed: { kind: 'file' as const, path: '/etc/app/app.conf' },
    host: { kind: 'file' as const, path: '/nodir/f' },
  };
  const exists: Seen = {
    rc: 0,
    stdout: Buffer.from('x'),
    stderr: '',
    stat: { type: 'file', mode: '0644', owner: 'root', group: 'root', size: 1 },
  };
  const out = o.apply(reads, { made: missing(true), implied: missing(true), removed: exists, host: missing(true) });
  assert.is(out.made.parentMissing, false);
  assert.is(out.implied.parentMissing, false);
  assert.is(out.removed.stat, null);
  assert.is(out.removed.parentMissing, true);
  assert.is(out.host.parentMissing, true, 'what no task changes stays as the host said');
});

test("copy and template fail as Ansible's when the destination folder is missing, in check mode as in a real run", () => {
  const seen: Seen = { rc: 0, stdout: Buffer.alloc(0), stderr: '', stat: null, parentMissing: true };
  const plan = contentPlan('/srv/none/app.conf', seen, Buffer.from('x'), {});
  assert.is(plan.failed, 'Destination directory /srv/none does not exist');
  assert.equal(plan.steps, []);
  assert.ok(contentPlan('/srv/app.conf', { ...seen, parentMissing: false }, Buffer.from('x'), {}).changed);
});

test('followKnown and access: links an earlier task would make, as the kernel follows them; what a user may do', () => {
  const known: Record<string, CheckKnown> = {
    '/a/l': { stat: { type: 'link', mode: '0777', owner: 'root', group: 'root', size: 0, target: '../b/l2' } },
    '/b/l2': { stat: { type: 'link', mode: '0777', owner: 'root', group: 'root', size: 0, target: 'f' } },
    '/b/f': { stat: { type: 'file', mode: '0640', owner: 'app', group: 'adm', size: 1 }, content: Buffer.from('x') },
    '/loop': { stat: { type: 'link', mode: '0777', owner: 'root', group: 'root', size: 0, target: '/loop' } },
  };
  const at = (p: string) => known[p];
  assert.equal(followKnown('/a/l', at), { path: '/b/f', known: known['/b/f'] });
  assert.equal(followKnown('/a/x', at), { path: '/a/x', known: undefined });
  assert.is(followKnown('/loop', at).path, '/loop', 'a loop ends');
  const st = { mode: '0640', type: 'file', uid: 1001, gid: 4 };
  assert.equal(access({ uid: 0, groups: [0] }, st), { readable: true, writeable: true, executable: false });
  assert.equal(access({ uid: 1001, groups: [1001] }, st), { readable: true, writeable: true, executable: false });
  assert.equal(access({ uid: 1002, groups: [4] }, st), { readable: true, writeable: false, executable: false });
  assert.equal(access({ uid: 1003, groups: [1003] }, st), { readable: false, writeable: false, executable: false });
  assert.is(access({ uid: 0, groups: [0] }, { ...st, mode: '0700', type: 'directory' }).executable, true);
  assert.is(access({ uid: 0, groups: [0] }, { ...st, mode: '0001' }).executable, true);
});

test('a check run predicts a second write of the same file as ok, as the real run then reports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-overlay-'));
  const pb = join(dir, 'pb.yml');
  writeFileSync(
    pb,
    [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      `    - { name: first, copy: { content: "port = 80\\n", dest: "${dir}/app.conf", mode: "0640" } }`,
      `    - { name: same again, copy: { content: "port = 80\\n", dest: "${dir}/app.conf", mode: "0640" } }`,
      `    - { name: changed again, copy: { content: "port = 81\\n", dest: "${dir}/app.conf", mode: "0640" } }`,
      '',
    ].join('\n'),
  );
  const check = await applyJson([pb, '--check', '--diff']);
  assert.is(check.code, 0, check.stderr);
  assert.not.ok(existsSync(join(dir, 'app.conf')), 'check mode wrote nothing');
  const status = (r: typeof check): string[] =>
    r.run.plays[0].tasks.map((t) => `${t.name}: ${t.hosts.localhost.status}`);
  assert.equal(status(check), ['first: changed', 'same again: ok', 'changed again: changed']);
  const diff = check.run.plays[0].tasks[2].hosts.localhost.diff?.[0];
  assert.is(diff?.before, 'port = 80\n', 'the diff is against what the run would have written');
  const real = await applyJson([pb]);
  assert.equal(status(real), status(check));
});

test.run();
