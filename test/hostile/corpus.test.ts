/**
 * The hostile-input corpus: every folder under test/hostile/cases/ is one case, its inputs beside
 * a case.yml that says how lbprov is run and what must come out. Each case runs the real
 * bin/lbprov.js as a child process in its folder, bounded in time (a hang is a failure), and must
 * give the expected exit code, print output matching `match`, print no stack trace, and with
 * `json: true` print exactly one JSON document on stdout.
 *
 * case.yml:
 *   about: what the case is (one line)
 *   argv: [validate, playbook.yml, -i, inventory.yml]   # after `lbprov`
 *   exit: 5
 *   match: 'playbook\.yml:4:7: .*alias'   # a regex over stderr + stdout
 *   json: false                            # stdout must be one JSON document
 *   timeout: 10                            # seconds (default 10)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/paths.js';

interface Case {
  name: string;
  dir: string;
  about: string;
  argv: string[];
  exit: number;
  match?: string;
  json?: boolean;
  timeout?: number;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

const casesDir = join(packageRoot, 'test', 'hostile', 'cases');
const cases: Case[] = readdirSync(casesDir)
  .filter((n) => existsSync(join(casesDir, n, 'case.yml')))
  .sort()
  .map((name) => ({
    name,
    dir: join(casesDir, name),
    ...(parse(readFileSync(join(casesDir, name, 'case.yml'), 'utf8')) as Omit<Case, 'name' | 'dir'>),
  }));

function run(c: Case): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), ...c.argv.map(String)], {
      cwd: c.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      (c.timeout ?? 10) * 1000,
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

// the cases run a few at a time up front (each is a node process start); the tests then report one by one
const outcomes = new Map<string, Outcome>();
test.before(async () => {
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c.name, await run(c));
    }),
  );
});

test('the corpus has at least 150 cases, each with argv and exit', () => {
  assert.ok(cases.length >= 150, `${cases.length} cases`);
  for (const c of cases)
    assert.ok(
      Array.isArray(c.argv) && typeof c.exit === 'number' && c.about,
      `${c.name}: case.yml needs about, argv and exit`,
    );
});

for (const c of cases) {
  test(`${c.name}: ${c.about}`, () => {
    const o = outcomes.get(c.name)!;
    const shown = `lbprov ${c.argv.join(' ')} (exit ${o.code}${o.signal ? `, ${o.signal}` : ''}, ${o.ms} ms)\n--- stdout\n${o.stdout.slice(0, 2000)}\n--- stderr\n${o.stderr.slice(0, 2000)}`;
    assert.not.ok(o.timedOut, `no answer within ${c.timeout ?? 10} s: ${shown}`);
    assert.is(o.code, c.exit, shown);
    assert.not.match(o.stdout + o.stderr, /^ {4}at \S/m, `a stack trace: ${shown}`);
    assert.not.match(o.stderr, /internal error/, shown);
    if (c.match) assert.match(o.stderr + o.stdout, new RegExp(c.match), shown);
    if (c.json) {
      let doc: unknown;
      try {
        doc = JSON.parse(o.stdout);
      } catch (e) {
        assert.unreachable(`stdout is not one JSON document (${(e as Error).message}): ${shown}`);
      }
      assert.type(doc, 'object', shown);
    }
  });
}

test.run();
