import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import type { ApplyFlags } from './apply.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Runs the CLI and returns the exit code (format.md): 0, 2 failed, 4 unreachable, 6 both, 5 bad input, 1 internal. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('lbprov')
    .description('Declarative provisioning over SSH for Linux edge fleets (SO_REUSEPORT + eBPF lb_hash rollout).')
    .version(version)
    .exitOverride()
    .showHelpAfterError();

  program
    .command('apply')
    .description('apply a playbook to the hosts of an inventory')
    .argument('<playbook>', 'playbook YAML file')
    .option('-i, --inventory <file>', 'inventory file (repeatable); default inventory/local.yml', collect)
    .option('-C, --check', 'plan only: report what would change, change nothing')
    .option('-D, --diff', 'show a unified diff of every file or value that changes')
    .option('-l, --limit <pattern>', 'further limit the hosts (host pattern, or @FILE: the hosts a retry file names)')
    .option('--start-at-task <name>', 'start at the first task of this name (a glob); skip the tasks and plays before it')
    .option('-t, --tags <tags>', 'only run tasks with these tags (comma-separated)')
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated)')
    .option('-f, --forks <n>', 'hosts in parallel', '50')
    .option('-e, --extra-vars <vars>', 'K=V, @file.yml or a YAML mapping (repeatable; highest precedence)', collect)
    .option('--json', 'print one JSON document, nothing else')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tasks', 'list the tasks each play would run')
    .option('--syntax-check', 'check the playbook and stop')
    .option('--no-color', 'plain lines even on a terminal')
    .addOption(new Option('--timeout <s>', 'default per-command timeout in seconds').default('600'))
    .action(async (pb: string, flags: ApplyFlags) => {
      // each command loads only what it needs: start-up time is paid on every run
      code = await (await import('./apply.js')).applyCommand(pb, flags);
    });

  program
    .command('validate')
    .description('check a playbook and inventory the way --syntax-check does; contacts no host')
    .argument('<playbook>')
    .option('-i, --inventory <file>', 'inventory file (repeatable)', collect)
    .action(async (pb: string, flags: { inventory?: string[] }) => {
      code = (await import('./validate.js')).validateCommand(pb, flags);
    });

  program
    .command('facts')
    .description('gather facts from hosts and print them as JSON')
    .option('-i, --inventory <file>', 'inventory file (repeatable)', collect)
    .option('-l, --limit <pattern>', 'host pattern', 'all')
    .action(async (flags: { inventory?: string[]; limit?: string }) => {
      code = await (await import('./facts.js')).factsCommand(flags);
    });

  program
    .command('lab')
    .description('a fleet of real lab hosts on this machine (root): up, down, status')
    .argument('<action>', 'up | down | status')
    .option('--hosts <n>', 'number of hosts', '3')
    .option('--light', 'sshd only, no systemd (for scale tests)')
    .option('--inventory <file>', 'where to write the lab inventory')
    .action(async (action: string, o: { hosts: string; light?: boolean; inventory?: string }) => {
      code = await (await import('./lab.js')).labCommand(action, o);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 5;
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 5;
    }
    if (e instanceof Error && e.name === 'LabError') {
      process.stderr.write(`lbprov lab: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lbprov: internal error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}
