import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyJson, lbprov, withStatus } from './helpers/cli.js';

/**
 * Reading ahead across the linear gate (executor/prefetch.ts readAhead) on `connection: local`: a
 * host that finished a task early reads its next task's inputs while the slow host finishes; what
 * it read must be the state after its own task (never what the play's first read-ahead saw), and a
 * `when` on a result registered just before must be decided on that result.
 */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-read-ahead-'));
const inventory = join(dir, 'inventory.yml');
writeFileSync(
  inventory,
  'all:\n  vars: { ansible_connection: local }\n  hosts:\n    fast: { delay: 0 }\n    slow: { delay: 1 }\n',
);
const pb = join(dir, 'play.yml');
writeFileSync(
  pb,
  `- hosts: all
  gather_facts: false
  max_fail_percentage: 0
  tasks:
    - name: one
      copy: { content: "one {{ inventory_hostname }}\\n", dest: "${dir}/{{ inventory_hostname }}.txt" }
      register: first
    - name: the slow host lags
      command: { argv: [sleep, "{{ delay }}"] }
      changed_when: false
    - name: two
      copy: { content: "two {{ inventory_hostname }}\\n", dest: "${dir}/{{ inventory_hostname }}.txt" }
    - name: two again
      copy: { content: "two {{ inventory_hostname }}\\n", dest: "${dir}/{{ inventory_hostname }}.txt" }
    - name: only after a change
      when: first is changed
      copy: { content: "yes\\n", dest: "${dir}/{{ inventory_hostname }}.flag" }
`,
);

test('a linear play: each task sees the state its host is in when it starts, read ahead or not', async () => {
  const r = await applyJson([pb, '-i', inventory]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(withStatus(r.run, 'changed'), [
    'one @ fast',
    'one @ slow',
    'only after a change @ fast',
    'only after a change @ slow',
    'two @ fast',
    'two @ slow',
  ]);
  assert.equal(withStatus(r.run, 'ok').sort(), [
    'the slow host lags @ fast',
    'the slow host lags @ slow',
    'two again @ fast',
    'two again @ slow',
  ]);
  for (const h of ['fast', 'slow']) assert.is(readFileSync(join(dir, `${h}.txt`), 'utf8'), `two ${h}\n`);
  const again = await applyJson([pb, '-i', inventory]);
  assert.is(again.code, 0, again.stderr);
  assert.equal(withStatus(again.run, 'changed'), ['one @ fast', 'one @ slow', 'two @ fast', 'two @ slow']);
  assert.ok(withStatus(again.run, 'ok').includes('only after a change @ slow'), 'the flag is there already');
});

/**
 * A change carries the next task's reads (TaskEnv.readAfter): on one host, three changing tasks
 * cost the first read (facts and every task's reads) and three changes, no read in between; and
 * a next task whose arguments use a result the change registers reads again for itself.
 */
const chain = join(dir, 'chain.yml');
writeFileSync(
  chain,
  `- hosts: fast
  gather_facts: false
  tasks:
    - name: a
      copy: { content: "a\\n", dest: "${dir}/chain-a" }
      register: r
    - name: b
      copy: { content: "b\\n", dest: "${dir}/chain-b" }
      register: r
    - name: c uses what b registered
      copy: { content: "{{ r.msg }}\\n", dest: "${dir}/chain-c" }
`,
);

test('a change reads what the next task reads in the same round trip, unless the next one depends on it', async () => {
  const r = await lbprov(['apply', chain, '-i', inventory, '-vvv']);
  assert.is(r.code, 0, r.stderr);
  const scripts = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^<fast> script \d+ \(/.test(l));
  // 1: the first read; 2: a's change + b's reads; 3: b's change (+ c's reads, planned with a's r);
  // 4: c reads again (its dest is b's); 5: c's change
  assert.is(scripts.length, 5, scripts.join('\n'));
  assert.is(readFileSync(join(dir, 'chain-c'), 'utf8'), `${dir}/chain-b created\n`);
});

const flush = join(dir, 'flush.yml');
writeFileSync(
  flush,
  `- hosts: fast
  gather_facts: false
  handlers:
    - name: h
      copy: { content: "h\\n", dest: "${dir}/flush-h" }
      register: hr
    - name: skipped after h
      listen: topic
      when: hr is not changed
      copy: { content: "never\\n", dest: "${dir}/flush-never" }
  tasks:
    - name: a
      copy: { content: "a\\n", dest: "${dir}/flush-a" }
      notify: [h, topic]
    - meta: flush_handlers
    - name: b
      copy: { content: "b\\n", dest: "${dir}/flush-b" }
`,
);

test('through flush_handlers: a change carries the handler reads, the handler change the next task reads', async () => {
  const r = await lbprov(['apply', flush, '-i', inventory, '-vvv']);
  assert.is(r.code, 0, r.stderr);
  const scripts = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^<fast> script \d+ \(/.test(l));
  // 1: the first read; 2: a's change + h's reads; 3: h's change + b's reads (the handler after h
  // may be skipped: its `when` uses what h registers; it is, and reads nothing); 4: b's change
  assert.is(scripts.length, 4, scripts.join('\n'));
  assert.is(readFileSync(join(dir, 'flush-h'), 'utf8'), 'h\n');
  assert.not.ok(existsSync(join(dir, 'flush-never')));
  assert.is(readFileSync(join(dir, 'flush-b'), 'utf8'), 'b\n');
});

test.run();
