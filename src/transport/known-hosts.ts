import { createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

interface Entry {
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  type: string;
  key: Buffer;
  line: number;
  revoked: boolean;
}

/** How known_hosts names a host: `addr` on port 22, `[addr]:port` otherwise. */
export function hostToken(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** The key type inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString();
}

/** An OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) names, `@revoked` markers. */
export class KnownHosts {
  private constructor(readonly file: string, private readonly entries: Entry[]) {}

  static load(file: string): KnownHosts {
    const entries: Entry[] = [];
    if (existsSync(file)) {
      readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
        const line = raw.trim();
        if (!line || line.startsWith('#')) return;
        const parts = line.split(/\s+/);
        let revoked = false;
        if (parts[0].startsWith('@')) {
          const marker = parts.shift();
          if (marker === '@cert-authority') return; // certificates are not supported; such lines never match
          revoked = marker === '@revoked';
        }
        const [names, type, b64] = parts;
        if (!names || !type || !b64) return;
        const entry: Entry = { patterns: [], type, key: Buffer.from(b64, 'base64'), line: i + 1, revoked };
        const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(names);
        if (hashed) entry.hashed = { salt: Buffer.from(hashed[1], 'base64'), hash: Buffer.from(hashed[2], 'base64') };
        else entry.patterns = names.split(',');
        entries.push(entry);
      });
    }
    return new KnownHosts(file, entries);
  }

  private matches(e: Entry, token: string): boolean {
    if (e.hashed) return createHmac('sha1', e.hashed.salt).update(token).digest().equals(e.hashed.hash);
    let hit = false;
    for (const p of e.patterns) {
      const neg = p.startsWith('!');
      const re = new RegExp(`^${(neg ? p.slice(1) : p).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      if (re.test(token)) {
        if (neg) return false;
        hit = true;
      }
    }
    return hit;
  }

  /** The key types known for a host, to offer only those in the key exchange. */
  typesFor(token: string): string[] {
    return [...new Set(this.entries.filter((e) => !e.revoked && this.matches(e, token)).map((e) => e.type))];
  }

  /**
   * Checks a host's key. Returns null when it is accepted, else why not. With accept-new, an
   * unknown host's key is appended to the file.
   */
  verify(token: string, key: Buffer, mode: HostKeyChecking): string | null {
    if (mode === 'off') return null;
    if (this.entries.some((e) => e.revoked && e.key.equals(key))) return `the host key of ${token} is marked @revoked in ${this.file}`;
    const mine = this.entries.filter((e) => !e.revoked && this.matches(e, token));
    if (mine.some((e) => e.key.equals(key))) return null;
    if (mine.length) {
      const lines = mine.map((e) => e.line).join(', ');
      return `HOST KEY MISMATCH for ${token}: the ${keyType(key)} key it offered differs from ${this.file} line ${lines}; if the host was really rebuilt, remove that line (ssh-keygen -R '${token}' -f ${this.file}) and run again`;
    }
    if (mode === 'accept-new') {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${token} ${keyType(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
      this.entries.push({ patterns: [token], type: keyType(key), key, line: -1, revoked: false });
      return null;
    }
    return `host ${token} is not in ${this.file} (host key checking is strict; add its key, e.g. ssh-keyscan ${token.replace(/^\[(.*)\]:(\d+)$/, '-p $2 $1')} >> ${this.file}, or set lbprov_host_key_checking: accept-new)`;
  }
}
