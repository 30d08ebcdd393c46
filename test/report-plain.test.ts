import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { banner } from '../src/report/plain.js';
import { packageRoot } from '../src/util/paths.js';
import { lbprov } from './helpers/cli.js';

/** The plain output lines up as Ansible's: every banner ends at column 80. */
const test = suite('plain output');

test('banners are 80 columns, with at least three stars', () => {
  for (const t of ['PLAY [all]', 'TASK [x]', 'RUNNING HANDLER [restart the listener]', 'PLAY RECAP'])
    assert.is(banner(t).trim().length, 80, t);
  assert.ok(
    banner(`TASK [${'n'.repeat(100)}]`)
      .trim()
      .endsWith(' ***'),
  );
});

test('a real run: PLAY, TASK, RUNNING HANDLER and PLAY RECAP banners line up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-plain-'));
  const pb = join(dir, 'pb.yml');
  writeFileSync(
    pb,
    `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: write\n      copy: { content: "x\\n", dest: "${dir}/f" }\n      notify: h\n  handlers:\n    - name: h\n      debug: { msg: ran }\n`,
  );
  const r = await lbprov(['apply', pb]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const banners = r.stdout.split('\n').filter((l) => /^(PLAY|TASK|RUNNING HANDLER)\b/.test(l));
  assert.equal(
    banners.map((l) => l.replace(/ \*+$/, '')),
    ['PLAY [localhost]', 'TASK [write]', 'RUNNING HANDLER [h]', 'PLAY RECAP'],
  );
  for (const l of banners) assert.is(l.length, 80, l);
});

/** Runs lbprov and notes when each output line arrived (ms since start). */
function timedLines(args: string[]): Promise<{ code: number; lines: Array<{ at: number; line: string }> }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Array<{ at: number; line: string }> = [];
    let rest = '';
    child.stdout.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      for (const line of parts) lines.push({ at: Date.now() - t0, line });
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, lines }));
  });
}

test("each host's line is printed as that host finishes a task, not when the slowest one does", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-plain-stream-'));
  const inv = join(dir, 'inv.yml');
  writeFileSync(
    inv,
    'all:\n  vars: { ansible_connection: local }\n  hosts:\n    slow: { nap: 4 }\n    fast: { nap: 0 }\n',
  );
  const pb = join(dir, 'pb.yml');
  writeFileSync(
    pb,
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      command: sleep {{ nap }}\n    - name: after\n      command: "true"\n      changed_when: false\n',
  );
  const r = await timedLines(['apply', pb, '-i', inv]);
  const at = (re: RegExp): number => {
    const l = r.lines.find((x) => re.test(x.line));
    assert.ok(l, `no line ${re} in:\n${r.lines.map((x) => x.line).join('\n')}`);
    return l.at;
  };
  assert.is(r.code, 0, r.lines.map((x) => x.line).join('\n'));
  const banner = at(/^TASK \[nap\]/);
  const fast = at(/^changed: \[fast\]$/);
  const slow = at(/^changed: \[slow\]$/);
  assert.ok(
    banner <= fast && fast + 2500 < slow,
    `fast host's line at ${fast} ms, slow host's at ${slow} ms: the fast one must not wait`,
  );
  // the block still reads task by task: the next task's banner comes after both hosts' lines
  assert.ok(at(/^TASK \[after\]/) >= slow);
  const text = r.lines.map((x) => x.line).join('\n');
  assert.match(
    text,
    /TASK \[nap\] \*+\nchanged: \[fast\]\nchanged: \[slow\]\n\nTASK \[after\] \*+\nok: \[(fast|slow)\]\nok: \[(fast|slow)\]\n/,
  );
});

test.run();
