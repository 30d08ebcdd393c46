import { gatherFacts } from '../executor/prefetch.js';
import { shellFor, type HostContext } from '../executor/host-context.js';
import { matchHosts } from '../inventory/patterns.js';
import { Scope } from '../playbook/scope.js';
import { connectionSpec, makeTransport, type ConnectionSpec } from '../executor/connection.js';
import { InputError, Problems, errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/semaphore.js';
import { inventoryFrom } from './inventory-arg.js';
import { redactDeep } from '../vault/redact.js';
import { checkSshConfigFlag } from './ssh-config-flag.js';
import { precheckSsh } from './ssh-precheck.js';
import { resolveSettings, type ConnectionFlags } from './settings.js';

const isConnVar = (k: string): boolean => k.startsWith('ansible_') || k.startsWith('lbprov_');

/** `lbprov facts`: every host's facts as one JSON document; an unreachable host gets `{ "unreachable": why }`. */
export async function factsCommand(flags: ConnectionFlags & { limit?: string; sshConfig?: string }): Promise<number> {
  checkSshConfigFlag(flags.sshConfig);
  const settings = resolveSettings(flags);
  const inv = inventoryFrom(settings.inventory, { scriptTimeoutS: settings.scriptTimeoutS });
  const { hosts } = matchHosts(inv, flags.limit ?? 'all');
  if (!hosts.length) throw new InputError(`no host matches ${flags.limit ?? 'all'}`);
  // every host's connection is worked out before any is contacted: a var that cannot be rendered is bad input (exit 5)
  const problems = new Problems();
  const specs = new Map<string, ConnectionSpec>();
  for (const name of hosts) {
    const host = inv.hosts.get(name)!;
    try {
      // only the connection vars are rendered (lazily, as a play does): a broken unrelated var is no error
      // the CLI/config connection settings sit below the inventory's vars, as in apply
      const all = { ...settings.baseVars, ...host.vars };
      const scope = new Scope(all, { inventory_hostname: name });
      const vars = Object.fromEntries(
        Object.keys(all)
          .filter(isConnVar)
          .map((k) => [k, scope.get(k)]),
      );
      specs.set(name, connectionSpec(host, vars, inv, flags.sshConfig));
    } catch (e) {
      problems.add(`host ${name}: ${errorMessage(e)}`);
    }
  }
  problems.throwIfAny();
  precheckSsh(inv, hosts, {}, flags.sshConfig);
  let code = 0;
  const out: Record<string, unknown> = {};
  await mapLimit(hosts, settings.forks, async (name) => {
    const t = makeTransport(specs.get(name)!, settings.connectTimeoutMs);
    // the host's remote shell, as apply opens it (without the run's lock: facts change nothing)
    const hc: HostContext = { host: inv.hosts.get(name)!, registered: {}, transport: t };
    const shell = async () => {
      await t.connect();
      return shellFor(hc, t, undefined);
    };
    try {
      out[name] = await gatherFacts({ hc, shell, timeoutMs: 60_000 });
    } catch (e) {
      out[name] = { unreachable: errorMessage(e) };
      code = 4;
    } finally {
      for (const s of hc.shells?.values() ?? []) s.close();
      t.close();
    }
  });
  process.stdout.write(`${JSON.stringify(redactDeep(Object.fromEntries(hosts.map((h) => [h, out[h]]))), null, 2)}\n`);
  return code;
}
