import { prepare } from './apply.js';
import { matchHosts } from '../inventory/patterns.js';

/** Everything --syntax-check does, plus which hosts each play would run on; contacts no host. */
export function validateCommand(playbookFile: string, flags: { inventory?: string[]; verbose?: number }): number {
  const { pb, inv } = prepare(playbookFile, flags);
  for (const play of pb.plays) {
    const { hosts, unmatched } = matchHosts(inv, play.hosts);
    const tasks = play.tasks.filter((t) => t.meta !== 'role_complete').length + play.handlers.length;
    process.stdout.write(
      `play "${play.name}": ${hosts.length} host(s), ${tasks} task(s)${unmatched.length ? ` [WARNING: no host or group named ${unmatched.join(', ')}]` : ''}\n`,
    );
  }
  process.stdout.write(`${pb.file}: valid\n`);
  return 0;
}
