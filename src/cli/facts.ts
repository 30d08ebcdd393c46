import { gatherFacts } from '../facts/gather.js';
import { matchHosts } from '../inventory/patterns.js';
import { Scope } from '../playbook/scope.js';
import { renderValue } from '../playbook/template.js';
import { connectionSpec, makeTransport } from '../executor/connection.js';
import { InputError, errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/semaphore.js';
import { inventoryFrom } from './inventory-arg.js';
import { checkSshConfigFlag } from './ssh-config-flag.js';
import { precheckSsh } from './ssh-precheck.js';

/** `lbprov facts`: every host's facts as one JSON document; an unreachable host gets `{ "unreachable": why }`. */
export async function factsCommand(flags: { inventory?: string[]; limit?: string; sshConfig?: string }): Promise<number> {
  checkSshConfigFlag(flags.sshConfig);
  const inv = inventoryFrom(flags.inventory);
  const { hosts } = matchHosts(inv, flags.limit ?? 'all');
  if (!hosts.length) throw new InputError(`no host matches ${flags.limit ?? 'all'}`);
  precheckSsh(inv, hosts, {}, flags.sshConfig);
  let code = 0;
  const out: Record<string, unknown> = {};
  await mapLimit(hosts, 50, async (name) => {
    const host = inv.hosts.get(name)!;
    const t = makeTransport(connectionSpec(host, renderValue(host.vars, new Scope(host.vars, { inventory_hostname: name })) as Record<string, unknown>, inv, flags.sshConfig), 10_000);
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
