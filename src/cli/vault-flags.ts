import type { Command } from 'commander';
import type { VaultFlags } from '../vault/secrets.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** --vault-id, --vault-password-file, -J/--ask-vault-pass, as ansible-playbook and ansible-vault have them. */
export function vaultOptions(cmd: Command): Command {
  return cmd
    .option(
      '--vault-id <id>',
      '[label@]source: a password file, an executable that prints it, or "prompt" (repeatable)',
      collect,
    )
    .option(
      '--vault-password-file <file>',
      'vault password file, or an executable that prints the password (repeatable)',
      collect,
    )
    .option('-J, --ask-vault-pass', 'ask for the vault password on the terminal');
}

/**
 * Adds the vault flags to the named commands, and loads the secrets they name before the command
 * runs (so every file it reads can hold `!vault` values or be vault-encrypted as a whole).
 */
export function addVaultOptions(program: Command, names: readonly string[]): void {
  for (const cmd of program.commands.filter((c) => names.includes(c.name()))) {
    vaultOptions(cmd).hook('preAction', async (_self, action) => {
      const { loadVaultSecrets } = await import('../vault/secrets.js');
      const { setVaultSecrets } = await import('../vault/keyring.js');
      setVaultSecrets(await loadVaultSecrets(action.opts<VaultFlags>()));
    });
  }
}
