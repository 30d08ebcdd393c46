import { createHmac, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

interface Entry {
  /** Comma-separated patterns (`*`, `?`, `!negation`), lower-cased as OpenSSH compares them. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  type: string;
  key: Buffer;
  line: number;
  revoked: boolean;
}

export interface KnownHostsOptions {
  /** Write the names of keys accept-new records hashed (`|1|salt|hash`, ssh's HashKnownHosts). */
  hash?: boolean;
  /** Where warnings about lines that are skipped go (default: stderr, once per file and line). */
  warn?: (message: string) => void;
}

/** How known_hosts names a host: `addr` on port 22, `[addr]:port` otherwise. */
export function hostToken(address: string, port = 22): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** The key type inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  if (n > blob.length - 4) return '';
  return blob.subarray(4, 4 + n).toString('latin1');
}

/**
 * OpenSSH's match_pattern: `*` any run, `?` one character, everything else literal (`[` and `]`
 * of `[host]:port` included). Iterative with backtracking to the last `*` only: linear-ish, no
 * regular expression built from file contents.
 */
export function matchPattern(s: string, p: string): boolean {
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** OpenSSH's match_hostname: any positive pattern matches and no negated one does. */
export function matchHostPatterns(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  let hit = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const p = (neg ? raw.slice(1) : raw).toLowerCase();
    if (matchPattern(h, p)) {
      if (neg) return false;
      hit = true;
    }
  }
  return hit;
}

const warned = new Set<string>();
const defaultWarn = (m: string): void => {
  if (warned.has(m)) return;
  warned.add(m);
  process.stderr.write(`lbprov: warning: ${m}\n`);
};

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * An OpenSSH known_hosts file with ssh's semantics: plain names and patterns (case-insensitive,
 * `*` `?` `!`, comma lists, `[host]:port` for other ports than 22), hashed names (`|1|salt|hash`),
 * `@revoked` keys (always refused), `@cert-authority` lines (host certificates are not supported:
 * skipped). A line ssh would not read is skipped with a warning; it never spoils the others.
 */
export class KnownHosts {
  private constructor(
    readonly file: string,
    private readonly entries: Entry[],
    private readonly opts: KnownHostsOptions,
    readonly warnings: string[],
  ) {}

  static load(file: string, opts: KnownHostsOptions = {}): KnownHosts {
    const entries: Entry[] = [];
    const warnings: string[] = [];
    const warn = (line: number, why: string): void => {
      const m = `${file}:${line}: ${why}; line skipped`;
      warnings.push(m);
      (opts.warn ?? defaultWarn)(m);
    };
    if (existsSync(file)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((raw, i) => {
          const e = parseLine(raw, i + 1, (why) => warn(i + 1, why));
          if (e) entries.push(e);
        });
    }
    return new KnownHosts(file, entries, opts, warnings);
  }

  private matches(e: Entry, token: string): boolean {
    // ssh lower-cases the host name before it looks it up (and ssh-keygen -H hashes it lower-cased)
    const t = token.toLowerCase();
    if (e.hashed) return createHmac('sha1', e.hashed.salt).update(t).digest().equals(e.hashed.hash);
    return matchHostPatterns(t, e.patterns);
  }

  /** The lines (1-based) whose names match the host, @revoked ones included: what `ssh-keygen -F` lists. */
  linesFor(token: string): number[] {
    return this.entries.filter((e) => this.matches(e, token)).map((e) => e.line);
  }

  /** The key types known for a host, to offer only those in the key exchange. */
  typesFor(token: string): string[] {
    return [...new Set(this.entries.filter((e) => !e.revoked && this.matches(e, token)).map((e) => e.type))];
  }

  /**
   * Checks a host's key. Returns null when it is accepted, else why not. With accept-new, an
   * unknown host's key is added to the file (atomically: a temp file renamed over it).
   */
  verify(token: string, key: Buffer, mode: HostKeyChecking): string | null {
    if (mode === 'off') return null;
    // a revoked key is refused for every host: it is known to be compromised
    const revoked = this.entries.find((e) => e.revoked && e.key.equals(key));
    if (revoked) return `the host key of ${token} is marked @revoked in ${this.file} line ${revoked.line}`;
    const mine = this.entries.filter((e) => !e.revoked && this.matches(e, token));
    if (mine.some((e) => e.key.equals(key))) return null;
    if (mine.length) {
      const lines = mine.map((e) => e.line).join(', ');
      return `HOST KEY MISMATCH for ${token}: the ${keyType(key)} key it offered differs from ${this.file} line ${lines}; if the host was really rebuilt, remove that line (ssh-keygen -R '${token}' -f ${this.file}) and run again`;
    }
    if (mode === 'accept-new') {
      try {
        this.append(token, key);
      } catch (e) {
        return `cannot record the key of ${token} in ${this.file}: ${(e as Error).message}`;
      }
      return null;
    }
    return `host ${token} is not in ${this.file} (host key checking is strict; add its key, e.g. ssh-keyscan ${token.replace(/^\[(.*)\]:(\d+)$/, '-p $2 $1')} >> ${this.file}, or set lbprov_host_key_checking: accept-new)`;
  }

  /** Adds a line: the file is rewritten to a temp file beside it (same mode) and renamed over it. */
  private append(token: string, key: Buffer): void {
    const name = token.toLowerCase();
    let names = name;
    let hashed: Entry['hashed'];
    if (this.opts.hash) {
      const salt = randomBytes(20);
      const hash = createHmac('sha1', salt).update(name).digest();
      hashed = { salt, hash };
      names = `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
    }
    const line = `${names} ${keyType(key)} ${key.toString('base64')}\n`;
    const dir = dirname(this.file);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    let old = '';
    let mode = 0o600;
    if (existsSync(this.file)) {
      old = readFileSync(this.file, 'utf8');
      mode = statSync(this.file).mode & 0o7777;
    }
    if (old && !old.endsWith('\n')) old += '\n';
    const tmp = join(dir, `.${basename(this.file)}.lbprov-${process.pid}-${randomBytes(4).toString('hex')}`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, old + line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      chmodSync(tmp, mode);
      renameSync(tmp, this.file);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw e;
    }
    const lineNo = old ? old.split('\n').length : 1;
    this.entries.push({
      patterns: hashed ? [] : [name],
      hashed,
      type: keyType(key),
      key,
      line: lineNo,
      revoked: false,
    });
  }
}

/** One known_hosts line as ssh reads it, or undefined (comment, blank, or skipped with a warning). */
function parseLine(raw: string, line: number, warn: (why: string) => void): Entry | undefined {
  const text = raw.trim();
  if (!text || text.startsWith('#')) return undefined;
  const parts = text.split(/\s+/);
  let revoked = false;
  if (parts[0].startsWith('@')) {
    const marker = parts.shift();
    if (marker === '@cert-authority') return undefined; // host certificates are not supported: such a line never matches
    if (marker !== '@revoked') {
      warn(`unknown marker "${marker}"`);
      return undefined;
    }
    revoked = true;
  }
  const [names, type, b64] = parts;
  if (!names || !type || !b64) {
    warn('expected "names keytype base64-key"');
    return undefined;
  }
  if (!B64.test(b64)) {
    warn('the key is not base64');
    return undefined;
  }
  const key = Buffer.from(b64, 'base64');
  if (keyType(key) !== type) {
    warn(`the key is not a ${type} key`);
    return undefined;
  }
  const entry: Entry = { patterns: [], type, key, line, revoked };
  if (names.startsWith('|')) {
    const hashed = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(names);
    if (!hashed) {
      warn('a hashed name must be |1|salt|hash');
      return undefined;
    }
    const salt = Buffer.from(hashed[1], 'base64');
    const hash = Buffer.from(hashed[2], 'base64');
    if (hash.length !== 20) {
      warn('a hashed name must hold a 20-byte SHA-1 HMAC');
      return undefined;
    }
    entry.hashed = { salt, hash };
  } else {
    entry.patterns = names.split(',').filter(Boolean);
    if (!entry.patterns.length) {
      warn('no host names');
      return undefined;
    }
  }
  return entry;
}
