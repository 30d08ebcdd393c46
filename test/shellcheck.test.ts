import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MODULES } from '../modules/index.js';
import { PRIMITIVES, preludeText, libsOf } from '../src/executor/prelude.js';
import { packageRoot } from '../src/util/paths.js';
import { agent } from '../src/transport/remote-shell.js';
import { runLock } from '../src/transport/host-lock.js';
import { collectorFiles } from '../modules/textfile_collector.js';
import { requireTools } from './helpers/skip.js';

/**
 * Every shell file lbprov ships or runs (the executor's prelude, the modules' functions beside
 * them, the lab's and the scripts') passes shellcheck; so do the prelude as the hosts get it (with
 * the facts function built from src/facts/sources.ts) and the modules' functions loaded together,
 * the remote shell's own text and the collector script rendered from its template.
 */
const SKIP = new Set(['node_modules', 'dist', '.git']);
function shellFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? SKIP.has(e.name)
        ? []
        : shellFiles(join(dir, e.name))
      : e.name.endsWith('.sh')
        ? [join(dir, e.name)]
        : [],
  );
}

const shellcheck = (args: string[], input?: string): { rc: number | null; out: string } => {
  const r = spawnSync('shellcheck', ['--format=gcc', ...args], { input, encoding: 'utf8' });
  return { rc: r.status, out: `${r.stdout}${r.stderr}` };
};

if (requireTools('shellcheck', ['shellcheck'])) {
  test('every .sh file of the package is shellcheck-clean', () => {
    const files = shellFiles(packageRoot);
    const names = files.map((f) => relative(packageRoot, f));
    for (const f of [
      'src/executor/prelude.sh',
      'src/module/build.sh',
      'modules/bpf_program.sh',
      'modules/reuseport_selftest.sh',
      'scripts/system-deps.sh',
    ])
      assert.ok(names.includes(f), `${f} is checked`);
    const r = shellcheck(files);
    assert.is(r.out, '');
    assert.is(r.rc, 0);
  });

  test('the prelude the hosts load (primitives, facts, every module function) is shellcheck-clean', () => {
    const libs = libsOf(MODULES.values());
    assert.ok(libs.length >= 3, 'the modules declare their shell files');
    assert.ok(PRIMITIVES.text.includes('lbprov_facts()'));
    const r = shellcheck(['--shell=bash', '-'], preludeText(libs));
    assert.is(r.out, '');
    assert.is(r.rc, 0);
  });

  test('the remote shell (agent, janitor, host lock) is shellcheck-clean', () => {
    const r = shellcheck(['--shell=bash', '-'], agent(': prelude', runLock()));
    assert.is(r.out, '');
    assert.is(r.rc, 0);
  });

  test("the textfile collector's script, as rendered, is shellcheck-clean", () => {
    const { files } = collectorFiles({
      name: 'reuseport',
      directory: '/var/lib/prometheus/node-exporter',
      port: 8080,
      interval: '15s',
      pin: '/sys/fs/bpf/lb_hash',
      counters: '/run/lb-listener/accepts',
    });
    const r = shellcheck(['-'], files[0].content);
    assert.is(r.out, '');
    assert.is(r.rc, 0);
  });

  test('shellcheck finds what it looks for', () => {
    const r = shellcheck(['--shell=bash', '-'], 'f() { rm -rf $1/x; }\n');
    assert.is.not(r.rc, 0);
    assert.match(r.out, /SC2086/);
  });
}

test.run();
