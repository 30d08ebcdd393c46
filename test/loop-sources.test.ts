import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemLabel, itemVars, loopSetup } from '../src/executor/loop.js';
import { fileglob, fnmatchRegex, listify, pyInt0, runLookup, sequence } from '../src/playbook/loop-sources.js';
import { Scope } from '../src/playbook/scope.js';

/**
 * The with_<lookup> loops, item for item as Ansible 2.14's lookup plugins give them: every
 * expected value below was printed by /usr/lib/python3/dist-packages/ansible/plugins/lookup/*.py
 * run on the same terms (python3 with Debian's ansible).
 */
const env = { searchPath: ['/nonexistent'] };
const run = (name: Parameters<typeof runLookup>[0], terms: unknown): unknown[] => runLookup(name, listify(terms), env);
const throws = (f: () => unknown, re: RegExp): void => {
  try {
    f();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
};

test('with_items flattens one level; with_list does not', () => {
  assert.equal(run('items', [['a', 'b'], 'c', [['d']]]), ['a', 'b', 'c', ['d']]);
  assert.equal(run('items', 'one'), ['one']);
  assert.equal(run('list', [['a', 'b'], 'c']), [['a', 'b'], 'c']);
  assert.equal(run('list', 'abc'), ['abc']);
  throws(() => run('list', { a: 1 }), /^with_list expects a list$/);
});

test('with_dict: key/value pairs, of one mapping or of each in a list', () => {
  assert.equal(run('dict', { k1: 'v1', k2: { x: 1 } }), [
    { key: 'k1', value: 'v1' },
    { key: 'k2', value: { x: 1 } },
  ]);
  assert.equal(run('dict', [{ a: 1 }, { b: 2 }]), [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
  ]);
  throws(() => run('dict', ['x']), /^with_dict expects a dict$/);
});

test('with_indexed_items, with_together, with_nested', () => {
  assert.equal(run('indexed_items', ['a', ['b', 'c']]), [
    [0, 'a'],
    [1, 'b'],
    [2, 'c'],
  ]);
  assert.equal(run('together', [[1, 2, 3], ['a']]), [
    [1, 'a'],
    [2, null],
    [3, null],
  ]);
  assert.equal(run('nested', [['a', 'b'], [1, 2], ['x']]), [
    ['a', 1, 'x'],
    ['a', 2, 'x'],
    ['b', 1, 'x'],
    ['b', 2, 'x'],
  ]);
  throws(() => run('nested', []), /with_nested requires at least one element/);
});

test('with_subelements: pairs of element and sub-item, the sub-list taken out of the element', () => {
  const users = [
    { n: 1, k: { l: [1, 2] } },
    { n: 2, k: { l: [3] } },
  ];
  assert.equal(run('subelements', [users, 'k.l']), [
    [{ n: 1, k: {} }, 1],
    [{ n: 1, k: {} }, 2],
    [{ n: 2, k: {} }, 3],
  ]);
  assert.equal(users[0].k.l, [1, 2], 'the variable itself is left alone');
  assert.equal(run('subelements', [[{ n: 1, l: [1] }, { n: 2 }], 'l', { skip_missing: true }]), [[{ n: 1 }, 1]]);
  throws(() => run('subelements', [[{ n: 2 }], 'l']), /could not find 'l' key in iterated item '\{'n': 2\}'/);
  throws(() => run('subelements', [[{ n: 2 }]]), /expects a list of two or three items/);
});

test('with_sequence: the shortcut and key=value forms, formats, counts, strides', () => {
  const cases: Array<[string, string[]]> = [
    ['5', ['1', '2', '3', '4', '5']],
    ['5-8', ['5', '6', '7', '8']],
    ['2-10/2', ['2', '4', '6', '8', '10']],
    ['4:host%02d', ['host01', 'host02', 'host03', 'host04']],
    ['start=5 end=11 stride=2 format=0x%02x', ['0x05', '0x07', '0x09', '0x0b']],
    ['count=5', ['1', '2', '3', '4', '5']],
    ['start=0x0f00 count=4 format=%04x', ['0f00', '0f01', '0f02', '0f03']],
    ['start=0 count=5 stride=2', ['0', '2', '4', '6', '8']],
    ['start=10 end=1 stride=-3', ['10', '7', '4', '1']],
    ['count=0', []],
    ['start=1 end=3 format=%5d|', ['    1|', '    2|', '    3|']],
    ['start=1 end=3 format=%-4d|', ['1   |', '2   |', '3   |']],
    ['end=3 format=%+03d', ['+01', '+02', '+03']],
  ];
  for (const [term, want] of cases) assert.equal(sequence(term), want, term);
  const errors: Array<[unknown, RegExp]> = [
    ['start=5 end=1', /^to count backwards make stride negative$/],
    ['end=3 format=%d%d', /^bad formatting string: %d%d$/],
    ['foo=1', /^unrecognized arguments to with_sequence: \['foo'\]$/],
    ['start=1', /^must specify count or end in with_sequence$/],
    ['count=3 end=4', /^can't specify both count and end in with_sequence$/],
    ['start=x end=3', /^can't parse start=x as integer$/],
    ['010', /^can't parse end=010 as integer$/],
    // the mapping form is iterated by its keys, as Ansible does (and fails the same way)
    ...['start', 'end'].map((k): [unknown, RegExp] => [
      k,
      /unrecognized arguments to with_sequence: \['_raw_params'\]/,
    ]),
    [
      3,
      /unknown error parsing with_sequence arguments: 3\. Error was: expected string or bytes-like object, got 'int'/,
    ],
  ];
  for (const [term, re] of errors) throws(() => sequence(term), re);
  throws(() => run('sequence', { start: 1, end: 3 }), /unrecognized arguments to with_sequence: \['_raw_params'\]/);
});

test("Python's int(s, 0)", () => {
  assert.equal(['10', '0x1F', '0o17', '0b11', '0', '00', '-3', ' 7 '].map(pyInt0), [10, 31, 15, 3, 0, 0, -3, 7]);
  assert.equal(['010', 'x', '', '1.5'].map(pyInt0), [undefined, undefined, undefined, undefined]);
});

test('fnmatch patterns as Python translates them', () => {
  assert.ok(fnmatchRegex('*.conf').test('a.conf'));
  assert.not.ok(fnmatchRegex('*.conf').test('a.conf.bak'));
  assert.ok(fnmatchRegex('file[0-9]?').test('file1x'));
  assert.ok(fnmatchRegex('[!a]*').test('b'));
  assert.not.ok(fnmatchRegex('[!a]*').test('a'));
  assert.ok(fnmatchRegex('a(b)+').test('a(b)+'));
});

test('with_fileglob: files/ first, then the folder; hidden names and folders left out; a folder in the pattern', () => {
  const root = mkdtempSync(join(tmpdir(), 'lbprov-fileglob-'));
  const role = join(root, 'role');
  mkdirSync(join(root, 'files', 'sub'), { recursive: true });
  mkdirSync(join(role, 'files'), { recursive: true });
  for (const f of [
    'files/a.conf',
    'files/.hidden.conf',
    'files/b.txt',
    'files/sub/c.conf',
    'top.conf',
    'role/files/r.conf',
  ])
    writeFileSync(join(root, f), 'x');
  mkdirSync(join(root, 'files', 'dir.conf'));
  assert.equal(fileglob('*.conf', [root]), [join(root, 'files', 'a.conf')]);
  assert.equal(fileglob('top.*', [root]), [join(root, 'top.conf')]);
  assert.equal(fileglob('sub/*.conf', [root]), [join(root, 'files', 'sub', 'c.conf')]);
  assert.equal(fileglob(`${root}/files/*.txt`, []), [join(root, 'files', 'b.txt')]);
  assert.equal(fileglob('*.conf', [role, root]), [join(role, 'files', 'r.conf')], "a role's own files first");
  assert.equal(fileglob('*.nothing', [root]), []);
  assert.equal(runLookup('fileglob', listify(['*.txt', 'top.conf']), { searchPath: [root] }), [
    join(root, 'files', 'b.txt'),
    join(root, 'top.conf'),
  ]);
});

test('loop_control: loop_var, index_var, extended (ansible_loop), label', () => {
  const scope = new Scope({ names: ['a', 'b', 'c'] }, {});
  const s = loopSetup(
    { loop: '{{ names }}', loopControl: { loop_var: 'x', index_var: 'i', extended: true, label: 'n={{ x }}' } },
    scope,
    [],
  );
  assert.equal(s.items, ['a', 'b', 'c']);
  assert.equal(itemVars(s, 1), {
    x: 'b',
    ansible_loop_var: 'x',
    i: 1,
    ansible_index_var: 'i',
    ansible_loop: {
      index: 2,
      index0: 1,
      first: false,
      last: false,
      length: 3,
      revindex: 2,
      revindex0: 1,
      allitems: ['a', 'b', 'c'],
      nextitem: 'c',
      previtem: 'a',
    },
  });
  const last = itemVars(s, 2).ansible_loop as Record<string, unknown>;
  assert.equal([last.last, last.nextitem, last.previtem], [true, undefined, 'b']);
  assert.is(itemLabel(s, 0, scope.child({}, itemVars(s, 0))), 'n=a');
  const plain = loopSetup({ loop: [{ k: 1 }, [1, 'x'], null, true] }, scope, []);
  assert.equal(
    plain.items.map((_, i) => itemLabel(plain, i, scope.child({}, itemVars(plain, i)))),
    ["{'k': 1}", "[1, 'x']", 'None', 'True'],
    'the item as Python prints it',
  );
  assert.equal(Object.keys(itemVars(plain, 0)), ['item', 'ansible_loop_var']);
  const noAll = loopSetup({ loop: [1], loopControl: { extended: true, extended_allitems: false } }, scope, []);
  assert.not.ok('allitems' in (itemVars(noAll, 0).ansible_loop as object));
});

test('loop must be a list; with_X lookups template their terms', () => {
  const scope = new Scope({ d: { a: 1 }, s: 'start=1 end=2' }, {});
  throws(
    () => loopSetup({ loop: '{{ d }}' }, scope, []),
    /Invalid data passed to 'loop', it requires a list, got this instead: \{'a': 1\}/,
  );
  assert.equal(loopSetup({ loop: '{{ d }}', loopWith: 'dict' }, scope, []).items, [{ key: 'a', value: 1 }]);
  assert.equal(loopSetup({ loop: ' {{ s }} ', loopWith: 'sequence' }, scope, []).items, ['1', '2']);
  throws(() => loopSetup({ loop: [1], loopControl: { pause: -1 } }, scope, []), /pause must be a number/);
});

test.run();
