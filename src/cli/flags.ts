import type { Command } from 'commander';

const increase = (_v: string, prev: number): number => prev + 1;

/** -v, -vv, -vvv, -vvvv (src/util/verbose.ts says what each adds). */
export function verboseOption(cmd: Command): Command {
  return cmd.option(
    '-v, --verbose',
    'more output on stderr, up to -vvvv (1 task arguments, 2 settings and connections, 3 scripts sent, 4 remote shell events)',
    increase,
    0,
  );
}

/** Ansible's connection and privilege flags; they sit below inventory vars (see src/cli/settings.ts). */
export function connectionOptions(cmd: Command, become = true): Command {
  cmd
    .option('-u, --user <name>', 'login user (ansible_user in the inventory wins)')
    .option('--private-key <file>', 'SSH private key (ansible_ssh_private_key_file wins)')
    .option('-c, --connection <type>', 'ssh or local (ansible_connection wins)')
    .option('-T, --timeout <s>', 'SSH connect timeout in seconds (lbprov_connect_timeout wins)');
  if (become) {
    cmd
      .option('-b, --become', 'run tasks through sudo/su (play and task become: win)')
      .option('--become-user <name>', 'the user to become (default root)')
      .option('--become-method <m>', 'sudo or su')
      .option('-K, --ask-become-pass', 'ask for the become password on the terminal');
  }
  return verboseOption(cmd);
}
