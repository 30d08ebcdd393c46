import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InputError, inputErrorJson } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import type { ApplyFlags } from './apply.js';
import { addVaultOptions } from './vault-flags.js';
import { vaultCommand } from './vault.js';
import { redact } from '../vault/redact.js';
import { connectionOptions, verboseOption } from './flags.js';
import type { DiagnoseFlags } from './diagnose.js';

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

  const apply = program
    .command('apply')
    .description('apply a playbook to the hosts of an inventory')
    .argument('<playbook>', 'playbook YAML file')
    .option(
      '-i, --inventory <source>',
      'inventory: YAML, INI, a directory, an executable or "h1,h2," (repeatable); default the config\'s, else inventory/local.yml',
      collect,
    )
    .option('-C, --check', 'plan only: report what would change, change nothing')
    .option('-D, --diff', 'show a unified diff of every file or value that changes')
    .option('-l, --limit <pattern>', 'further limit the hosts (host pattern, or @FILE: the hosts a retry file names)')
    .option(
      '--start-at-task <name>',
      'start at the first task of this name (a glob); skip the tasks and plays before it',
    )
    .option('-t, --tags <tags>', 'only run tasks with these tags (comma-separated)')
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated)')
    .option('-f, --forks <n>', 'hosts in parallel (default 50)')
    .option('-e, --extra-vars <vars>', 'K=V, @file.yml or a YAML mapping (repeatable; highest precedence)', collect)
    .option('--json', 'print one JSON document, nothing else')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tasks', 'list the tasks each play would run')
    .option('--list-tags', 'list the tags of each play')
    .option('--syntax-check', 'check the playbook and stop')
    .option('--no-color', 'plain lines even on a terminal')
    .addOption(new Option('--task-timeout <s>', 'default per-command timeout in seconds').default('600'))
    .option('--ssh-config <file>', 'OpenSSH client config to read (default ~/.ssh/config; none: no file)');
  connectionOptions(apply).action(async (pb: string, flags: ApplyFlags) => {
    // each command loads only what it needs: start-up time is paid on every run
    code = await (await import('./apply.js')).applyCommand(pb, flags);
  });

  const validate = program
    .command('validate')
    .description('check a playbook and inventory the way --syntax-check does; contacts no host')
    .argument('<playbook>')
    .option('-i, --inventory <file>', 'inventory file (repeatable)', collect);
  verboseOption(validate).action(async (pb: string, flags: { inventory?: string[] }) => {
    code = (await import('./validate.js')).validateCommand(pb, flags);
  });

  const facts = program
    .command('facts')
    .description('gather facts from hosts and print them as JSON')
    .option('-i, --inventory <file>', 'inventory file (repeatable)', collect)
    .option('-l, --limit <pattern>', 'host pattern', 'all')
    .option('-f, --forks <n>', 'hosts in parallel (default 50)')
    .option('--ssh-config <file>', 'OpenSSH client config to read (default ~/.ssh/config; none: no file)');
  connectionOptions(facts, false).action(
    async (flags: { inventory?: string[]; limit?: string; sshConfig?: string }) => {
      code = await (await import('./facts.js')).factsCommand(flags);
    },
  );

  const diagnose = program
    .command('diagnose')
    .description(
      'per host: the pinned and the attached program, where connections went, queues, counters, sysctls; a verdict',
    )
    .option('-i, --inventory <file>', 'inventory file (repeatable)', collect)
    .option('-l, --limit <pattern>', "host pattern (within the playbook's hosts)")
    .option('-e, --extra-vars <vars>', 'K=V, @file.yml or a YAML mapping (repeatable; as apply)', collect)
    .option('--playbook <file>', 'the playbook whose values are expected (default: the shipped playbooks/edge.yml)')
    .option('--json', 'print one JSON document, nothing else')
    .option('-f, --forks <n>', 'hosts in parallel (default 50)')
    .option('--ssh-config <file>', 'OpenSSH client config to read (default ~/.ssh/config; none: no file)');
  connectionOptions(diagnose, false).action(async (flags: DiagnoseFlags) => {
    code = await (await import('./diagnose.js')).diagnoseCommand(flags);
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

  program
    .command('doc')
    .description('module documentation, as ansible-doc: lbprov doc MODULE, lbprov doc --list')
    .argument('[module]', 'a module name or alias')
    .option('-l, --list', 'every module, one line each')
    .option('--json', 'as JSON')
    .option('--markdown', "the README's module table")
    .action(async (module: string | undefined, flags: { list?: boolean; json?: boolean; markdown?: boolean }) => {
      code = (await import('./doc.js')).docCommand(module, flags);
    });

  // vault secrets for everything these commands read; `lbprov vault` for the files themselves
  addVaultOptions(program, ['apply', 'validate', 'facts', 'diagnose']);
  vaultCommand(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    // --json promises one JSON document on stdout, an input error included
    const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json');
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      if (json) process.stdout.write(`${inputErrorJson(new InputError(e.message.replace(/^error: /, '')))}\n`);
      return 5;
    }
    if (e instanceof InputError) {
      process.stderr.write(`${redact(e.message)}\n`);
      if (json) process.stdout.write(`${inputErrorJson(e)}\n`);
      return 5;
    }
    if (e instanceof Error && e.name === 'LabError') {
      process.stderr.write(`lbprov lab: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lbprov: internal error: ${redact(String((e as Error).stack ?? e))}\n`);
    return 1;
  }
}
