import type { Command } from 'commander';
import { InputError } from '../util/errors.js';
import type { VaultFlags } from '../vault/secrets.js';
import { vaultOptions } from './vault-flags.js';

interface Flags extends VaultFlags {
  output?: string;
  encryptVaultId?: string;
  name?: string[];
  stdinName?: string;
  prompt?: boolean;
  showInput?: boolean;
  newVaultPasswordFile?: string;
  newVaultId?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `lbprov vault ACTION`: ansible-vault's actions and flags, on the same file format. */
export function vaultCommand(program: Command): void {
  const vault = program
    .command('vault')
    .description('encrypt, decrypt, view, edit and rekey Ansible Vault files; encrypt strings for `!vault` values');
  const sub = (name: string, desc: string, args: string): Command =>
    vaultOptions(vault.command(name).description(desc).argument(args));

  sub('encrypt', 'encrypt files in place (or to --output; "-" or none: stdin to stdout)', '[files...]')
    .option('--output <file>', 'write here instead ("-": stdout)')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (needed when several are given)')
    .action(async (files: string[], f: Flags) => {
      const { encryptFiles } = await import('../vault/editor.js');
      encryptFiles(files, await encryptSecretFor(f), f.output);
      done('Encryption successful');
    });

  sub('decrypt', 'decrypt files in place (or to --output; "-" or none: stdin to stdout)', '[files...]')
    .option('--output <file>', 'write here instead ("-": stdout)')
    .action(async (files: string[], f: Flags) => {
      const { decryptFiles } = await import('../vault/editor.js');
      decryptFiles(files, await secretsFor(f), f.output);
      done('Decryption successful');
    });

  sub('view', 'print the plaintext of encrypted files', '<files...>').action(async (files: string[], f: Flags) => {
    const { viewFiles } = await import('../vault/editor.js');
    viewFiles(files, await secretsFor(f));
  });

  sub('edit', 'edit an encrypted file with $EDITOR (decrypted in a 0600 temporary file, removed after)', '<files...>')
    .option('--encrypt-vault-id <id>', "accepted for ansible-vault compatibility: edit keeps the file's own vault id")
    .action(async (files: string[], f: Flags) => {
      const { editFile } = await import('../vault/editor.js');
      const secrets = await secretsFor(f);
      for (const file of files) editFile(file, secrets);
    });

  sub('create', 'create a new encrypted file with $EDITOR', '<file>')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (needed when several are given)')
    .action(async (file: string, f: Flags) => {
      const { editFile } = await import('../vault/editor.js');
      editFile(file, [], await encryptSecretFor(f));
    });

  sub(
    'encrypt_string',
    'encrypt strings into `!vault |` values to paste into YAML ("-" or none: stdin)',
    '[strings...]',
  )
    .option('-n, --name <var>', 'the variable name of each string, in order (repeatable)', collect)
    .option('--stdin-name <var>', 'the variable name of the string read from stdin')
    .option('-p, --prompt', 'ask for the string on the terminal')
    .option('--show-input', 'with --prompt: echo what is typed')
    .option('--output <file>', 'write here instead of stdout')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (needed when several are given)')
    .action(async (args: string[], f: Flags) => encryptString(args, f));

  sub('rekey', 'encrypt files again with a new password (mode and owner kept)', '<files...>')
    .option('--new-vault-password-file <file>', 'the new password file (or executable)')
    .option('--new-vault-id <id>', 'the new [label@]source')
    .option('--encrypt-vault-id <id>', 'the vault id to encrypt with, among the new ones')
    .action(async (files: string[], f: Flags) => {
      if (f.newVaultPasswordFile && f.newVaultId)
        throw new InputError('--new-vault-password-file and --new-vault-id: give one of them');
      const { loadVaultSecrets } = await import('../vault/secrets.js');
      const { encryptSecret, rekeyFiles } = await import('../vault/editor.js');
      const secrets = await secretsFor(f);
      const next = await loadVaultSecrets(
        {
          vaultId: f.newVaultId ? [f.newVaultId] : [],
          vaultPasswordFile: f.newVaultPasswordFile ? [f.newVaultPasswordFile] : [],
          askVaultPass: f.askVaultPass,
        },
        { env: {}, newPassword: true, autoPrompt: true },
      );
      rekeyFiles(files, secrets, encryptSecret(next, f.encryptVaultId));
      process.stderr.write('Rekey successful\n');
    });
}

/** The secrets to decrypt with; with no source at all, a prompt (as ansible-vault). */
async function secretsFor(f: Flags) {
  const { loadVaultSecrets } = await import('../vault/secrets.js');
  const secrets = await loadVaultSecrets(f, { autoPrompt: true });
  if (!secrets.length)
    throw new InputError('a vault password is required (--vault-password-file, --vault-id or --ask-vault-pass)');
  return secrets;
}

async function encryptSecretFor(f: Flags) {
  const { loadVaultSecrets } = await import('../vault/secrets.js');
  const { encryptSecret } = await import('../vault/editor.js');
  return encryptSecret(await loadVaultSecrets(f, { autoPrompt: true, newPassword: true }), f.encryptVaultId);
}

function done(msg: string): void {
  if (process.stdout.isTTY) process.stderr.write(`${msg}\n`);
}

async function encryptString(args: string[], f: Flags): Promise<void> {
  const { encryptStrings } = await import('../vault/editor.js');
  const { readInput, writeOutput } = await import('../vault/files.js');
  const fromStdin = args.includes('-') || (!args.length && !f.prompt) || f.stdinName !== undefined;
  if (f.prompt && fromStdin) throw new InputError('encrypt_string: --prompt cannot be combined with reading stdin');
  const secret = await encryptSecretFor(f);
  const items: Array<{ name?: string; text: string }> = [];
  if (f.prompt) {
    const { promptTty } = await import('../vault/secrets.js');
    const name = (await promptTty('Variable name (enter for no name): ', true)).trim();
    const text = await promptTty(f.showInput ? 'String to encrypt: ' : 'String to encrypt (hidden): ', f.showInput);
    if (!text) throw new InputError('encrypt_string: the string from the prompt is empty, not encrypting');
    items.push({ name: name || undefined, text });
  }
  if (fromStdin) {
    const text = readInput('-').toString('utf8');
    if (!text) throw new InputError('encrypt_string: stdin was empty, not encrypting');
    items.push({ name: f.stdinName, text });
  }
  const names = f.name ?? [];
  args.filter((a) => a !== '-').forEach((text, i) => items.push({ name: names[i], text }));
  if (names.length && names.length < args.filter((a) => a !== '-').length)
    process.stderr.write('The number of --name options does not match the number of strings: the rest have no name.\n');
  const blocks = encryptStrings(items, secret);
  if (blocks.length > 1)
    items.forEach((it, i) =>
      process.stderr.write(`# the encrypted ${it.name ? `variable "${it.name}"` : 'string'} #${i + 1}\n`),
    );
  writeOutput(f.output ?? '-', `${blocks.join('\n')}\n`);
  done('Encryption successful');
}
