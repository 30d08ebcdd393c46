import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SourceDoc } from '../src/util/yaml.js';
import { skipped } from './helpers/skip.js';

/**
 * lbprov reads YAML as Ansible does: side by side with PyYAML (what Ansible's loader is built on),
 * the same documents must give the same data.
 */
const test = suite('YAML as PyYAML reads it');

const SCALARS = [
  'x',
  'y',
  'n',
  'Y',
  'N',
  'yes',
  'Yes',
  'YES',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'yEs',
  '~',
  'null',
  'Null',
  'NULL',
  '0',
  '-5',
  '+7',
  '09',
  '0777',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1:20',
  '-1:30:00',
  '1.5',
  '.5',
  '1.',
  '1e3',
  '1E3',
  '1.0e+3',
  '1.0e3',
  '6.02e-23',
  '1.2.3',
  '5.11',
  '0644',
  '"0644"',
  "'yes'",
  '0.0.0.0',
  '8080',
  '3.10',
  '0xZ',
  '1:60',
  'y:',
  '<<',
];

const DOCS = [
  `[${SCALARS.filter((s) => s !== 'y:' && s !== '<<').join(', ')}]`,
  'n: 1\ny: 2\nyes: 3\n"no": 5\noff: 6\n',
  'packages: [clang, llvm]\nenabled: y\nmode: 0644\nport: 08080\nratio: 1e3\n',
  'base: &b { a: 1, b: y }\nderived:\n  <<: *b\n  c: off\n',
];

const python = '/usr/bin/python3';
const hasPyYaml = existsSync(python) && spawnSync(python, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
if (!hasPyYaml) {
  const msg =
    'YAML against PyYAML: needs /usr/bin/python3 with PyYAML (Debian package python3-yaml, installed with ansible)';
  if (process.env.CI) throw new Error(`${msg} (CI=true: .ci/run installs it)`);
  skipped.push(msg);
} else {
  for (const [i, doc] of DOCS.entries()) {
    test(`document ${i + 1} reads the same as PyYAML's safe_load`, () => {
      const py = spawnSync(
        python,
        ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read()), default=str))'],
        { input: doc, encoding: 'utf8' },
      );
      assert.is(py.status, 0, py.stderr);
      const theirs = JSON.parse(py.stdout) as unknown;
      const ours = JSON.parse(JSON.stringify(SourceDoc.parse('doc.yml', doc).value)) as unknown;
      assert.equal(ours, theirs, doc);
    });
  }
}

test('y and n stay strings, yes and on are booleans (pure)', () => {
  assert.equal(SourceDoc.parse('x.yml', '[x, y, n, yes, on, 0777, 1e3]').value, [
    'x',
    'y',
    'n',
    true,
    true,
    511,
    '1e3',
  ]);
});

test.run();
