import { gatherFacts } from '../facts/gather.js';
import { matchHosts } from '../inventory/patterns.js';
import { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import { connectionSpec, makeTransport } from '../executor/connection.js';
import { InputError, errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/semaphore.js';
import { inventoryFrom } from './inventory-arg.js';
import { resolveSettings, type ConnectionFlags } from './settings.js';

/** `lbprov facts`: every host's facts as one JSON document; an unreachable host gets `{ "unreachable": why }`. */
export async function factsCommand(flags: ConnectionFlags & { limit?: string }): Promise<number> {
  const settings = resolveSettings(flags);
  const inv = inventoryFrom(settings.inventory, { scriptTimeoutS: settings.scriptTimeoutS });
  const { hosts } = matchHosts(inv, flags.limit ?? 'all');
  if (!hosts.length) throw new InputError(`no host matches ${flags.limit ?? 'all'}`);
  let code = 0;
  const out: Record<string, unknown> = {};
  await mapLimit(hosts, settings.forks, async (name) => {
    const host = inv.hosts.get(name)!;
    // the CLI/config connection settings sit below the inventory's vars, as in apply
    const vars = { ...settings.baseVars, ...host.vars };
    const t = makeTransport(connectionSpec(host, renderValue(vars, new Scope(vars, { inventory_hostname: name })) as Record<string, unknown>, inv), settings.connectTimeoutMs);
    try {
      out[name] = await gatherFacts(t, undefined, 60_000);
    } catch (e) {
      out[name] = { unreachable: errorMessage(e) };
      code = 4;
    } finally {
      t.close();
    }
  });
  process.stdout.write(`${JSON.stringify(Object.fromEntries(hosts.map((h) => [h, out[h]])), null, 2)}\n`);
  return code;
}
