/**
 * Every template helper / expression function of src/playbook/filters.ts, by Ansible's filter
 * name: the Jinja expression as an Ansible user writes it (`jinja`, rendered by Ansible inside
 * `{{ }}`), the same in an lbprov expression (`expr`, default: the Jinja text) and in a Handlebars
 * template (`hbs`), and the value all of them give. The values were taken from Ansible 2.14 and
 * are checked against it again by test/filters.test.ts wherever Ansible is installed.
 *
 * Backslashes: inside `{{ }}` Ansible doubles them before Jinja reads a string (so '\1' stays \1);
 * in a `when` it does not, and lbprov's expressions read strings as `when` does ('\\1').
 */
export interface FilterCase {
  jinja: string;
  /** Left out where Handlebars has no spelling (a list literal): other cases of the helper cover it. */
  hbs?: string;
  expr?: string;
  vars?: Record<string, unknown>;
  /** Ansible gives a value lbprov cannot (a shortened IPv4 form): checked against lbprov only. */
  lbprovOnly?: boolean;
  expect?: unknown;
  /** Instead of a value: Ansible fails, and lbprov fails with a message matching this. */
  error?: RegExp;
}

const d = { b: 1, a: [1, 2, { c: 'é' }], n: null, t: true };

export const CASES: Record<string, FilterCase[]> = {
  default: [
    { jinja: 'missing | default(80)', hbs: '{{default missing 80}}', expect: 80 },
    { jinja: 'x | default(80)', hbs: '{{default x 80}}', vars: { x: '' }, expect: '' },
    { jinja: 'x | default(80, true)', hbs: '{{default x 80 true}}', vars: { x: '' }, expect: 80 },
    { jinja: 'x | default(80, boolean=true)', hbs: '{{default x 80 boolean=true}}', vars: { x: 0 }, expect: 80 },
    { jinja: 'x | default(80, true)', hbs: '{{default x 80 true}}', vars: { x: false }, expect: 80 },
    { jinja: 'x | default(80)', hbs: '{{default x 80}}', vars: { x: false }, expect: false },
    { jinja: 'x | default(80)', hbs: '{{default x 80}}', vars: { x: null }, expect: null },
    { jinja: 'x | default(80, true)', hbs: '{{default x 80 true}}', vars: { x: null }, expect: 80 },
    { jinja: 'x | default(80, true)', hbs: '{{default x 80 true}}', vars: { x: 'on' }, expect: 'on' },
    { jinja: 'missing | default', hbs: '{{default missing}}', expect: '' },
    { jinja: 'x | default(80)', hbs: '{{default x 80}}', vars: { x: '{{ nope }}' }, expect: 80 },
    { jinja: 'x.y | default(1)', hbs: '{{default x.y 1}}', vars: { x: {} }, expect: 1 },
    { jinja: 'missing | d(7)', hbs: '{{d missing 7}}', expect: 7 },
  ],
  to_json: [
    {
      jinja: 'd | to_json',
      hbs: '{{to_json d}}',
      vars: { d },
      expect: '{"b": 1, "a": [1, 2, {"c": "\\u00e9"}], "n": null, "t": true}',
    },
    {
      jinja: 'd | to_json(sort_keys=true, indent=1)',
      hbs: '{{to_json d sort_keys=true indent=1}}',
      vars: { d: { b: 1, a: [1] } },
      expect: '{\n "a": [\n  1\n ],\n "b": 1\n}',
    },
    {
      jinja: 's | to_json',
      hbs: '{{to_json s}}',
      vars: { s: 'a"b\\c\n\u007f\u0001é😀' },
      expect: '"a\\"b\\\\c\\n\\u007f\\u0001\\u00e9\\ud83d\\ude00"',
    },
    {
      jinja: 's | to_json(ensure_ascii=false)',
      hbs: '{{to_json s ensure_ascii=false}}',
      vars: { s: 'é' },
      expect: '"é"',
    },
    { jinja: '1.5 | to_json', hbs: '{{to_json 1.5}}', expect: '1.5' },
  ],
  to_nice_json: [
    {
      jinja: 'd | to_nice_json',
      hbs: '{{to_nice_json d}}',
      vars: { d: { ...d, e: [], f: {} } },
      expect:
        '{\n    "a": [\n        1,\n        2,\n        {\n            "c": "\\u00e9"\n        }\n    ],\n    "b": 1,\n    "e": [],\n    "f": {},\n    "n": null,\n    "t": true\n}',
    },
    {
      jinja: 'd | to_nice_json(indent=2, sort_keys=false)',
      hbs: '{{to_nice_json d indent=2 sort_keys=false}}',
      vars: { d: { b: 1, a: [1] } },
      expect: '{\n  "b": 1,\n  "a": [\n    1\n  ]\n}',
    },
  ],
  to_yaml: [
    {
      jinja: 'd | to_yaml',
      hbs: '{{to_yaml d}}',
      vars: { d: { b: 1, a: [1, 2, { c: 'x' }], n: null, t: true, s: 'yes', e: [], f: {} } },
      expect: "a:\n- 1\n- 2\n- {c: x}\nb: 1\ne: []\nf: {}\nn: null\ns: 'yes'\nt: true\n",
    },
    { jinja: 'd | to_yaml', hbs: '{{to_yaml d}}', vars: { d: { a: 1 } }, expect: '{a: 1}\n' },
    {
      jinja: 'l | to_yaml',
      hbs: '{{to_yaml l}}',
      vars: { l: [1, 'two', 'a: b', '', '1.0', 'é'] },
      expect: "[1, two, 'a: b', '', '1.0', é]\n",
    },
    {
      jinja: 'd | to_yaml',
      hbs: '{{to_yaml d}}',
      vars: { d: { a: { b: [1, { c: 2 }] } } },
      expect: 'a:\n  b:\n  - 1\n  - {c: 2}\n',
    },
    { jinja: "'abc' | to_yaml", hbs: '{{to_yaml "abc"}}', expect: 'abc\n' },
  ],
  from_json: [
    {
      jinja: 's | from_json',
      hbs: '{{from_json s}}',
      vars: { s: '{"a": [1, 2.5, null, true]}' },
      expect: { a: [1, 2.5, null, true] },
    },
    { jinja: "'{' | from_json", hbs: '{{from_json "{"}}', error: /from_json|JSON/ },
  ],
  b64encode: [
    { jinja: "'héllo' | b64encode", hbs: '{{b64encode "héllo"}}', expect: 'aMOpbGxv' },
    { jinja: '123 | b64encode', hbs: '{{b64encode 123}}', expect: 'MTIz' },
    { jinja: 'true | b64encode', hbs: '{{b64encode true}}', expect: 'VHJ1ZQ==' },
    {
      jinja: "'héllo' | b64encode(encoding='utf-16-le')",
      hbs: '{{b64encode "héllo" encoding="utf-16-le"}}',
      expect: 'aADpAGwAbABvAA==',
    },
  ],
  b64decode: [
    { jinja: "'aMOpbGxv' | b64decode", hbs: '{{b64decode "aMOpbGxv"}}', expect: 'héllo' },
    { jinja: "'aGk' | b64decode", hbs: '{{b64decode "aGk"}}', error: /Incorrect padding/ },
    { jinja: "'aG k=' | b64decode", hbs: '{{b64decode "aG k="}}', expect: 'hi' },
    { jinja: "'a-Gk=' | b64decode", hbs: '{{b64decode "a-Gk="}}', expect: 'hi' },
    { jinja: "'aGk=x' | b64decode", hbs: '{{b64decode "aGk=x"}}', expect: 'hi' },
  ],
  regex_replace: [
    { jinja: "'abxd' | regex_replace('x*', '-')", hbs: '{{regex_replace "abxd" "x*" "-"}}', expect: '-a-b--d-' },
    {
      jinja: "'ansible' | regex_replace('^a.*i(.*)$', 'a\\1')",
      expr: "'ansible' | regex_replace('^a.*i(.*)$', 'a\\\\1')",
      hbs: '{{regex_replace "ansible" "^a.*i(.*)$" "a\\1"}}',
      expect: 'able',
    },
    {
      jinja: "'foo=bar' | regex_replace('(?P<k>\\w+)=(?P<v>\\w+)', '\\g<v>=\\g<k>')",
      expr: "'foo=bar' | regex_replace('(?P<k>\\w+)=(?P<v>\\w+)', '\\\\g<v>=\\\\g<k>')",
      hbs: '{{regex_replace "foo=bar" "(?P<k>\\w+)=(?P<v>\\w+)" "\\g<v>=\\g<k>"}}',
      expect: 'bar=foo',
    },
    {
      jinja: "'ABC' | regex_replace('b', 'x', ignorecase=true)",
      hbs: '{{regex_replace "ABC" "b" "x" ignorecase=true}}',
      expect: 'AxC',
    },
    {
      jinja: "s | regex_replace('^', '> ', multiline=true)",
      hbs: '{{regex_replace s "^" "> " multiline=true}}',
      vars: { s: 'a\nb' },
      expect: '> a\n> b',
    },
    {
      jinja: "s | regex_replace('^', '> ')",
      hbs: '{{regex_replace s "^" "> "}}',
      vars: { s: 'a\nb' },
      expect: '> a\nb',
    },
    {
      jinja: "'ab' | regex_replace('(a)|(z)', '[\\2]')",
      expr: "'ab' | regex_replace('(a)|(z)', '[\\\\2]')",
      hbs: '{{regex_replace "ab" "(a)|(z)" "[\\2]"}}',
      expect: '[]b',
    },
    { jinja: "123 | regex_replace('2', 'x')", hbs: '{{regex_replace 123 "2" "x"}}', expect: '1x3' },
    { jinja: "true | regex_replace('u', 'x')", hbs: '{{regex_replace true "u" "x"}}', expect: 'Trxe' },
  ],
  regex_search: [
    {
      jinja: "'server1 server22' | regex_search('server[0-9]+')",
      hbs: '{{regex_search "server1 server22" "server[0-9]+"}}',
      expect: 'server1',
    },
    {
      jinja: "'server1' | regex_search('ser(v)e(?P<n>r)', '\\1', '\\g<n>')",
      expr: "'server1' | regex_search('ser(v)e(?P<n>r)', '\\\\1', '\\\\g<n>')",
      hbs: '{{regex_search "server1" "ser(v)e(?P<n>r)" "\\1" "\\g<n>"}}',
      expect: ['v', 'r'],
    },
    {
      jinja: "'ABC' | regex_search('b', ignorecase=true)",
      hbs: '{{regex_search "ABC" "b" ignorecase=true}}',
      expect: 'B',
    },
    { jinja: "'abc' | regex_search('x')", hbs: '{{regex_search "abc" "x"}}', expect: null },
  ],
  basename: [
    { jinja: "'/etc/x/y.conf' | basename", hbs: '{{basename "/etc/x/y.conf"}}', expect: 'y.conf' },
    { jinja: "'/etc/x/' | basename", hbs: '{{basename "/etc/x/"}}', expect: '' },
    { jinja: '12 | basename', hbs: '{{basename 12}}', error: /expected str/ },
  ],
  dirname: [
    { jinja: "'/etc/x/y.conf' | dirname", hbs: '{{dirname "/etc/x/y.conf"}}', expect: '/etc/x' },
    { jinja: "'/etc/x/' | dirname", hbs: '{{dirname "/etc/x/"}}', expect: '/etc/x' },
    { jinja: "'y' | dirname", hbs: '{{dirname "y"}}', expect: '' },
    { jinja: "'/y' | dirname", hbs: '{{dirname "/y"}}', expect: '/' },
    { jinja: "'//y' | dirname", hbs: '{{dirname "//y"}}', expect: '//' },
    { jinja: "'a///' | dirname", hbs: '{{dirname "a///"}}', expect: 'a' },
  ],
  bool: [
    {
      jinja: "['yes', 'on', '1', 'true', 'True', 'y', 'no', 1, 2, 0, none, ''] | map('bool') | list",
      expr: '[bool("yes"), bool("on"), bool("1"), bool("true"), bool("True"), bool("y"), bool("no"), bool(1), bool(2), bool(0), bool(None), bool("")]',
      expect: [true, true, true, true, true, false, false, true, false, false, null, false],
    },
    { jinja: "'On' | bool", hbs: '{{bool "On"}}', expect: true },
    { jinja: 'none | bool', hbs: '{{bool null}}', expect: null },
    { jinja: '2 | bool', hbs: '{{bool 2}}', expect: false },
    { jinja: "'y' | bool", hbs: '{{bool "y"}}', expect: false },
  ],
  int: [
    {
      jinja:
        "['42', ' 42 ', '4_2', '42.9', '1e3', '0x1A', 'abc', none, true, 3.7, '-5', '+5', '0b11', '1_000.5'] | map('int') | list",
      expr: "[int('42'), int(' 42 '), int('4_2'), int('42.9'), int('1e3'), int('0x1A'), int('abc'), int(None), int(True), int(3.7), int('-5'), int('+5'), int('0b11'), int('1_000.5')]",
      expect: [42, 42, 42, 42, 1000, 0, 0, 0, 1, 3, -5, 5, 0, 1000],
    },
    { jinja: "'42.9' | int", hbs: '{{int "42.9"}}', expect: 42 },
    { jinja: "' 4_2 ' | int", hbs: '{{int " 4_2 "}}', expect: 42 },
    { jinja: "'42abc' | int", hbs: '{{int "42abc"}}', expect: 0 },
    { jinja: "'0x1A' | int(base=16)", hbs: '{{int "0x1A" base=16}}', expect: 26 },
    { jinja: "'1A' | int(0, 16)", hbs: '{{int "1A" 0 16}}', expect: 26 },
    { jinja: "'z' | int(7)", hbs: '{{int "z" 7}}', expect: 7 },
    { jinja: "'inf' | int", hbs: '{{int "inf"}}', error: /infinity/ },
  ],
  length: [
    { jinja: "'zé😀' | length", hbs: '{{length "zé😀"}}', expect: 3 },
    { jinja: 'd | length', hbs: '{{length d}}', vars: { d: { a: 1, b: 2 } }, expect: 2 },
    { jinja: '[1, 2, 3] | length', hbs: '{{length l}}', vars: { l: [1, 2, 3] }, expect: 3 },
    { jinja: '5 | length', hbs: '{{length 5}}', error: /has no len/ },
  ],
  first: [
    { jinja: '[1, 2, 3] | first', hbs: '{{first l}}', vars: { l: [1, 2, 3] }, expect: 1 },
    { jinja: "'abc' | first", hbs: '{{first "abc"}}', expect: 'a' },
    { jinja: 'd | first', hbs: '{{first d}}', vars: { d: { a: 1, b: 2 } }, expect: 'a' },
    { jinja: '[] | first', hbs: '{{first l}}', vars: { l: [] }, error: /No first item/ },
    {
      jinja: '[] | first | default(3)',
      expr: '[] | first | default(3)',
      hbs: '{{default (first l) 3}}',
      vars: { l: [] },
      expect: 3,
    },
  ],
  last: [
    { jinja: '[1, 2, 3] | last', hbs: '{{last l}}', vars: { l: [1, 2, 3] }, expect: 3 },
    { jinja: 'd | last', hbs: '{{last d}}', vars: { d: { a: 1, b: 2 } }, expect: 'b' },
    { jinja: '[] | last', hbs: '{{last l}}', vars: { l: [] }, error: /No last item/ },
  ],
  unique: [
    {
      jinja: "['a', 'B', 'b', 'A', 1, '1'] | unique",
      hbs: '{{unique l}}',
      vars: { l: ['a', 'B', 'b', 'A', 1, '1'] },
      expect: ['a', 'B', 1, '1'],
    },
    { jinja: '[1, true, 2] | unique', hbs: '{{unique l}}', vars: { l: [1, true, 2] }, expect: [1, 2] },
    {
      jinja: "[{'a': 1}, {'a': 1}, {'b': 2}] | unique",
      expr: 'l | unique',
      hbs: '{{unique l}}',
      vars: { l: [{ a: 1 }, { a: 1 }, { b: 2 }] },
      expect: [{ a: 1 }, { b: 2 }],
    },
    {
      jinja: "['a', 'A'] | unique(case_sensitive=true)",
      hbs: '{{unique l case_sensitive=true}}',
      vars: { l: ['a', 'A'] },
      expect: ['a', 'A'],
    },
  ],
  sort: [
    {
      jinja: "['b', 'a', 'C', 'B'] | sort",
      hbs: '{{sort l}}',
      vars: { l: ['b', 'a', 'C', 'B'] },
      expect: ['a', 'b', 'B', 'C'],
    },
    {
      jinja: "['b', 'a', 'C', 'B'] | sort(case_sensitive=true)",
      hbs: '{{sort l case_sensitive=true}}',
      vars: { l: ['b', 'a', 'C', 'B'] },
      expect: ['B', 'C', 'a', 'b'],
    },
    {
      jinja: '[3, 1, 2] | sort(reverse=true)',
      hbs: '{{sort l reverse=true}}',
      vars: { l: [3, 1, 2] },
      expect: [3, 2, 1],
    },
    {
      jinja: "l | sort(attribute='n')",
      hbs: '{{sort l attribute="n"}}',
      vars: {
        l: [
          { n: 'b', v: 2 },
          { n: 'a', v: 1 },
        ],
      },
      expect: [
        { n: 'a', v: 1 },
        { n: 'b', v: 2 },
      ],
    },
    { jinja: 'd | sort', hbs: '{{sort d}}', vars: { d: { b: 1, a: 2 } }, expect: ['a', 'b'] },
    { jinja: "[3, 1, '2'] | sort", hbs: '{{sort l}}', vars: { l: [3, 1, '2'] }, error: /not supported between/ },
  ],
  dict2items: [
    {
      jinja: 'd | dict2items',
      hbs: '{{dict2items d}}',
      vars: { d: { b: 1, a: [2] } },
      expect: [
        { key: 'b', value: 1 },
        { key: 'a', value: [2] },
      ],
    },
    {
      jinja: "d | dict2items(key_name='k', value_name='v')",
      hbs: '{{dict2items d key_name="k" value_name="v"}}',
      vars: { d: { b: 1 } },
      expect: [{ k: 'b', v: 1 }],
    },
    { jinja: '[1] | dict2items', hbs: '{{dict2items l}}', vars: { l: [1] }, error: /dict2items requires a dictionary/ },
  ],
  items2dict: [
    {
      jinja: 'l | items2dict',
      hbs: '{{items2dict l}}',
      vars: {
        l: [
          { key: 'a', value: 1 },
          { key: 'b', value: 2 },
        ],
      },
      expect: { a: 1, b: 2 },
    },
    {
      jinja: "l | items2dict(key_name='k', value_name='v')",
      hbs: '{{items2dict l key_name="k" value_name="v"}}',
      vars: { l: [{ k: 'a', v: 1 }] },
      expect: { a: 1 },
    },
    {
      jinja: 'l | items2dict',
      hbs: '{{items2dict l}}',
      vars: { l: [{ k: 'a' }] },
      error: /to contain the keys 'key' and 'value'/,
    },
    { jinja: "'ab' | items2dict", hbs: '{{items2dict "ab"}}', error: /items2dict requires a list/ },
  ],
  combine: [
    {
      jinja: 'a | combine(b)',
      hbs: '{{combine a b}}',
      vars: { a: { a: 1, b: { x: 1, y: [1] } }, b: { b: { y: [2], z: 3 }, c: 4 } },
      expect: { a: 1, b: { y: [2], z: 3 }, c: 4 },
    },
    {
      jinja: 'a | combine(b, recursive=true)',
      hbs: '{{combine a b recursive=true}}',
      vars: { a: { a: 1, b: { x: 1, y: [1] } }, b: { b: { y: [2], z: 3 } } },
      expect: { a: 1, b: { x: 1, y: [2], z: 3 } },
    },
    {
      jinja: "a | combine(b, recursive=true, list_merge='append')",
      hbs: '{{combine a b recursive=true list_merge="append"}}',
      vars: { a: { a: 1, b: { x: 1, y: [1] } }, b: { b: { y: [2], z: 3 } } },
      expect: { a: 1, b: { x: 1, y: [1, 2], z: 3 } },
    },
    {
      jinja: "a | combine(b, list_merge='append_rp')",
      hbs: '{{combine a b list_merge="append_rp"}}',
      vars: { a: { a: [1, 2, 3] }, b: { a: [3, 4] } },
      expect: { a: [1, 2, 3, 4] },
    },
    {
      jinja: "a | combine(b, list_merge='prepend_rp')",
      hbs: '{{combine a b list_merge="prepend_rp"}}',
      vars: { a: { a: [1, 2, 3] }, b: { a: [3, 4] } },
      expect: { a: [3, 4, 1, 2] },
    },
    {
      jinja: "a | combine(b, list_merge='keep')",
      hbs: '{{combine a b list_merge="keep"}}',
      vars: { a: { a: [1, 2, 3] }, b: { a: [3, 4] } },
      expect: { a: [1, 2, 3] },
    },
    { jinja: 'l | combine', hbs: '{{combine l}}', vars: { l: [{ a: 1 }, { b: 2 }] }, expect: { a: 1, b: 2 } },
    {
      jinja: 'a | combine(b, c)',
      hbs: '{{combine a b c}}',
      vars: { a: { a: 1 }, b: { b: 2 }, c: { a: 3 } },
      expect: { a: 3, b: 2 },
    },
    { jinja: 'a | combine(1)', hbs: '{{combine a 1}}', vars: { a: { a: 1 } }, error: /expected dicts/ },
    {
      jinja: "a | combine(b, list_merge='bogus')",
      hbs: '{{combine a b list_merge="bogus"}}',
      vars: { a: { a: [1] }, b: { a: [2] } },
      error: /list_merge/,
    },
    {
      jinja: 'a | combine(b, foo=1)',
      hbs: '{{combine a b foo=1}}',
      vars: { a: { a: 1 }, b: { b: 2 } },
      error: /keyword argument/,
    },
  ],
  ipaddr: [
    { jinja: "'192.168.1.10' | ipaddr", hbs: '{{ipaddr "192.168.1.10"}}', expect: '192.168.1.10' },
    { jinja: "'192.168.1.10/24' | ipaddr", hbs: '{{ipaddr "192.168.1.10/24"}}', expect: '192.168.1.10/24' },
    { jinja: "'foo' | ipaddr", hbs: '{{ipaddr "foo"}}', expect: false },
    { jinja: "'2001:DB8::1/64' | ipaddr", hbs: '{{ipaddr "2001:DB8::1/64"}}', expect: '2001:db8::1/64' },
    {
      jinja: 'l | ipaddr',
      hbs: '{{ipaddr l}}',
      vars: { l: ['192.168.1.10', 'x', '10.0.0.0/8', '::1'] },
      expect: ['192.168.1.10', '10.0.0.0/8', '::1'],
    },
    {
      jinja: "'192.168.1.10/24' | ipaddr('address')",
      hbs: '{{ipaddr "192.168.1.10/24" "address"}}',
      expect: '192.168.1.10',
    },
    { jinja: "'192.168.1.0/24' | ipaddr('address')", hbs: '{{ipaddr "192.168.1.0/24" "address"}}', expect: null },
    {
      jinja: "'192.168.1.10/24' | ipaddr('network')",
      hbs: '{{ipaddr "192.168.1.10/24" "network"}}',
      expect: '192.168.1.0',
    },
    {
      jinja: "'192.168.1.10/24' | ipaddr('netmask')",
      hbs: '{{ipaddr "192.168.1.10/24" "netmask"}}',
      expect: '255.255.255.0',
    },
    { jinja: "'192.168.1.10/24' | ipaddr('prefix')", hbs: '{{ipaddr "192.168.1.10/24" "prefix"}}', expect: 24 },
    {
      jinja: "'192.168.1.10/24' | ipaddr('broadcast')",
      hbs: '{{ipaddr "192.168.1.10/24" "broadcast"}}',
      expect: '192.168.1.255',
    },
    { jinja: "'192.168.1.10/31' | ipaddr('broadcast')", hbs: '{{ipaddr "192.168.1.10/31" "broadcast"}}', expect: null },
    {
      jinja: "'192.168.1.10/24' | ipaddr('network/prefix')",
      hbs: '{{ipaddr "192.168.1.10/24" "network/prefix"}}',
      expect: '192.168.1.0/24',
    },
    { jinja: "'192.168.1.10' | ipaddr('host')", hbs: '{{ipaddr "192.168.1.10" "host"}}', expect: '192.168.1.10/32' },
    { jinja: "'192.168.1.10/24' | ipaddr('size')", hbs: '{{ipaddr "192.168.1.10/24" "size"}}', expect: 256 },
    {
      jinja: "'192.168.1.10/255.255.255.0' | ipaddr",
      hbs: '{{ipaddr "192.168.1.10/255.255.255.0"}}',
      expect: '192.168.1.10/24',
    },
    {
      jinja: "'192.168.1.10' | ipaddr('192.168.0.0/16')",
      hbs: '{{ipaddr "192.168.1.10" "192.168.0.0/16"}}',
      expect: '192.168.1.10',
    },
    { jinja: "'10.1.1.1' | ipaddr('192.168.0.0/16')", hbs: '{{ipaddr "10.1.1.1" "192.168.0.0/16"}}', expect: null },
    {
      jinja: "'2001:db8::1/64' | ipaddr('network')",
      hbs: '{{ipaddr "2001:db8::1/64" "network"}}',
      expect: '2001:db8::',
    },
    {
      jinja: "'2001:db8::1/64' | ipaddr('broadcast')",
      hbs: '{{ipaddr "2001:db8::1/64" "broadcast"}}',
      expect: '2001:db8::ffff:ffff:ffff:ffff',
    },
    { jinja: "'2001:db8::/64' | ipaddr('address')", hbs: '{{ipaddr "2001:db8::/64" "address"}}', expect: '2001:db8::' },
    { jinja: "'10' | ipaddr", hbs: '{{ipaddr "10"}}', expect: '0.0.0.10' },
    { jinja: "'192.168.1.10/33' | ipaddr", hbs: '{{ipaddr "192.168.1.10/33"}}', expect: false },
    { jinja: "'192.168.1' | ipaddr", hbs: '{{ipaddr "192.168.1"}}', lbprovOnly: true, expect: false },
  ],
  ipv4: [
    {
      jinja: 'l | ipv4',
      hbs: '{{ipv4 l}}',
      vars: { l: ['192.168.1.10', 'x', '10.0.0.0/8', '::1'] },
      expect: ['192.168.1.10', '10.0.0.0/8'],
    },
    { jinja: "'::1' | ipv4", hbs: '{{ipv4 "::1"}}', expect: false },
    {
      jinja: "'192.168.1.10/24' | ipv4('address')",
      hbs: '{{ipv4 "192.168.1.10/24" "address"}}',
      expect: '192.168.1.10',
    },
  ],
  ipv6: [
    { jinja: 'l | ipv6', hbs: '{{ipv6 l}}', vars: { l: ['192.168.1.10', 'x', '10.0.0.0/8', '::1'] }, expect: ['::1'] },
    { jinja: "'192.168.1.10' | ipv6", hbs: '{{ipv6 "192.168.1.10"}}', expect: false },
  ],
  join: [
    {
      jinja: "[1, true, none, 'x'] | join(',')",
      hbs: '{{join l ","}}',
      vars: { l: [1, true, null, 'x'] },
      expect: '1,True,None,x',
    },
    { jinja: '[1, 2] | join', hbs: '{{join l}}', vars: { l: [1, 2] }, expect: '12' },
  ],
  split: [
    { jinja: "' a  b ' | split", hbs: '{{split " a  b "}}', expect: ['a', 'b'] },
    { jinja: "'a,b,,c' | split(',')", hbs: '{{split "a,b,,c" ","}}', expect: ['a', 'b', '', 'c'] },
  ],
  string: [
    { jinja: 'true | string', hbs: '{{string true}}', expect: 'True' },
    {
      jinja: "[1, 'a', none, true] | string",
      hbs: '{{string l}}',
      vars: { l: [1, 'a', null, true] },
      expect: "[1, 'a', None, True]",
    },
    {
      jinja: "{'a': 'b'} | string",
      expr: 'm | string',
      hbs: '{{string m}}',
      vars: { m: { a: 'b' } },
      expect: "{'a': 'b'}",
    },
  ],
  ternary: [
    {
      jinja: "tls | ternary('https', 'http')",
      hbs: '{{ternary tls "https" "http"}}',
      vars: { tls: true },
      expect: 'https',
    },
    { jinja: "x | ternary('y', 'n', 'none')", hbs: '{{ternary x "y" "n" "none"}}', vars: { x: null }, expect: 'none' },
  ],
  quote: [
    {
      jinja: '"it\'s here" | quote',
      expr: '"it\'s here" | quote',
      hbs: '{{quote "it\'s here"}}',
      expect: "'it'\"'\"'s here'",
    },
    { jinja: "'/etc/x.conf' | quote", hbs: '{{quote "/etc/x.conf"}}', expect: '/etc/x.conf' },
  ],
};
