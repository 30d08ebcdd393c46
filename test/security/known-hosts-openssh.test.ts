import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostToken, KnownHosts, matchPattern } from '../../src/transport/known-hosts.js';

/**
 * known_hosts as OpenSSH reads it: every case is checked against `ssh-keygen -F` on the same file,
 * with real keys made by ssh-keygen.
 */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-kh-ssh-'));
function realKey(name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', join(dir, name)]);
  const [type, b64] = readFileSync(join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(/\s+/);
  return { line: `${type} ${b64}`, blob: Buffer.from(b64, 'base64') };
}
const A = realKey('a');
const B = realKey('b');
const C = realKey('c');

function write(name: string, lines: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** The lines `ssh-keygen -F host -f file` reports (CA lines left out: lbprov skips them). */
function keygenLines(host: string, file: string): number[] {
  const r = spawnSync('ssh-keygen', ['-F', host, '-f', file], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)(.*)$/gm)]
    .filter((m) => !/CA/.test(m[2]))
    .map((m) => Number(m[1]));
}

const PLAIN = [
  `web.example.com ${A.line}`,
  `Mixed.Example.COM ${A.line}`,
  `[10.1.0.5]:2222 ${A.line}`,
  `[port.example]:2200,alias.example ${B.line}`,
  `10.1.0.5 ${B.line}`,
  `db?.example,!db9.example,db* ${C.line}`,
  `*.lab,!secret.lab ${B.line}`,
  `[*.wild]:2022 ${C.line}`,
  `@revoked revoked.example ${C.line}`,
  `@cert-authority *.ca.example ${A.line}`,
  `# a comment`,
  ``,
  `multi-a,multi-b,[multi-c]:22,[multi-d]:2022 ${A.line}`,
];
const QUERIES = [
  'web.example.com',
  'WEB.Example.com',
  'mixed.example.com',
  'MIXED.EXAMPLE.COM',
  '10.1.0.5',
  '[10.1.0.5]:2222',
  '[10.1.0.5]:22',
  '[port.example]:2200',
  'port.example',
  '[PORT.example]:2200',
  'alias.example',
  'db1.example',
  'db9.example',
  'dbx.example',
  'db12.example',
  'x.lab',
  'secret.lab',
  'lab',
  '[a.wild]:2022',
  'a.wild',
  '[a.wild]:2023',
  'revoked.example',
  'host.ca.example',
  'multi-a',
  'multi-b',
  'multi-c',
  '[multi-c]:22',
  '[multi-d]:2022',
  'multi-d',
  'nothing.example',
  '[nothing]:1',
];

test('plain names, patterns, negation, comma lists, [host]:port, case: the lines ssh-keygen -F finds', () => {
  const f = write('plain', PLAIN);
  const kh = KnownHosts.load(f, { warn: () => undefined });
  assert.equal(kh.warnings, []);
  for (const q of QUERIES) assert.equal(kh.linesFor(q), keygenLines(q, f), `ssh-keygen -F '${q}'`);
});

test("hashed names (ssh-keygen -H of the same file, and lbprov's own): the lines ssh-keygen -F finds", () => {
  const f = write(
    'hashed',
    PLAIN.filter((l) => !/[*?!]/.test(l) && !l.startsWith('@cert')),
  );
  const h = join(dir, 'hashed.h');
  copyFileSync(f, h);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', h], { stdio: 'ignore' });
  assert.match(readFileSync(h, 'utf8'), /^\|1\|/m);
  const kh = KnownHosts.load(h, { warn: () => undefined });
  // ssh lower-cases the name it looks up; ssh-keygen -F does not for hashed names, so ask it in lower case
  for (const q of QUERIES.map((x) => x.toLowerCase()))
    assert.equal(kh.linesFor(q), keygenLines(q, h), `ssh-keygen -F '${q}' (hashed)`);
  assert.is(kh.verify('[10.1.0.5]:2222', A.blob, 'strict'), null);
  assert.match(kh.verify('[10.1.0.5]:2222', B.blob, 'strict') ?? '', /MISMATCH/);
  assert.is(kh.verify('Web.Example.COM', A.blob, 'strict'), null, 'case folded before hashing');
});

test('strict: a [host]:port entry is honoured (accepted with its key, refused with another, unknown port refused)', () => {
  const f = write('port', [`[10.2.0.1]:2222 ${A.line}`]);
  const kh = KnownHosts.load(f);
  const t = hostToken('10.2.0.1', 2222);
  assert.is(kh.verify(t, A.blob, 'strict'), null);
  assert.match(kh.verify(t, B.blob, 'strict') ?? '', /MISMATCH.*line 1/);
  assert.match(
    kh.verify(t, B.blob, 'accept-new') ?? '',
    /MISMATCH/,
    'accept-new never takes another key for a known [host]:port',
  );
  assert.match(kh.verify(hostToken('10.2.0.1', 22), A.blob, 'strict') ?? '', /is not in/);
  assert.is(hostToken('10.2.0.1'), '10.2.0.1', 'port defaults to 22');
  assert.is(readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 1, 'nothing appended');
});

test('malformed lines are skipped with a warning and never spoil the other lines', () => {
  const f = write('broken', [
    `[broken ${A.line}`, // an odd pattern, but a valid line: ssh reads it literally
    `(((* ${B.line}`,
    `h7 ssh-ed25519 !!!notbase64`,
    `h8`,
    `@foo h9 ${A.line}`,
    `|2|abc|def ${A.line}`,
    `h10 ssh-rsa ${A.line.split(' ')[1]}`,
    `good.example ${C.line}`,
  ]);
  const seen: string[] = [];
  const kh = KnownHosts.load(f, { warn: (m) => seen.push(m) });
  assert.is(kh.verify('good.example', C.blob, 'strict'), null);
  assert.is(kh.verify('[broken', A.blob, 'strict'), null);
  assert.is(kh.verify('((((x', B.blob, 'strict'), null);
  assert.equal(
    seen.map((m) => Number(/:(\d+): /.exec(m)?.[1])),
    [3, 4, 5, 6, 7],
  );
  assert.ok(seen.every((m) => m.startsWith(`${f}:`) && m.endsWith('line skipped')));
  assert.equal(kh.linesFor('good.example'), keygenLines('good.example', f));
});

test('@revoked refuses the key (whatever the host); @cert-authority lines are skipped', () => {
  const f = write('revoked', [
    `@revoked revoked.example ${C.line}`,
    `other.example ${C.line}`,
    `@cert-authority * ${A.line}`,
  ]);
  const kh = KnownHosts.load(f);
  assert.match(kh.verify('revoked.example', C.blob, 'accept-new') ?? '', /@revoked/);
  assert.match(kh.verify('other.example', C.blob, 'strict') ?? '', /@revoked/);
  assert.match(
    kh.verify('any.example', A.blob, 'strict') ?? '',
    /is not in/,
    'a CA line does not vouch for a plain key',
  );
});

test('accept-new: ~/.ssh made 0700, file 0600, written by rename, and a second run trusts it (ssh-keygen -F agrees)', () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const f = join(home, '.ssh', 'known_hosts');
  const kh = KnownHosts.load(f);
  assert.is(kh.verify('[10.3.0.1]:2222', A.blob, 'accept-new'), null);
  assert.is(statSync(join(home, '.ssh')).mode & 0o777, 0o700);
  assert.is(statSync(f).mode & 0o777, 0o600);
  assert.equal(keygenLines('[10.3.0.1]:2222', f), [1]);
  assert.equal(keygenLines('10.3.0.1', f), []);
  assert.is(kh.verify('[10.3.0.1]:2222', A.blob, 'accept-new'), null);
  assert.is(KnownHosts.load(f).verify('[10.3.0.1]:2222', A.blob, 'strict'), null);
  assert.is(readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 1, 'recorded once');
  // the file's own mode is kept; no temp file is left beside it
  chmodSync(f, 0o640);
  assert.is(KnownHosts.load(f).verify('Second.Example', B.blob, 'accept-new'), null);
  assert.is(statSync(f).mode & 0o777, 0o640);
  assert.equal(readdirSync(join(home, '.ssh')), ['known_hosts']);
  assert.equal(keygenLines('second.example', f), [2]);
});

test('accept-new with hashing: the new line is |1|salt|hash and ssh-keygen -F finds it', () => {
  const f = write('hash-new', [`first.example ${B.line}`]);
  const kh = KnownHosts.load(f, { hash: true });
  assert.is(kh.verify('[New.Example]:2222', A.blob, 'accept-new'), null);
  const text = readFileSync(f, 'utf8');
  assert.not.match(text, /new\.example/i);
  assert.match(text.split('\n')[1], /^\|1\|[^ ]+ ssh-ed25519 /);
  assert.equal(keygenLines('[new.example]:2222', f), [2]);
  assert.is(KnownHosts.load(f).verify('[new.example]:2222', A.blob, 'strict'), null);
});

test('patterns are matched without regular expressions (no backtracking blow-up)', () => {
  assert.ok(matchPattern('abc', 'a*c'));
  assert.ok(!matchPattern('abd', 'a*c'));
  assert.ok(matchPattern('[h]:22', '[h]:2?'));
  const t0 = performance.now();
  assert.ok(!matchPattern('a'.repeat(5000), `${'*a'.repeat(50)}b`));
  assert.ok(performance.now() - t0 < 2000);
});

test.run();
