import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coerce } from '../src/playbook/coerce.js';
import { applyJson } from './helpers/cli.js';

/** Module arguments converted by type as Ansible's argument spec converts them. */
const test = suite('argument types as Ansible converts them');

const schema = {
  type: 'object',
  properties: {
    flag: { type: 'boolean' },
    port: { type: 'integer' },
    ratio: { type: 'number' },
    name: { type: 'string' },
    names: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    list: { type: 'array', items: { type: 'integer' } },
    mode: { type: ['string', 'integer'] },
  },
};

test('strings become booleans and numbers where the argument says so', () => {
  for (const [v, want] of [
    ['false', false],
    ['no', false],
    ['0', false],
    ['off', false],
    ['N', false],
    ['True', true],
    ['yes', true],
    ['1', true],
    ['on', true],
  ] as const) {
    const a: Record<string, unknown> = { flag: v };
    coerce(schema, a);
    assert.is(a.flag, want, v);
  }
  const a: Record<string, unknown> = { port: '8080', ratio: '0.25', name: 8080, list: ['1', '2'], mode: 420 };
  coerce(schema, a);
  assert.equal(a, { port: 8080, ratio: 0.25, name: '8080', list: [1, 2], mode: 420 });
});

test('what has no exact conversion is left for the validator to refuse', () => {
  const a: Record<string, unknown> = { flag: 'maybe', port: '80a', ratio: '', names: 5, name: '{{ x }}' };
  coerce(schema, a);
  assert.equal(a, { flag: 'maybe', port: '80a', ratio: '', names: '5', name: '{{ x }}' });
});

test('-e backup=no reaches a boolean argument as false (a real run, connection local)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-coerce-'));
  const pb = join(dir, 'pb.yml');
  writeFileSync(
    pb,
    `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: { content: "a\\n", dest: "${dir}/f.txt", backup: "{{ keep }}" }\n    - copy: { content: "b\\n", dest: "${dir}/f.txt", backup: "{{ keep }}" }\n`,
  );
  const r = await applyJson([pb, '-e', 'keep=no']);
  assert.is(r.code, 0, JSON.stringify(r.run) + r.stderr);
  assert.equal(
    readdirSync(dir).filter((f) => f.startsWith('f.txt')),
    ['f.txt'],
    'no backup file',
  );
  const y = await applyJson([pb, '-e', 'keep=yes']);
  assert.is(y.code, 0);
  assert.ok(readdirSync(dir).filter((f) => f.startsWith('f.txt')).length > 1, 'a backup was kept');
});

test.run();
