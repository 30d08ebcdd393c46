import { labDown, labStatus, labUp } from '../lab/lab.js';

export async function labCommand(
  action: string,
  o: { hosts: string; light?: boolean; inventory?: string },
): Promise<number> {
  const log = (s: string): boolean => process.stdout.write(s);
  switch (action) {
    case 'up':
      await labUp({ hosts: Number(o.hosts), light: !!o.light, inventory: o.inventory, log });
      return 0;
    case 'down':
      await labDown({ log });
      return 0;
    case 'status': {
      const { state, rows } = await labStatus();
      if (!state) {
        log('no lab is up\n');
        return 1;
      }
      log(`lab ${state.dir}: inventory ${state.inventory}\n`);
      for (const r of rows)
        log(
          `${r.host.name}\t${r.host.address}\t${r.host.mode}\tpid ${r.host.initPid}\t${r.alive ? 'running' : 'stopped'}\tssh ${r.ssh ? 'up' : 'down'}\n`,
        );
      return rows.every((r) => r.ssh) ? 0 : 1;
    }
    default:
      process.stderr.write(`lbprov lab: unknown action "${action}" (up, down, status)\n`);
      return 5;
  }
}
