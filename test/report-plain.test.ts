import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { banner } from '../src/report/plain.js';
import { lbprov } from './helpers/cli.js';

/** The plain output lines up as Ansible's: every banner ends at column 80. */
const test = suite('plain output');

test('banners are 80 columns, with at least three stars', () => {
  for (const t of ['PLAY [all]', 'TASK [x]', 'RUNNING HANDLER [restart the listener]', 'PLAY RECAP']) assert.is(banner(t).trim().length, 80, t);
  assert.ok(banner(`TASK [${'n'.repeat(100)}]`).trim().endsWith(' ***'));
});

test('a real run: PLAY, TASK, RUNNING HANDLER and PLAY RECAP banners line up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-plain-'));
  const pb = join(dir, 'pb.yml');
  writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: write\n      copy: { content: "x\\n", dest: "${dir}/f" }\n      notify: h\n  handlers:\n    - name: h\n      debug: { msg: ran }\n`);
  const r = await lbprov(['apply', pb]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const banners = r.stdout.split('\n').filter((l) => /^(PLAY|TASK|RUNNING HANDLER)\b/.test(l));
  assert.equal(banners.map((l) => l.replace(/ \*+$/, '')), ['PLAY [localhost]', 'TASK [write]', 'RUNNING HANDLER [h]', 'PLAY RECAP']);
  for (const l of banners) assert.is(l.length, 80, l);
});

test.run();
