import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/load.js';
import { InputError } from '../src/util/errors.js';
import { packageRoot } from '../src/util/paths.js';
import { haveAnsible } from './helpers/ansible.js';
import { applyJson, lbprov } from './helpers/cli.js';
import { ansiblePlaybook, asLbprov, changedTasks, recap, trace } from './helpers/ansible-run.js';

/**
 * Roles, imports, includes and blocks: the loader on fixture trees (what is flattened at load time,
 * what is an error with its place), then test/fixtures/roles-basic run on `connection: local` by
 * lbprov and by ansible-playbook, compared task by task and host by host.
 */
const fx = (...p: string[]): string => join(packageRoot, 'test', 'fixtures', ...p);
const site = fx('roles-basic', 'site.yml');
const inventory = fx('roles-basic', 'inventory.yml');

function problems(file: string): string[] {
  try {
    loadPlaybook(file);
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  }
  return [];
}

test('roles, their dependencies and imports are expanded at load time, in Ansible order, duplicates once', () => {
  const pb = loadPlaybook(site);
  const names = pb.plays[0].tasks.map((t) => t.name);
  assert.equal(names, [
    'pre',
    'meta: flush_handlers',
    'common : common task',
    'common : role_complete',
    // web's dependencies (common with other tags than above is another use of it), then web
    'common : common task',
    'common : role_complete',
    'base : base task',
    'base : role_complete',
    'web : web task',
    'web : web conf',
    'web : web static',
    'web : role_complete',
    // the second `web` with the same tags is the same role use: it does not run again where it ran (block.ts)
    'common : common task',
    'common : role_complete',
    'base : base task',
    'base : role_complete',
    'web : web task',
    'web : web conf',
    'web : web static',
    'web : role_complete',
    // with another parameter it runs again (its dependencies do not)
    'common : common task',
    'common : role_complete',
    'base : base task',
    'base : role_complete',
    'web : web task',
    'web : web conf',
    'web : web static',
    'web : role_complete',
    'extra one',
    'looped include',
    'in block',
    'fails',
    'after failure',
    'rescuing',
    'always',
    'web only',
    'changes',
  ]);
  const t = pb.plays[0].tasks;
  assert.equal(
    t.find((x) => x.name === 'extra one')!.vars,
    { imported: 'yes-imported' },
    'import vars reach the imported tasks',
  );
  assert.equal(
    t.find((x) => x.name === 'web only')!.when,
    ["'web' in group_names"],
    "a block when is every task's when",
  );
  assert.equal(
    t.find((x) => x.name === 'rescuing')!.blocks!.map((b) => b.section),
    ['rescue'],
  );
  assert.ok(t.find((x) => x.name === 'web : web task')!.tags.includes('webtag'), "a role use's tags reach its tasks");
  const inc = t.find((x) => x.name === 'looped include')!;
  assert.equal(
    inc.include!.tasks!.map((x) => x.name),
    ['looped task'],
    'a literal include is read at load time',
  );
  assert.equal(
    pb.plays[0].handlers.map((h) => h.name),
    ['web : web changed', 'first listener', 'second listener'],
  );
  assert.equal(pb.plays[0].roleDefaults, {
    common_port: 80,
    common_name: 'common-default',
    base_greeting: 'base-default',
    web_port: 3000,
    web_param: 'none',
    web_user: 'default-user',
  });
  const roleTask = t.find((x) => x.name === 'base : base task')!;
  assert.equal(roleTask.role!.params, { base_greeting: 'from-web-meta' }, "a dependency's inline parameter");
  assert.match(roleTask.dir!, /roles\/base\/tasks$/);
});

test('every block section is an index range around its own tasks (roles and imports read into the same list)', () => {
  for (const file of [site, join(packageRoot, 'test', 'sample-roles', 'site.yml')]) {
    const tasks = loadPlaybook(file).plays[0].tasks;
    tasks.forEach((t, i) => {
      for (const { block, section } of t.blocks ?? []) {
        const [from, to] =
          section === 'block'
            ? [block.start, block.rescue ?? block.always ?? block.end]
            : section === 'rescue'
              ? [block.rescue!, block.always ?? block.end]
              : [block.always!, block.end];
        assert.ok(from <= i && i < to, `${file}: "${t.name}" (#${i}) is outside its ${section} section ${from}..${to}`);
      }
    });
  }
});

test('roles are found in roles_path after roles/ beside the playbook', () => {
  const pb = loadPlaybook(fx('roles-errors', 'role-path.yml'), { rolesPath: [fx('roles-basic', 'roles')] });
  assert.equal(
    pb.plays[0].tasks.map((t) => t.name),
    ['base : base task', 'base : role_complete'],
  );
  assert.match(
    problems(fx('roles-errors', 'role-path.yml')).join('\n'),
    /role-path\.yml:3:7: role "base" not found \(looked in .*roles-errors\/roles, /,
  );
});

test('a missing role, a dependency cycle, an import cycle and bad keys are load-time errors with their places', () => {
  const p = (f: string): string => problems(fx('roles-errors', f)).join('\n');
  assert.match(p('missing-role.yml'), /missing-role\.yml:4:7: role "nosuchrole" not found/);
  assert.match(p('role-cycle.yml'), /roles\/b\/meta\/main\.yml:2:11: role dependency cycle: a -> b -> a/);
  assert.match(
    p('import-cycle.yml'),
    /tasks\/y\.yml:1:17: import cycle: tasks\/x\.yml -> tasks\/y\.yml -> tasks\/x\.yml/,
  );
  assert.match(
    p('playbook-cycle.yml'),
    /playbook-cycle-2\.yml:4:20: import cycle: playbook-cycle\.yml -> playbook-cycle-2\.yml -> playbook-cycle\.yml/,
  );
  const bad = p('bad-keys.yml');
  assert.match(bad, /bad-keys\.yml:6:7: block "a block": unknown key "rescu"/);
  assert.match(bad, /bad-keys\.yml:8:22: include_tasks: "tasks\/nosuch\.yml" not found/);
  assert.match(
    bad,
    /roles\/broken\/tasks\/main\.yml:2:3: task "bad module": unknown module or task key "copyy"/,
    "a role's own file is named",
  );
});

test('the CLI exits 5 on them before contacting any host', async () => {
  for (const f of ['missing-role.yml', 'role-cycle.yml', 'import-cycle.yml', 'bad-keys.yml']) {
    const r = await lbprov(['apply', fx('roles-errors', f), '-i', inventory]);
    assert.is(r.code, 5, `${f}: ${r.stderr}`);
    assert.is(r.stdout, '', 'nothing ran');
  }
});

if (haveAnsible('roles compared with ansible-playbook', 'ansible-playbook')) {
  test('the role-based tree runs as ansible-playbook runs it: same tasks, order, variables, statuses and recap', async () => {
    const ours = mkdtempSync(join(tmpdir(), 'lbprov-roles-'));
    const theirs = mkdtempSync(join(tmpdir(), 'lbprov-roles-ansible-'));
    const check = await applyJson([site, '-i', inventory, '-e', `out=${ours}`, '--check']);
    assert.is(check.code, 0, check.stderr);
    const r = await applyJson([site, '-i', inventory, '-e', `out=${ours}`]);
    assert.is(r.code, 0, r.stderr);
    const a = ansiblePlaybook(['-i', inventory, site, '-e', `out=${theirs}`]);
    assert.equal(trace(r.run.plays), trace(asLbprov(a)));
    assert.equal(recap(r.run), recap(a));
    assert.is(r.run.stats.h1.rescued, 1, "the block's rescue caught the failure");
    // variable precedence, as seen in the trace
    const h1 = trace(r.run.plays).h1.join('\n');
    assert.match(
      h1,
      /T:pre port=8080 all=playbook-all group=playbook-web/,
      'inventory group var over role default; playbook group_vars over inventory',
    );
    assert.match(
      trace(r.run.plays).h2.join('\n'),
      /T:common port=9090/,
      'playbook host_vars over inventory and role defaults',
    );
    assert.match(h1, /T:web port=4000 param=second/, 'role vars over play vars; a role parameter');
    assert.is(readFileSync(join(ours, 'h1-web.conf'), 'utf8'), 'port=4000\n', "the role's templates/ folder");
    assert.is(
      readFileSync(join(ours, 'h1-static.txt'), 'utf8'),
      'static file of the web role\n',
      "the role's files/ folder",
    );
    // check mode predicted exactly the changes
    assert.equal(changedTasks(check.run.plays), changedTasks(r.run.plays));
    const again = await applyJson([site, '-i', inventory, '-e', `out=${ours}`]);
    assert.equal(changedTasks(again.run.plays), [], 'a second apply changes nothing');
    assert.equal(recap(again.run), recap(ansiblePlaybook(['-i', inventory, site, '-e', `out=${theirs}`])));
  });

  test('-e beats role vars; --tags selects a role use by its tags', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lbprov-roles-'));
    const r = await applyJson([site, '-i', inventory, '-e', `out=${out}`, '-e', 'web_port=7', '--tags', 'webtag']);
    assert.is(r.code, 0, r.stderr);
    const a = ansiblePlaybook([
      '-i',
      inventory,
      site,
      '-e',
      `out=${mkdtempSync(join(tmpdir(), 'lbprov-roles-ansible-'))}`,
      '-e',
      'web_port=7',
      '--tags',
      'webtag',
    ]);
    assert.equal(trace(r.run.plays), trace(asLbprov(a)));
    assert.match(trace(r.run.plays).h1.join('\n'), /T:web port=7 /);
  });
}

test.run();
