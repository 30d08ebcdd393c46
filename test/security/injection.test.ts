import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from '../../modules/package.js';
import { collectorFiles } from '../../modules/textfile_collector.js';
import { prefetch } from '../../src/executor/prefetch.js';
import { readsScript, stepsScript } from '../../src/executor/remote-script.js';
import type { HostContext } from '../../src/executor/host-context.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { Scope } from '../../src/playbook/scope.js';
import { applyJson, lbprov } from '../helpers/cli.js';

/** Option injection and file handling: what reaches an argv from a playbook is validated or after `--`. */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-inject-'));
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const facts = (pm: 'apt' | 'dnf') => ({ pkg_manager: pm }) as never;
const ctx = (pm: 'apt' | 'dnf' = 'apt') => ({
  host: 'h',
  facts: facts(pm),
  check: false,
  localFile: () => Buffer.alloc(0),
  render: (t: string) => t,
  evaluate: () => undefined,
  checkKnown: () => undefined,
  checkState: () => undefined,
});

test('package names, owners and groups that could be options are refused at load time, each with file:line:col (exit 5)', async () => {
  const pb = write(
    'inject.yml',
    `- hosts: localhost
  gather_facts: false
  tasks:
    - package:
        name: "-oDPkg::Pre-Invoke::=touch /tmp/x"
    - apt: { name: [clang, "--reinstall"] }
    - file: { path: /tmp/a, state: touch, owner: "--reference=/etc/shadow" }
    - copy: { dest: /tmp/b, content: x, group: "-R" }
    - package: { name: [gcc-c++, libstdc++6, python3.11, perl-Foo_Bar, 0ad, "libc6:amd64", "{{ later }}"] }
    - file: { path: /tmp/c, state: touch, owner: "1000", group: www-data }
    - file: { path: "/tmp/nul\\0/x", state: touch }
`,
  );
  const r = await lbprov(['validate', pb]);
  assert.is(r.code, 5, r.stdout + r.stderr);
  const out = r.stderr + r.stdout;
  const at = (line: number, what: RegExp): void =>
    assert.match(out, new RegExp(`${pb.replace(/\./g, '\\.')}:${line}:\\d+: .*${what.source}`), `line ${line}`);
  at(5, /is not a package name/);
  at(6, /"--reinstall" is not a package name/);
  at(7, /"--reference=\/etc\/shadow" is not a user name/);
  at(8, /"-R" is not a group name/);
  at(11, /NUL byte/);
  assert.not.match(out, /:(9|10):\d+:/, 'valid Debian/RPM names, numeric ids and templates pass');
});

// `--` before package names in apt-get/dnf and chown before chmod (a setuid mode survives) are
// module cases: test/modules/package/*-dashdash.yaml, test/modules/file/setuid-*.yaml
test("package: the host's own grammar is checked before anything changes", () => {
  // a name that came from a template passes the load-time pattern (either grammar) but not the
  // host's: refused by the plan. The read before it passes the names after `--`.
  const answer = (pm: 'apt' | 'dnf') => ({
    installed: { rc: 0, stdout: Buffer.from(`@@PM ${pm}\n`), stderr: '' },
  });
  const reads = pkg.reads!({ name: ['ok', 'Foo_Bar'], state: 'present', update_cache: false }, ctx('apt'));
  const argv = (reads.installed as { argv: string[] }).argv;
  assert.equal(argv.slice(0, 2), ['lbprov_pkg_query', 'present']);
  // (a plan that throws fails its task: runItem)
  assert.throws(
    () => pkg.plan({ name: 'Foo_Bar', state: 'present', update_cache: false }, answer('apt'), ctx('apt')),
    /not a Debian package name: "Foo_Bar"/,
  );
  assert.throws(
    () => pkg.plan({ name: ['ok', '-x'], state: 'present', update_cache: false }, answer('dnf'), ctx('dnf')),
    /not an RPM package name: "-x"/,
  );
});

test('the read-ahead does not read for tasks whose `when` is false, nor for those whose `when` uses a result registered in the play', async () => {
  const pb = loadPlaybook(
    write(
      'prefetch.yml',
      `- hosts: localhost
  gather_facts: false
  tasks:
    - file: { path: /ahead/always, state: file }
      register: r
    - file: { path: /ahead/never, state: file }
      when: false
    - file: { path: /ahead/disabled, state: file }
      when: enabled
    - file: { path: /ahead/enabled, state: file }
      when: not enabled
    - file: { path: /ahead/registered, state: file }
      when: r.changed
`,
    ),
  );
  const scripts: string[] = [];
  const shell = async () =>
    ({
      run: async (script: string) => {
        scripts.push(script);
        const n = script.split('\n').filter((l) => l.startsWith('lbprov_read ')).length;
        // every path is absent
        const sizes = Array.from({ length: n }, () => '7 0').join(' ');
        return {
          rc: 0,
          stdout: Buffer.from(`@@ANSWER ${n}|${Array(n).fill(0).join(' ')}|${sizes}\n${'absent\n'.repeat(n)}`),
          stderr: Buffer.alloc(0),
        };
      },
    }) as never;
  const hc = {
    host: { name: 'localhost', vars: {}, groups: [] },
    registered: { r: { changed: true } },
  } as unknown as HostContext;
  await prefetch(pb.plays[0].tasks, new Scope({ enabled: false }, {}), {
    hc,
    check: true,
    playbookDir: dir,
    timeoutMs: 1000,
    shell,
  });
  const text = scripts.join('\n');
  assert.match(text, /\/ahead\/always/);
  assert.match(text, /\/ahead\/enabled/);
  assert.not.match(text, /\/ahead\/never/);
  assert.not.match(text, /\/ahead\/disabled/);
  assert.not.match(text, /\/ahead\/registered/);
});

test("command execs a program: shell builtins and lbprov's own functions are not found", async () => {
  const marker = join(dir, 'pwned');
  const pb = write(
    'exec.yml',
    `- hosts: localhost
  gather_facts: false
  tasks:
    - name: eval
      command: { argv: [eval, "touch ${marker}"] }
      ignore_errors: true
    - name: function
      command: lbprov_stat /etc/hostname
      ignore_errors: true
    - name: builtin
      command: { argv: [source, /dev/null] }
      ignore_errors: true
    - name: program
      command: { argv: [echo, hi] }
      register: hi
    - assert: { that: "hi.stdout == 'hi'" }
`,
  );
  const r = await applyJson([pb]);
  assert.is(r.code, 0, r.stderr);
  const task = (n: string) => r.run.plays[0].tasks.find((t) => t.name === n)!.hosts.localhost;
  for (const n of ['eval', 'function', 'builtin']) {
    assert.is(task(n).status, 'failed', n);
    assert.match(task(n).msg ?? '', /non-zero return code 127.*No such file or directory/, n);
  }
  assert.not.ok(existsSync(marker), 'eval ran nothing');
  assert.is(task('program').status, 'changed');
});

test('textfile_collector: a `{{` in a value reaches the script quoted and literal, not rendered again', () => {
  const { files } = collectorFiles({
    name: 'x',
    directory: "/var/lib/node{{ exporter }}/a'b",
    port: 80,
    interval: '15s',
    pin: '/sys/fs/bpf/{{x}}',
    counters: '/run/c',
  });
  const script = files[0].content;
  assert.match(script, /^dir='\/var\/lib\/node\{\{ exporter \}\}\/a'\\''b'$/m);
  assert.match(script, /^pin='\/sys\/fs\/bpf\/\{\{x\}\}'$/m);
});

test('a NUL byte never reaches a script: refused when the script is built', () => {
  assert.throws(() => readsScript([{ kind: 'stat', path: '/a\0b' }]), /NUL byte/);
  assert.throws(() => stepsScript([{ op: 'exec', argv: ['touch', 'a\0b'] }]), /NUL byte/);
  assert.throws(() => stepsScript([{ op: 'write', path: '/a\0', content: Buffer.from('x') }]), /NUL byte/);
  assert.ok(
    stepsScript([{ op: 'write', path: '/a', content: Buffer.from('x\0y') }]).includes('lbprov_put'),
    'content may hold NULs (base64)',
  );
});

test.run();
