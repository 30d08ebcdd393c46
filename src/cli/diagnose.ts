import { join } from 'node:path';
import { matchHosts } from '../inventory/patterns.js';
import { loadPlaybook } from '../playbook/load.js';
import { Scope } from '../playbook/scope.js';
import { connectionSpec, connVar, makeTransport, type ConnectionSpec } from '../executor/connection.js';
import { InputError, Problems, errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/semaphore.js';
import { packageRoot } from '../util/paths.js';
import { redact, redactDeep } from '../vault/redact.js';
import { diagnoseScript } from '../diagnose/script.js';
import { expectFrom } from '../diagnose/expect.js';
import { judgeHost, type Expect } from '../diagnose/judge.js';
import { renderTable, type HostResult } from '../diagnose/render.js';
import { parseExtraVars } from './extra-vars.js';
import { inventoryFrom } from './inventory-arg.js';
import { checkSshConfigFlag } from './ssh-config-flag.js';
import { precheckSsh } from './ssh-precheck.js';
import { resolveSettings, type ConnectionFlags } from './settings.js';

export interface DiagnoseFlags extends ConnectionFlags {
  limit?: string;
  extraVars?: string[];
  json?: boolean;
  playbook?: string;
  sshConfig?: string;
}

const truthy = (v: unknown): boolean =>
  typeof v === 'string' ? ['true', 'yes', 'on', '1'].includes(v.toLowerCase()) : !!v;

/**
 * `lbprov diagnose`: per host, in one round trip, what is pinned, what the listener has attached,
 * where connections went, the queues and counters, the sysctls against the playbook's values, the
 * kernel and NIC; a verdict per host. Exit codes as apply: 2 a host failed, 4 unreachable, 6 both.
 */
export async function diagnoseCommand(flags: DiagnoseFlags): Promise<number> {
  checkSshConfigFlag(flags.sshConfig);
  const problems = new Problems();
  const settings = problems.collect(() => resolveSettings(flags));
  const extra = problems.collect(() => parseExtraVars(flags.extraVars ?? []));
  const pb = problems.collect(() => loadPlaybook(flags.playbook ?? join(packageRoot, 'playbooks', 'edge.yml')));
  const inv = problems.collect(() => inventoryFrom(settings?.inventory, { scriptTimeoutS: settings?.scriptTimeoutS }));
  problems.throwIfAny();
  const play = pb!.plays[0];
  if (!play) throw new InputError(`${pb!.file}: no play`);
  // the playbook's hosts, narrowed by -l: the hosts the rollout would touch
  const inPlay = new Set(matchHosts(inv!, play.hosts).hosts);
  const hosts = matchHosts(inv!, flags.limit ?? 'all').hosts.filter((h) => inPlay.has(h));
  if (!hosts.length)
    throw new InputError(`no host of "${play.hosts}" in the inventory matches ${flags.limit ?? 'all'}`);

  // every host's values and connection are worked out before any host is contacted (exit 5 otherwise)
  const plans = new Map<string, { spec: ConnectionSpec; expect: Expect; script: string; become?: string }>();
  for (const name of hosts) {
    const host = inv!.hosts.get(name)!;
    try {
      const scope = new Scope(
        // the roles' defaults (edge.yml's values live in playbooks/roles/*/defaults) lowest, their vars above the play's
        {
          ...settings!.baseVars,
          ...play.roleDefaults,
          ...pb!.defaults,
          ...host.vars,
          ...play.vars,
          ...play.roleVars,
          ...extra,
        },
        { inventory_hostname: name, playbook_dir: pb!.dir },
      );
      const vars = Object.fromEntries(
        [...scope.keys()]
          .filter((k) => k.startsWith('ansible_') || k.startsWith('lbprov_'))
          .map((k) => [k, scope.get(k)]),
      );
      const expect = expectFrom(scope);
      const become = truthy(connVar(vars, 'become')) ? String(connVar(vars, 'become_user') ?? 'root') : undefined;
      plans.set(name, {
        spec: connectionSpec(host, vars, inv!, flags.sshConfig),
        expect,
        script: diagnoseScript(expect),
        become,
      });
    } catch (e) {
      problems.add(`host ${name}: ${errorMessage(e)}`);
    }
  }
  problems.throwIfAny();
  precheckSsh(inv!, hosts, extra!, flags.sshConfig);

  const results = new Map<string, HostResult>();
  await mapLimit(hosts, settings!.forks, async (name) => {
    const p = plans.get(name)!;
    const t = makeTransport(p.spec, settings!.connectTimeoutMs);
    try {
      const r = await t.exec(['sh', '-s'], { stdin: p.script, becomeUser: p.become, timeoutMs: 60_000 });
      results.set(name, { name, ...judgeHost(r.stdout.toString(), p.expect) });
    } catch (e) {
      results.set(name, { name, verdict: 'unreachable', reasons: [errorMessage(e)] });
    } finally {
      t.close();
    }
  });
  const ordered = hosts.map((h) => results.get(h)!);
  if (flags.json) {
    const summary = { ok: 0, warn: 0, fail: 0, unreachable: 0 };
    for (const r of ordered) summary[r.verdict]++;
    const doc = { hosts: Object.fromEntries(ordered.map(({ name, ...rest }) => [name, rest])), summary };
    process.stdout.write(`${JSON.stringify(redactDeep(doc), null, 2)}\n`);
  } else process.stdout.write(redact(renderTable(ordered)));
  const failed = ordered.some((r) => r.verdict === 'fail');
  const unreachable = ordered.some((r) => r.verdict === 'unreachable');
  return (failed ? 2 : 0) + (unreachable ? 4 : 0);
}
