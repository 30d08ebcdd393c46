import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostToken, keyType, KnownHosts } from '../src/transport/known-hosts.js';

const blob = (type: string, body: string): Buffer => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const k1 = blob('ssh-ed25519', 'key-one');
const k2 = blob('ssh-ed25519', 'key-two');
const dir = mkdtempSync(join(tmpdir(), 'lbprov-kh-'));

function file(lines: string[]): string {
  const f = join(dir, `kh-${Math.random()}`);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

test('host tokens: plain on port 22, [addr]:port otherwise', () => {
  assert.is(hostToken('10.0.0.1', 22), '10.0.0.1');
  assert.is(hostToken('10.0.0.1', 2222), '[10.0.0.1]:2222');
  assert.is(keyType(k1), 'ssh-ed25519');
});

test('a known key is accepted, a different key is refused with the line to fix', () => {
  const kh = KnownHosts.load(file(['# comment', `a.example,10.0.0.1 ssh-ed25519 ${k1.toString('base64')}`]));
  assert.is(kh.verify('10.0.0.1', k1, 'strict'), null);
  assert.match(kh.verify('10.0.0.1', k2, 'strict') ?? '', /HOST KEY MISMATCH for 10\.0\.0\.1: .* line 2/);
  assert.match(kh.verify('10.0.0.1', k2, 'accept-new') ?? '', /MISMATCH/, 'accept-new never accepts a changed key');
  assert.is(kh.verify('10.0.0.1', k2, 'off'), null);
  assert.equal(kh.typesFor('10.0.0.1'), ['ssh-ed25519']);
});

test('hashed names (HashKnownHosts) match', () => {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update('[10.0.0.9]:2222').digest();
  const kh = KnownHosts.load(
    file([`|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${k1.toString('base64')}`]),
  );
  assert.is(kh.verify('[10.0.0.9]:2222', k1, 'strict'), null);
  assert.match(kh.verify('10.0.0.9', k1, 'strict') ?? '', /not in/);
});

test('unknown hosts: strict refuses, accept-new records the key, @revoked always refuses', () => {
  const f = file([`@revoked * ssh-ed25519 ${k2.toString('base64')}`]);
  const kh = KnownHosts.load(f);
  assert.match(kh.verify('10.0.0.5', k1, 'strict') ?? '', /is not in .* strict/);
  assert.is(kh.verify('10.0.0.5', k1, 'accept-new'), null);
  assert.match(readFileSync(f, 'utf8'), /^10\.0\.0\.5 ssh-ed25519 /m);
  assert.is(KnownHosts.load(f).verify('10.0.0.5', k1, 'strict'), null, 'the recorded key is trusted next time');
  assert.match(kh.verify('10.0.0.6', k2, 'accept-new') ?? '', /@revoked/);
});

test.run();
