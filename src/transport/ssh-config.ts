import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import type SSHConfigType from 'ssh-config';
import type { Line, LineType } from 'ssh-config';

type SSHConfig = SSHConfigType;
/** LineType.DIRECTIVE of the ssh-config package (its value: the package itself is loaded lazily) */
const DIRECTIVE = 1 as LineType.DIRECTIVE;
// the parser is loaded only when a config file is read: most runs on a machine without
// ~/.ssh/config never pay for it (start-up time is paid on every run)
let parser: typeof SSHConfigType | undefined;
const sshConfigParser = (): typeof SSHConfigType =>
  (parser ??= (createRequire(import.meta.url)('ssh-config') as { default: typeof SSHConfigType }).default);

/**
 * OpenSSH client configuration (ssh_config(5)) resolved for one destination, the way `ssh -G`
 * does it. The `ssh-config` package parses the files; which lines apply is decided here, after
 * OpenSSH's readconf.c, because the package's own `compute()` has no Include, no negated Match
 * criteria and a `?` that matches zero characters:
 *  - the first obtained value of an option wins (options given first, e.g. inventory vars and
 *    `-o` args, are "obtained" before the file), except IdentityFile/UserKnownHostsFile, which add up;
 *  - `Host` patterns (`*`, `?`, `!neg`) match the name given on the command line (the alias);
 *  - `Match host` matches the HostName obtained so far (with %h expanded), `originalhost` the alias,
 *    `user` the User obtained so far (else the local user), also `localuser`, `all`, `exec`
 *    (run by /bin/sh, as ssh does), `final`/`canonical` (second pass), each negatable with `!`;
 *  - `Include` (globs; relative paths are under ~/.ssh) reads files with the state of the current
 *    block: inside an inactive Host block nothing in them applies.
 */

/** The options lbprov reads, as obtained: lowercased keyword -> raw value (tokens unexpanded). */
export interface SshOptionsRaw {
  single: Map<string, string>;
  /** IdentityFile, UserKnownHostsFile, CertificateFile: every value, in order */
  multi: Map<string, string[]>;
}

export class SshConfigError extends Error {
  override name = 'SshConfigError';
}

const MULTI = new Set(['identityfile', 'userknownhostsfile', 'certificatefile']);
const MAX_INCLUDE_DEPTH = 16;

/** Starts an options set from "command line" pairs (keyword, value): they win over every file. */
export function newOptions(cmdline: Array<[string, string]> = []): SshOptionsRaw {
  const o: SshOptionsRaw = { single: new Map(), multi: new Map() };
  for (const [k, v] of cmdline) setOption(o, k, v);
  return o;
}

/** Records one option unless a value was obtained already (first wins); ProxyJump/ProxyCommand exclude each other as in ssh. */
export function setOption(o: SshOptionsRaw, keyword: string, value: string): void {
  const k = keyword.toLowerCase();
  if (MULTI.has(k)) {
    const list = o.multi.get(k) ?? [];
    // OpenSSH: UserKnownHostsFile is one directive with several files; the first directive wins
    if (k === 'userknownhostsfile' && list.length) return;
    // add_identity_file: a file already listed is not added twice (e.g. again in the final pass)
    if (list.includes(value)) return;
    list.push(...(k === 'userknownhostsfile' ? value.split(/\s+/).filter(Boolean) : [value]));
    o.multi.set(k, list);
    return;
  }
  if (k === 'proxyjump') {
    // the first ProxyJump wins; an earlier ProxyCommand wins over it
    if (o.single.has('proxyjump') || o.single.has('proxycommand')) return;
  } else if (k === 'proxycommand') {
    // an earlier real ProxyJump wins over ProxyCommand; `ProxyJump none` does not (as ssh -G shows)
    const jump = o.single.get('proxyjump');
    if (o.single.has('proxycommand') || (jump !== undefined && jump.toLowerCase() !== 'none')) return;
  } else if (o.single.has(k)) return;
  o.single.set(k, value);
}

const fileCache = new Map<string, { mtimeMs: number; lines: SSHConfig }>();

function parseFile(file: string): SSHConfig {
  const st = statSync(file);
  const hit = fileCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.lines;
  let lines: SSHConfig;
  try {
    lines = sshConfigParser().parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SshConfigError(`${file}: ${(e as Error).message}`);
  }
  fileCache.set(file, { mtimeMs: st.mtimeMs, lines });
  return lines;
}

/** A directive's value as ssh sees it: one string (quotes as written for commands), or its words. */
function words(line: Extract<Line, { param: string }>): string[] {
  return Array.isArray(line.value) ? line.value.map((v) => v.val) : [line.value];
}

function rawText(line: Extract<Line, { param: string }>): string {
  if (!Array.isArray(line.value)) return line.value;
  return line.value.map((v, i) => `${i ? v.separator : ''}${v.quoted ? `"${v.val}"` : v.val}`).join('');
}

/** ssh's match_pattern: `*` any run, `?` exactly one character. */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(text);
}

/** ssh's match_pattern_list: a comma list, a matching `!pattern` vetoes. */
export function matchPatternList(list: string[], text: string, commas = true): boolean {
  let hit = false;
  for (const p of commas ? list.flatMap((x) => x.split(',')) : list) {
    if (!p) continue;
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), text)) return false;
    } else if (globMatch(p, text)) hit = true;
  }
  return hit;
}

export interface ResolveContext {
  /** the destination as given (inventory ansible_host, else the inventory name) */
  alias: string;
  localUser?: string;
  home?: string;
}

interface Walk {
  ctx: Required<ResolveContext>;
  opts: SshOptionsRaw;
  finalPass: boolean;
  wantFinal: boolean;
  /** what Host lines match: the alias, in the final pass the host name */
  hostForHostLines: string;
}

/**
 * Resolves the options for `ctx.alias` from `file` on top of `opts` (the command-line options).
 * A missing file is no error when `optional` (the default ~/.ssh/config).
 */
export function resolveSshConfig(
  file: string | undefined,
  ctx: ResolveContext,
  opts: SshOptionsRaw = newOptions(),
  optional = false,
): SshOptionsRaw {
  const full: Required<ResolveContext> = {
    alias: ctx.alias,
    localUser: ctx.localUser ?? localUser(),
    home: ctx.home ?? homedir(),
  };
  if (!file) return opts;
  if (!existsSync(file)) {
    if (optional) return opts;
    throw new SshConfigError(`ssh config file ${file} does not exist`);
  }
  const w: Walk = { ctx: full, opts, finalPass: false, wantFinal: false, hostForHostLines: full.alias };
  readConfig(w, file, true, 0);
  if (w.wantFinal) {
    // `Match final` / `canonical`: ssh reads the file again once the first pass is done, matching
    // Host lines against the host name obtained so far (HostName expanded, lowercased)
    w.finalPass = true;
    w.hostForHostLines = currentHost(w).toLowerCase();
    readConfig(w, file, true, 0);
  }
  return opts;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

function readConfig(w: Walk, file: string, active: boolean, depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH)
    throw new SshConfigError(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
  const neverMatch = !active;
  const walk = (lines: Line[], on: boolean): void => {
    for (const line of lines) {
      if (line.type !== DIRECTIVE) continue;
      const key = line.param.toLowerCase();
      if (key === 'host' || key === 'match') {
        const hit =
          !neverMatch &&
          (key === 'host'
            ? matchPatternList(words(line), w.hostForHostLines, false)
            : matchCriteria(w, file, words(line)));
        walk((line as { config?: Line[] }).config ?? [], hit);
        continue;
      }
      if (!on) continue;
      if (key === 'include') {
        for (const inc of words(line).flatMap((p) => expandInclude(p, w.ctx.home))) readConfig(w, inc, true, depth + 1);
        continue;
      }
      const value =
        key === 'proxycommand' || key === 'localcommand' || key === 'remotecommand'
          ? rawText(line)
          : words(line).join(' ');
      setOption(w.opts, line.param, value);
    }
  };
  walk(parseFile(file), active);
}

/** Include paths: ~ expanded, relative ones under ~/.ssh (user configuration), globs in the last component. */
function expandInclude(p: string, home: string): string[] {
  let path = p.startsWith('~/') ? join(home, p.slice(2)) : p;
  if (!isAbsolute(path)) path = join(home, '.ssh', path);
  if (!/[*?[]/.test(path)) return existsSync(path) ? [path] : [];
  const dir = dirname(path);
  if (/[*?[]/.test(dir)) throw new SshConfigError(`Include ${p}: a glob is supported in the file name only`);
  if (!existsSync(dir)) return [];
  const isMatch = picomatch(basename(path), { dot: false });
  return readdirSync(dir)
    .filter((f) => isMatch(f))
    .sort()
    .map((f) => join(dir, f));
}

function matchCriteria(w: Walk, file: string, args: string[]): boolean {
  let result = true;
  for (let i = 0; i < args.length; i++) {
    let crit = args[i].toLowerCase();
    const negate = crit.startsWith('!');
    if (negate) crit = crit.slice(1);
    let hit: boolean;
    if (crit === 'all') hit = true;
    else if (crit === 'final' || crit === 'canonical') {
      if (!w.finalPass) w.wantFinal = true;
      hit = w.finalPass;
    } else {
      const arg = args[++i];
      if (arg === undefined) throw new SshConfigError(`${file}: Match ${crit} needs an argument`);
      const host = currentHost(w);
      switch (crit) {
        case 'host':
          hit = matchPatternList([arg], host.toLowerCase());
          break;
        case 'originalhost':
          hit = matchPatternList([arg], w.ctx.alias);
          break;
        case 'user':
          hit = matchPatternList([arg], w.opts.single.get('user') ?? w.ctx.localUser);
          break;
        case 'localuser':
          hit = matchPatternList([arg], w.ctx.localUser);
          break;
        case 'exec': {
          // the user's own configuration, run through /bin/sh exactly as ssh runs it
          const cmd = expandTokens(arg, shellSafeTokens(tokenTable(w, host), `${file}: Match exec`), 'Match exec');
          hit = spawnSync('/bin/sh', ['-c', cmd], { stdio: 'ignore', timeout: 30_000 }).status === 0;
          break;
        }
        default:
          throw new SshConfigError(
            `${file}: Match ${crit} is not supported (lbprov reads all, host, originalhost, user, localuser, exec, final, canonical)`,
          );
      }
    }
    if (negate) hit = !hit;
    if (!hit) result = false;
  }
  return result;
}

/** The HostName obtained so far with %h expanded, else the alias. */
function currentHost(w: Walk): string {
  return w.opts.single.has('hostname')
    ? expandTokens(w.opts.single.get('hostname')!, { h: w.ctx.alias }, 'HostName')
    : w.ctx.alias;
}

function tokenTable(w: Walk, host: string): Record<string, string> {
  return {
    h: host,
    n: w.ctx.alias,
    p: w.opts.single.get('port') ?? '22',
    r: w.opts.single.get('user') ?? w.ctx.localUser,
    u: w.ctx.localUser,
    d: w.ctx.home,
    l: localHostname(),
    L: localHostname().split('.')[0],
    i: String(process.getuid?.() ?? ''),
  };
}

/** ssh's percent_expand: `%%` and the given tokens; an unknown token is an error (as in ssh). */
export function expandTokens(s: string, tokens: Record<string, string>, what: string): string {
  return s.replace(/%(.)/g, (m, c: string) => {
    if (c === '%') return '%';
    const v = tokens[c];
    if (v === undefined) throw new SshConfigError(`${what} "${s}": unknown or unsupported token %${c}`);
    return v;
  });
}

/**
 * Tokens that go into a command run by /bin/sh (ProxyCommand, Match exec) must not carry shell
 * syntax: a host or user name from an inventory is not the operator's command. OpenSSH (9.6, the
 * fix of CVE-2023-51385) refuses such names the same way.
 */
export function shellSafeTokens(tokens: Record<string, string>, what: string): Record<string, string> {
  for (const k of ['h', 'n', 'r']) {
    const v = tokens[k];
    if (v !== undefined && (!/^[A-Za-z0-9._:@%+\-[\]]*$/.test(v) || v.startsWith('-'))) {
      throw new SshConfigError(
        `${what}: the ${k === 'r' ? 'user' : 'host'} name ${JSON.stringify(v)} holds characters a shell would interpret; refused in a command`,
      );
    }
  }
  return tokens;
}

/** `~` and `~/` at the start of a path, as ssh's tilde_expand (only the own home). */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  return p.startsWith('~/') ? join(home, p.slice(2)) : p;
}
