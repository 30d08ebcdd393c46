import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';

/** What lbprov offers a server, in OpenSSH's order: the agent, then IdentityFiles, else the default files. */
export interface IdentityPlan {
  /** agent socket to ask first (SSH_AUTH_SOCK or IdentityAgent), when any */
  agent?: string;
  keys: Array<{ file: string; key: ParsedKey }>;
  /** every identity considered, with what became of it: for the error when none is accepted */
  notes: string[];
}

/** OpenSSH's default identity files, in the order `ssh -G` lists them (only those that exist are tried). */
export const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519'];

export interface IdentityRequest {
  files: string[];
  identitiesOnly: boolean;
  /** IdentityAgent ('none' disables); undefined: SSH_AUTH_SOCK */
  identityAgent?: string;
  /** ansible_ssh_private_key_passphrase, rendered */
  passphrase?: string;
  home?: string;
}

const PASSPHRASE_ENV = 'LBPROV_SSH_PASSPHRASE';
/** passphrases typed at the prompt, per key file, for the whole run: one prompt per key, not per host */
const typed = new Map<string, Promise<string | undefined>>();
let promptChain: Promise<unknown> = Promise.resolve();

export async function planIdentities(req: IdentityRequest): Promise<IdentityPlan> {
  const plan: IdentityPlan = { keys: [], notes: [] };
  const agent = req.identityAgent === 'none' ? undefined : (req.identityAgent ?? process.env.SSH_AUTH_SOCK);
  if (req.identitiesOnly) {
    if (agent) plan.notes.push('the agent: not asked (IdentitiesOnly yes)');
  } else if (agent) {
    plan.agent = agent;
  } else {
    plan.notes.push('no agent (SSH_AUTH_SOCK is not set)');
  }
  let files = req.files;
  if (!files.length) {
    const home = req.home ?? homedir();
    files = DEFAULT_IDENTITIES.map((f) => join(home, '.ssh', f)).filter((f) => existsSync(f));
    if (!files.length)
      plan.notes.push(`no IdentityFile set and none of ~/.ssh/{${DEFAULT_IDENTITIES.join(',')}} exists`);
  }
  for (const file of [...new Set(files)]) {
    const r = await loadKey(file, req.passphrase);
    if ('key' in r) plan.keys.push({ file, key: r.key });
    else plan.notes.push(`key ${file}: ${r.problem}`);
  }
  return plan;
}

type Loaded = { key: ParsedKey } | { problem: string };

async function loadKey(file: string, passphrase: string | undefined): Promise<Loaded> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    return {
      problem:
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file'
          : `cannot read it (${(e as NodeJS.ErrnoException).code})`,
    };
  }
  const first = parse(data);
  if (!(first instanceof Error)) return { key: first };
  if (!/passphrase/i.test(first.message)) return { problem: `not a private key lbprov can read (${first.message})` };
  const sources: Array<[string, string | undefined]> = [
    ['ansible_ssh_private_key_passphrase', passphrase],
    [PASSPHRASE_ENV, process.env[PASSPHRASE_ENV]],
  ];
  const wrong: string[] = [];
  for (const [name, value] of sources) {
    if (!value) continue;
    const k = parse(data, value);
    if (!(k instanceof Error)) return { key: k };
    wrong.push(name);
  }
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const p = await promptOnce(file);
    if (p) {
      const k = parse(data, p);
      if (!(k instanceof Error)) return { key: k };
      wrong.push('the prompt');
    }
  }
  if (wrong.length) return { problem: `encrypted; wrong passphrase from ${wrong.join(', ')}` };
  return {
    problem: `encrypted and no passphrase given (set ansible_ssh_private_key_passphrase or ${PASSPHRASE_ENV}, or run on a terminal to be asked)`,
  };
}

function parse(data: Buffer, passphrase?: string): ParsedKey | Error {
  const k = ssh2.utils.parseKey(data, passphrase);
  if (k instanceof Error) return k;
  const key = Array.isArray(k) ? (k[0] as ParsedKey) : k;
  if (!key.isPrivateKey()) return new Error('a public key, not a private one');
  return key;
}

function promptOnce(file: string): Promise<string | undefined> {
  let p = typed.get(file);
  if (!p) {
    // one prompt at a time on the terminal, however many hosts connect at once
    p = promptChain.then(() => promptHidden(`Enter passphrase for key '${file}': `));
    promptChain = p.catch(() => undefined);
    typed.set(file, p);
  }
  return p;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    let buf = '';
    const wasRaw = stdin.isRaw;
    // echo off before the question shows: an answer typed at once must not be echoed either
    stdin.setRawMode(true);
    stdin.resume();
    process.stderr.write(question);
    const done = (v: string | undefined): void => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
      resolve(v);
    };
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(buf);
        if (ch === '\u0003' || ch === '\u0004') return done(undefined); // ^C / ^D: no passphrase
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}
