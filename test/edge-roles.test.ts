import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { InputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';
import type { Task } from '../src/playbook/types.js';

/**
 * playbooks/edge.yml as roles (playbooks/roles/): the tasks, in the order and under the names the
 * lab suites, the bench and the README rely on; the roles' defaults as the play's; and the README's
 * example of one role reused in another team's playbook, loaded as written there.
 */
const roles = join(packageRoot, 'playbooks', 'roles');

/** What a host runs: a role used again (a dependency) runs once, role_complete markers are internal. */
function ran(tasks: readonly Task[]): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  for (const t of tasks) {
    if (t.meta === 'role_complete' && t.roleOnce) done.add(t.roleOnce);
    else if (!(t.roleOnce && done.has(t.roleOnce)))
      out.push(`${t.name}${t.tags.length ? ` [${t.tags.join(',')}]` : ''}`);
  }
  return out;
}

test('edge.yml: the same tasks in the same order, each as ROLE : TASK, with their tags; the handlers', () => {
  const pb = loadPlaybook(join(packageRoot, 'playbooks', 'edge.yml'));
  const play = pb.plays[0];
  assert.equal(ran(play.tasks), [
    'kernel : kernel is new enough',
    'kernel : NIC model',
    'toolchain : BPF toolchain',
    'lb_hash : lb_hash compiled and pinned',
    'listener : edge sysctls',
    'listener : reference listener built',
    'listener : listener unit',
    'listener : meta: flush_handlers',
    'listener : listener running',
    'listener : the listener answers [health]',
    'collector : textfile collector',
    'collector : the collector runs now [health]',
    "collector : the collector's .prom file has fresh lbprov_ metrics of this listener [health]",
    'selftest : lb_hash spreads connections (self-test) [selftest]',
  ]);
  assert.equal(
    play.handlers.map((h) => [h.name, h.listen]),
    [
      ['listener : restart listener', ['restart listener']],
      ['listener : reload listener', ['lb_hash pinned', 'reload listener']],
    ],
  );
  assert.equal(
    pb.defaults.rollout_serial,
    [1, '50%'],
    "serial: from playbooks/group_vars/all.yml (a play's, not a role's)",
  );
  assert.is(play.maxFailPercentage, 0);
  // every value the tasks use has a default in some role (or the playbook's group_vars)
  const d = play.roleDefaults!;
  for (const k of ['kernel_min', 'nic_models', 'edge_packages', 'lb_hash_src', 'lb_pin', 'lb_pin_maps', 'lb_port'])
    assert.ok(k in d, `${k} has a role default`);
  for (const k of ['lb_workers', 'lb_listener_src', 'edge_sysctls', 'textfile_dir', 'selftest_connections'])
    assert.ok(k in d, `${k} has a role default`);
  assert.is(d.lb_pin, '/sys/fs/bpf/lb_hash');
  assert.is(d.lb_port, 8080);
});

test('rollback.yml: the lb_hash role pins the previous program again; no role re-pins or builds anything', () => {
  const pb = loadPlaybook(join(packageRoot, 'playbooks', 'rollback.yml'));
  assert.equal(ran(pb.plays[0].tasks), [
    'lb_hash : the previous lb_hash pinned again',
    'meta: flush_handlers',
    'the listener runs the program pinned now [health]',
    'listener : the listener answers [health]',
  ]);
  assert.ok(pb.plays[0].handlers.some((h) => h.name === 'listener : reload listener'));
});

/** The README's "Reusing one role" example, as written there. */
function readmeExample(): string {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const at = readme.indexOf('**Reusing one role.**');
  assert.ok(at > 0, 'the README shows how to reuse a role');
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, 'with a playbook');
  return m[1];
}

test("the README's example: lb_hash and selftest reused from roles_path in another team's playbook", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-edge-roles-'));
  try {
    mkdirSync(join(dir, 'bpf'));
    copyFileSync(join(packageRoot, 'bpf', 'lb_hash.c'), join(dir, 'bpf', 'our_hash.c'));
    const site = join(dir, 'site.yml');
    writeFileSync(site, readmeExample());
    const pb = loadPlaybook(site, { rolesPath: [roles] });
    const play = pb.plays[0];
    assert.equal(ran(play.tasks), [
      'toolchain : BPF toolchain',
      'lb_hash : lb_hash compiled and pinned',
      'selftest : lb_hash spreads connections (self-test) [selftest]',
    ]);
    assert.is(play.vars.lb_pin, '/sys/fs/bpf/our_hash');
    assert.is(play.roleDefaults!.lb_workers, 4, "lb_common's defaults come with the roles that depend on it");
    // without a handler for the topic lb_hash notifies, the play does not load
    const bare = join(dir, 'bare.yml');
    writeFileSync(bare, readmeExample().replace(/\n {2}handlers:[\s\S]*$/, '\n'));
    let msg = '';
    try {
      loadPlaybook(bare, { rolesPath: [roles] });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      msg = e.message;
    }
    assert.match(msg, /notifies "lb_hash pinned", but no handler of this play has that name or listens to it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
