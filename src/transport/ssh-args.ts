import { parse } from 'shell-quote';

/** ssh's getopt string (OpenSSH 9): letters followed by `:` take an argument. */
const SSH_OPTSTRING = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy';
const TAKES_ARG = new Set([...SSH_OPTSTRING.matchAll(/([A-Za-z0-9]):/g)].map((m) => m[1]));

export interface SshArgs {
  /** (keyword, value) in the order given: they are "command-line" options, obtained before any file */
  options: Array<[string, string]>;
  /** -F FILE */
  configFile?: string;
}

/**
 * The ssh options in `ansible_ssh_common_args` / `ansible_ssh_extra_args` (a command-line string,
 * split like a shell would with shell-quote, never run by one): `-o Key=Value` (or `-oKey=Value`,
 * `-o "Key Value"`), `-J jump`, `-i file`, `-p port`, `-l user`, `-F file`. Other ssh flags are
 * accepted and have no effect here (e.g. `-C`, `-o ControlMaster=auto`: lbprov keeps one
 * connection per host itself); anything that is not a plain word (a pipe, `;`, a glob) is refused.
 */
export function parseSshArgs(text: string, what: string): SshArgs {
  const out: SshArgs = { options: [] };
  const toks = parse(text, (k) => `$${k}`);
  const words: string[] = [];
  for (const t of toks) {
    if (typeof t !== 'string')
      throw new Error(`${what}: "${text}" holds a shell operator or pattern; give ssh options only`);
    words.push(t);
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('-') || w === '-')
      throw new Error(`${what}: unexpected argument "${w}" (ssh options only, e.g. -o ProxyJump=bastion)`);
    // a cluster of flags: -tt, -CA, or one flag with its argument glued on (-oUser=x, -Jbastion)
    for (let j = 1; j < w.length; j++) {
      const f = w[j];
      if (!TAKES_ARG.has(f)) {
        if (!SSH_OPTSTRING.includes(f)) throw new Error(`${what}: unknown ssh option -${f}`);
        continue;
      }
      let arg = w.slice(j + 1);
      if (!arg) {
        arg = words[++i];
        if (arg === undefined) throw new Error(`${what}: -${f} needs an argument`);
      }
      apply(out, f, arg, what);
      break;
    }
  }
  return out;
}

function apply(out: SshArgs, flag: string, arg: string, what: string): void {
  switch (flag) {
    case 'o': {
      const m = /^\s*([A-Za-z0-9]+)\s*(?:=\s*|\s+)(.*)$/s.exec(arg);
      if (!m) throw new Error(`${what}: -o ${arg}: expected Key=Value`);
      out.options.push([m[1], m[2].trim()]);
      break;
    }
    case 'J':
      out.options.push(['ProxyJump', arg]);
      break;
    case 'i':
      out.options.push(['IdentityFile', arg]);
      break;
    case 'p':
      out.options.push(['Port', arg]);
      break;
    case 'l':
      out.options.push(['User', arg]);
      break;
    case 'F':
      out.configFile ??= arg;
      break;
    default:
      // forwarding, control sockets, ciphers...: not what lbprov's connection needs
      break;
  }
}
