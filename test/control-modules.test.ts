/**
 * set_fact, fail, pause and the meta actions through the real PlaybookRunner, on hosts that are
 * never contacted (none of these tasks reads or changes a host): variable precedence, loops,
 * tasks run once per batch, what each meta action stops, and the exit code. The same behaviours
 * are compared with ansible-playbook by test/conformance/cases/8x-mod-ctl-*.yml.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../src/inventory/load.js';
import { loadPlaybook } from '../src/playbook/load.js';
import { exitCode, PlaybookRunner } from '../src/executor/play-runner.js';
import { Once } from '../src/executor/once.js';
import type { HostTaskReport, Reporter, RunOptions, Slot } from '../src/executor/types.js';
import { InputError } from '../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lbprov-ctl-'));
writeFileSync(
  join(dir, 'inventory.yml'),
  [
    'all:',
    '  vars: { ansible_connection: local, x: inventory }',
    '  hosts:',
    '    h1: { port: 1 }',
    '    h2: { port: 2 }',
    '    h3: { port: 3 }',
    '',
  ].join('\n'),
);
const inv = loadInventory([join(dir, 'inventory.yml')]);

interface Seen {
  lines: string[];
  warnings: string[];
}

function reporter(seen: Seen): Reporter {
  return {
    playStart: () => {},
    batchStart: () => {},
    taskStart: () => {},
    taskDone: (slot: Slot, host: string, r: HostTaskReport) => {
      seen.lines.push(`${slot.name} | ${host} = ${r.status}${r.shown !== undefined ? ` ${r.shown}` : ''}`);
      seen.warnings.push(...(r.warnings ?? []));
    },
    hostDone: () => {},
    warn: (m) => void seen.warnings.push(m),
    end: () => {},
  };
}

let n = 0;
async function run(
  yaml: string,
  extraVars: Record<string, unknown> = {},
  more: Partial<RunOptions> = {},
): Promise<Seen & { code: number; stats: Record<string, string> }> {
  const file = join(dir, `pb${n++}.yml`);
  writeFileSync(file, yaml);
  const seen: Seen = { lines: [], warnings: [] };
  const opts = {
    check: false,
    diff: false,
    forks: 5,
    tags: [],
    skipTags: [],
    extraVars,
    ...more,
  } as unknown as RunOptions;
  const runner = new PlaybookRunner(loadPlaybook(file), inv, opts, reporter(seen));
  const stats = await runner.run();
  return {
    ...seen,
    code: exitCode(stats, runner.stopped, runner.forgiven),
    stats: Object.fromEntries(
      [...stats].map(([h, s]) => [h, `ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped}`]),
    ),
  };
}

const sorted = (l: string[]): string[] => [...l].sort();

test('set_fact: above inventory, play and task vars, below -e; later plays see it', async () => {
  const r = await run(
    `
- hosts: all
  gather_facts: false
  vars: { x: play, y: play }
  tasks:
    - set_fact: { x: "fact{{ port }}", y: fact }
    - name: shown
      debug: { msg: "{{ x }} {{ y }}" }
      vars: { x: task }
- hosts: h1
  gather_facts: false
  vars: { x: play2 }
  tasks:
    - name: next play
      debug: { msg: "{{ x }} {{ hostvars.h2.x }}" }
`,
    { y: 'extra' },
  );
  assert.equal(
    r.lines.filter((l) => !l.startsWith('set_fact')),
    [
      'shown | h1 = ok fact1 extra',
      'shown | h2 = ok fact2 extra',
      'shown | h3 = ok fact3 extra',
      'next play | h1 = ok fact1 fact2',
    ],
  );
});

test('set_fact in a loop: the last item wins, and items do not see what earlier items set', async () => {
  const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - set_fact: { z: "{{default z 'none'}}-{{ item }}" }
      loop: [1, 2, 3]
    - name: shown
      debug: { msg: "{{ z }}" }
    - set_fact: { w: yes }
      when: port == 2
    - name: skipped set_fact sets nothing
      debug: { msg: "{{default w 'unset'}}" }
`);
  assert.ok(r.lines.includes('shown | h1 = ok none-3'), r.lines.join('\n'));
  assert.ok(r.lines.includes('skipped set_fact sets nothing | h1 = ok unset'), r.lines.join('\n'));
});

test('fail: the host fails with the message, the others go on; exit code 2', async () => {
  const r = await run(`
- hosts: all
  gather_facts: false
  tasks:
    - fail: { msg: "no {{ port }}" }
      when: port == 3
    - name: after
      debug: { msg: go }
`);
  assert.equal(sorted(r.lines.filter((l) => l.startsWith('after'))), ['after | h1 = ok go', 'after | h2 = ok go']);
  assert.ok(r.lines.includes('fail | h3 = failed'));
  assert.equal(r.code, 2);
});

test('pause runs once for the batch, on its first host, and waits', async () => {
  const t0 = Date.now();
  const r = await run(`
- hosts: all
  gather_facts: false
  tasks:
    - pause: { seconds: 1 }
    - pause: { prompt: "go on?" }
    - name: after
      debug: { msg: after }
`);
  assert.ok(Date.now() - t0 >= 1000, 'waited a second');
  assert.equal(
    r.lines.filter((l) => l.startsWith('pause')),
    ['pause | h1 = ok', 'pause | h1 = ok'],
  );
  assert.equal(r.lines.filter((l) => l.startsWith('after')).length, 3);
  assert.equal(r.warnings, ['Not waiting for response to prompt as stdin is not interactive']);
  assert.equal(r.stats.h2, 'ok=1 changed=0 failed=0 skipped=0');
});

test('meta end_play: decided by the first host; no later task, handler or batch; later plays run; exit 0', async () => {
  const r = await run(`
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - debug: { msg: a }
      changed_when: true
      notify: h
    - name: not first
      meta: end_play
      when: port == 2
    - name: going
      debug: { msg: go }
    - meta: end_play
    - name: never
      debug: { msg: never }
  handlers:
    - name: h
      debug: { msg: handler }
- hosts: all
  gather_facts: false
  tasks:
    - name: play2
      debug: { msg: p2 }
`);
  assert.equal(sorted(r.lines.filter((l) => /^(going|never|h|not first) /.test(l))), [
    'going | h1 = ok go',
    'going | h2 = ok go',
    'not first | h1 = skipped',
  ]);
  assert.equal(r.lines.filter((l) => l.startsWith('play2')).length, 3);
  assert.equal(r.stats.h3, 'ok=1 changed=0 failed=0 skipped=0', 'h3 (second batch) ran only play 2');
  assert.equal(r.stats.h1, 'ok=3 changed=1 failed=0 skipped=0', 'the skipped meta is not counted');
  assert.equal(r.code, 0);
});

test('meta end_batch ends the batch only; end_host ends one host without its handlers', async () => {
  const r = await run(`
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - name: first
      debug: { msg: a }
    - meta: end_batch
    - name: never
      debug: { msg: never }
- hosts: all
  gather_facts: false
  tasks:
    - name: notify
      debug: { msg: a }
      changed_when: true
      notify: h
    - meta: end_host
      when: port == 2
    - name: rest
      debug: { msg: rest }
  handlers:
    - name: h
      debug: { msg: handler }
`);
  assert.equal(r.lines.filter((l) => l.startsWith('first')).length, 3, 'both batches started');
  assert.equal(
    r.lines.filter((l) => l.startsWith('never')),
    [],
  );
  assert.equal(sorted(r.lines.filter((l) => /^(rest|h) /.test(l)).map((l) => l.split(' = ')[0])), [
    'h | h1',
    'h | h3',
    'rest | h1',
    'rest | h3',
  ]);
  assert.equal(r.code, 0);
});

test('meta clear_host_errors: the failed host runs in later plays and the exit code is 0', async () => {
  const r = await run(`
- hosts: all
  gather_facts: false
  tasks:
    - fail:
      when: port == 2
    - meta: clear_host_errors
    - name: same play
      debug: { msg: a }
- hosts: all
  gather_facts: false
  tasks:
    - name: next play
      debug: { msg: b }
`);
  assert.equal(r.lines.filter((l) => l.startsWith('same play')).length, 2, 'not in the play it failed in');
  assert.equal(r.lines.filter((l) => l.startsWith('next play')).length, 3);
  assert.equal(r.stats.h2, 'ok=1 changed=0 failed=1 skipped=0', 'the recap still shows the failure');
  assert.equal(r.code, 0);
});

test('meta clear_facts: cacheable facts go, set_fact vars stay', async () => {
  const r = await run(`
- hosts: h1
  gather_facts: false
  tasks:
    - set_fact: { c: cached, cacheable: true }
    - name: before
      debug: { msg: "{{ ansible_facts.c }}" }
    - meta: clear_facts
    - name: after
      debug: { msg: "{{ c }} {{default ansible_facts.c 'gone'}}" }
`);
  assert.ok(r.lines.includes('before | h1 = ok cached'), r.lines.join('\n'));
  assert.ok(r.lines.includes('after | h1 = ok cached gone'), r.lines.join('\n'));
});

test('meta refresh_inventory: vars read again apply to later tasks, new hosts to later plays', async () => {
  const file = join(dir, 'inventory2.yml');
  writeFileSync(
    file,
    'all:\n  vars: { ansible_connection: local, x: refreshed }\n  hosts:\n    h1: { port: 1 }\n    h4: { port: 4 }\n',
  );
  let reads = 0;
  const r = await run(
    `
- hosts: h1
  gather_facts: false
  tasks:
    - name: before
      debug: { msg: "{{ x }}" }
    - meta: refresh_inventory
    - name: after
      debug: { msg: "{{ x }}" }
- hosts: all
  gather_facts: false
  tasks:
    - name: play2
      debug: { msg: "{{ x }}" }
`,
    {},
    { reloadInventory: () => (reads++, loadInventory([file])) },
  );
  assert.equal(reads, 1);
  assert.equal(r.lines.slice(0, 2), ['before | h1 = ok inventory', 'after | h1 = ok refreshed']);
  assert.equal(sorted(r.lines.slice(2)), ['play2 | h1 = ok refreshed', 'play2 | h4 = ok refreshed']);
});

test('Once: the first host in batch order runs the task, whatever the order they reach it in', async () => {
  const once = new Once(['a', 'b', 'c']);
  const task = {};
  const ran: string[] = [];
  await Promise.all(
    ['c', 'a', 'b'].map(async (h) => {
      const t = await once.reach(task, h);
      if (t.first) {
        ran.push(h);
        await new Promise((res) => setTimeout(res, 20));
        t.done();
      } else ran.push(`${h} after`);
    }),
  );
  assert.equal(ran[0], 'a');
  assert.equal(sorted(ran.slice(1)), ['b after', 'c after']);
});

test('load time: an unknown meta action and a set_fact name Ansible refuses are errors', () => {
  const file = join(dir, 'bad.yml');
  writeFileSync(
    file,
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - meta: reset_connection\n    - set_fact: { "bad-name": 1 }\n',
  );
  try {
    loadPlaybook(file);
    assert.unreachable('loaded');
  } catch (e) {
    assert.instance(e, InputError);
    const msg = (e as Error).message;
    assert.match(msg, /bad\.yml:4:\d+: .*meta supports flush_handlers, end_play/);
    assert.match(msg, /bad\.yml:5:\d+: task \(set_fact\): "bad-name" is not a valid variable name/);
  }
});

test.run();
