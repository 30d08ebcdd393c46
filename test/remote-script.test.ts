import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport } from '../src/transport/local.js';
import { parseAnswers, readsScript, standalone, stepsScript, toSeen } from '../src/executor/remote-script.js';
import { shq } from '../src/util/quote.js';

/** These scripts run for real (bash on this machine): what they do on a host is exactly this. */
const t = new LocalTransport();
const dir = mkdtempSync(join(tmpdir(), 'lbprov script '));
const evil = join(dir, `it's $(touch PWNED) "quoted" ; rm -rf x \`id\``);

const runScript = async (script: string) => {
  const r = await t.exec(['bash', '-s'], { stdin: standalone(script) });
  return { r, answers: parseAnswers(r.stdout) };
};

test('shq quotes anything into one word', () => {
  assert.is(shq('plain/path-1.2'), 'plain/path-1.2');
  assert.is(shq(''), "''");
  assert.is(shq("a'b"), `'a'\\''b'`);
});

test('writes land atomically with mode, whatever the file name holds; nothing is executed from it', async () => {
  const content = Buffer.from('line 1\nbinary \x00\xff ok\n', 'latin1');
  const { answers } = await runScript(stepsScript([{ op: 'write', path: evil, content, mode: '0640' }]));
  assert.is(answers.get(0)?.rc, 0, answers.get(0)?.stderr.toString());
  assert.ok(readFileSync(evil).equals(content));
  assert.is((statSync(evil).mode & 0o777).toString(8), '640');
  assert.not.ok(
    existsSync(join(process.cwd(), 'PWNED')) || existsSync(join(dir, 'PWNED')),
    'no command substitution ran',
  );
  assert.equal(
    readdirSync(dir).filter((f) => f.startsWith('.lbprov.')),
    [],
    'no temp file left behind',
  );
});

test('reads: stat and content of existing, missing and linked paths in one round trip', async () => {
  const reads = [
    { kind: 'file' as const, path: evil },
    { kind: 'stat' as const, path: join(dir, 'missing') },
    { kind: 'exec' as const, argv: ['printf', '%s|', 'a b', "c'd"] },
  ];
  const { answers } = await runScript(readsScript(reads));
  const seen = reads.map((r, i) => toSeen(r, answers.get(i)));
  assert.is(seen[0].stat?.type, 'file');
  assert.is(seen[0].stat?.mode, '0640');
  assert.is(seen[0].stdout.toString('latin1'), 'line 1\nbinary \x00\xff ok\n');
  assert.is(seen[1].stat, null);
  assert.is(seen[2].stdout.toString(), "a b|c'd|");
});

test("stat reads say when a missing path's folder is missing too (copy fails there): absolute, bare and trailing-slash paths", async () => {
  const reads = [
    join(dir, 'missing'),
    join(dir, 'nodir', 'x'),
    join(dir, 'nodir', 'x') + '/',
    'bare-name-in-cwd',
    'nodir/x',
    '/',
  ].map((path) => ({ kind: 'stat' as const, path }));
  const { answers } = await runScript(readsScript(reads));
  const seen = reads.map((r, i) => toSeen(r, answers.get(i)));
  assert.equal(
    seen.map((s) => [s.stat?.type ?? null, s.parentMissing ?? false]),
    [
      [null, false],
      [null, true],
      [null, true],
      [null, false],
      [null, true],
      ['directory', false],
    ],
  );
});

test('a failing validate leaves the old file untouched and no temp file', async () => {
  const f = join(dir, 'validated.conf');
  writeFileSync(f, 'old\n');
  const { answers } = await runScript(
    stepsScript([{ op: 'write', path: f, content: Buffer.from('new\n'), validate: ['grep', '-q', 'nomatch', '%s'] }]),
  );
  assert.is(answers.get(0)?.rc, 1);
  assert.match(answers.get(0)!.stderr.toString(), /validation failed/);
  assert.is(readFileSync(f, 'utf8'), 'old\n');
  assert.equal(
    readdirSync(dir).filter((x) => x.startsWith('.lbprov.')),
    [],
  );
  const ok = await runScript(
    stepsScript([{ op: 'write', path: f, content: Buffer.from('new\n'), validate: ['grep', '-q', 'new', '%s'] }]),
  );
  assert.is(ok.answers.get(0)?.rc, 0);
  assert.is(readFileSync(f, 'utf8'), 'new\n');
});

test('a failing step stops the script: later steps do not run', async () => {
  const marker = join(dir, 'after-failure');
  const { answers } = await runScript(
    stepsScript([
      { op: 'exec', argv: ['false'] },
      { op: 'exec', argv: ['touch', marker] },
    ]),
  );
  assert.is(answers.get(0)?.rc, 1);
  assert.is(answers.has(1), false);
  assert.not.ok(existsSync(marker));
});

test.run();
