import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../src/inventory/load.js';
import { loadPlaybook } from '../src/playbook/load.js';
import { Scope } from '../src/playbook/scope.js';
import { PlaybookRunner } from '../src/executor/play-runner.js';
import type { Reporter, RunOptions } from '../src/executor/types.js';
import { preludeText } from '../src/executor/prelude.js';
import { readsScript, parseAnswers } from '../src/executor/remote-script.js';
import { runTask } from '../src/executor/task-runner.js';
import { LocalTransport } from '../src/transport/local.js';
import { RemoteShell } from '../src/transport/remote-shell.js';

/** A module's shell functions go to the hosts whose plays use the module, and only there. */
const dir = mkdtempSync(join(tmpdir(), 'lbprov-libs-'));
writeFileSync(
  join(dir, 'inventory.yml'),
  'all:\n  hosts:\n    a: { ansible_connection: local }\n    b: { ansible_connection: local }\n',
);
writeFileSync(
  join(dir, 'site.yml'),
  [
    '- hosts: a',
    '  gather_facts: false',
    '  tasks:',
    '    - wait_for: { path: /, timeout: 5 }',
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    '    - debug: { msg: hello }',
    '  handlers:',
    '    - name: roll back',
    '      bpf_rollback: { pin: /sys/fs/bpf/x }',
    '',
  ].join('\n'),
);
const inv = loadInventory([join(dir, 'inventory.yml')]);
const pb = loadPlaybook(join(dir, 'site.yml'));

test("each host's remote shell loads the shell files of the modules its plays use", () => {
  const runner = new PlaybookRunner(pb, inv, {} as RunOptions, {} as Reporter);
  assert.equal(
    runner.libsFor('a').map((l) => l.file),
    ['modules/bpf_rollback.sh', 'modules/wait_for.sh'],
  );
  assert.equal(
    runner.libsFor('b').map((l) => l.file),
    ['modules/bpf_rollback.sh'],
    'b runs no wait_for: it never gets its function',
  );
});

test('a task whose functions its shell did not load carries them in its script', async () => {
  const shell = new RemoteShell(new LocalTransport(), preludeText([]), undefined, 'local');
  try {
    // the shell alone does not know the module's function
    const bare = parseAnswers(
      (
        await shell.run(
          readsScript([{ kind: 'exec', argv: ['lbprov_wait_for', 'path', '', '/', 'present', '1000', '0', '1', ''] }]),
        )
      ).stdout,
    );
    assert.is(bare.get(0)?.rc, 127);
    const task = pb.plays[0].tasks[0];
    const hc = { host: inv.hosts.get('a')!, registered: {}, libs: [] };
    const r = await runTask(task, {
      hc,
      shell: async () => shell,
      scope: new Scope({}, {}),
      check: false,
      timeoutMs: 10_000,
      playbookDir: dir,
    });
    assert.is(r.status, 'ok', r.msg);
  } finally {
    shell.close();
  }
});

test.run();
