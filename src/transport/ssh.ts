import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { Semaphore } from '../util/semaphore.js';
import { shellJoin } from '../util/quote.js';
import { hostToken, KnownHosts, type HostKeyChecking } from './known-hosts.js';
import { CommandTimeoutError, UnreachableError, withBecome, type Channel, type ExecOptions, type ExecResult, type Transport } from './types.js';

export interface SshOptions {
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  knownHostsFile: string;
  hostKeyChecking: HostKeyChecking;
  /** Record accept-new keys under hashed names (lbprov_hash_known_hosts). */
  hashKnownHosts?: boolean;
  connectTimeoutMs: number;
  /** Channels open at once on the one connection (sshd's MaxSessions is 10 by default). */
  maxChannels: number;
}

/**
 * One ssh2 connection per host, opened once and reused for every command of the run; commands
 * are channels on it, capped so sshd's MaxSessions is never exceeded. Host keys are verified.
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly user: string;
  private client?: Client;
  private connecting?: Promise<void>;
  private lost?: string;
  private readonly channels: Semaphore;

  constructor(private readonly opts: SshOptions) {
    this.user = opts.user;
    this.channels = new Semaphore(opts.maxChannels);
  }

  connect(): Promise<void> {
    this.connecting ??= this.dial();
    return this.connecting;
  }

  private dial(): Promise<void> {
    const o = this.opts;
    const token = hostToken(o.host, o.port);
    const known = KnownHosts.load(o.knownHostsFile, { hash: o.hashKnownHosts });
    let keyProblem: string | null = null;
    const config: ConnectConfig = {
      host: o.host,
      port: o.port,
      username: o.user,
      readyTimeout: o.connectTimeoutMs,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        keyProblem = known.verify(token, key, o.hostKeyChecking);
        return keyProblem === null;
      },
    };
    const types = known.typesFor(token);
    // Offer only the key types known_hosts has for this host, so the check compares like with like.
    if (o.hostKeyChecking !== 'off' && types.length) {
      const algos = types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
      config.algorithms = { serverHostKey: algos as never };
    }
    if (o.privateKeyFile) {
      try {
        config.privateKey = readFileSync(o.privateKeyFile);
      } catch (e) {
        return Promise.reject(new UnreachableError(`cannot read private key ${o.privateKeyFile}: ${(e as NodeJS.ErrnoException).code}`));
      }
    }
    if (process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
    return new Promise((resolve, reject) => {
      const c = new Client();
      let ready = false;
      c.on('ready', () => {
        ready = true;
        this.client = c;
        resolve();
      });
      c.on('error', (e: Error & { level?: string }) => {
        const why = keyProblem ?? describe(e, o);
        if (!ready) reject(new UnreachableError(why));
        else this.lost = why;
      });
      c.on('close', () => {
        this.lost ??= 'the connection was closed';
        this.client = undefined;
      });
      c.connect(config);
    });
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    return this.channels.run(() => this.run(shellJoin(withBecome(argv, this.user, opts.becomeUser)), opts));
  }

  private run(command: string, opts: ExecOptions): Promise<ExecResult> {
    const client = this.client;
    if (!client) return Promise.reject(new UnreachableError(`${this.opts.host}: ${this.lost ?? 'not connected'}`));
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream: ClientChannel) => {
        if (err) {
          reject(new UnreachableError(`${this.opts.host}: cannot open a channel: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        let rc = -1;
        let timer: NodeJS.Timeout | undefined;
        if (opts.timeoutMs) {
          timer = setTimeout(() => {
            stream.signal('KILL');
            stream.close();
            reject(new CommandTimeoutError(`command timed out after ${opts.timeoutMs! / 1000}s`));
          }, opts.timeoutMs);
        }
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errs.push(d));
        stream.on('exit', (code: number | null, signal?: string) => {
          rc = code ?? (signal ? 128 : 255);
        });
        stream.on('close', () => {
          clearTimeout(timer);
          if (rc === -1 && this.lost) reject(new UnreachableError(`${this.opts.host}: ${this.lost}`));
          else resolve({ rc, stdout: Buffer.concat(out), stderr: Buffer.concat(errs) });
        });
        stream.end(opts.stdin ?? '');
      });
    });
  }

  async open(argv: readonly string[], opts: { becomeUser?: string } = {}): Promise<Channel> {
    await this.connect();
    const client = this.client;
    if (!client) throw new UnreachableError(`${this.opts.host}: ${this.lost ?? 'not connected'}`);
    const stream = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(shellJoin(withBecome(argv, this.user, opts.becomeUser)), (err, s) => (err ? reject(new UnreachableError(`${this.opts.host}: cannot open a channel: ${err.message}`)) : resolve(s))),
    );
    let closed: ((why?: string) => void) | undefined;
    let code: number | null = null;
    stream.on('exit', (c: number | null) => (code = c));
    stream.on('close', () => closed?.(code === 0 ? undefined : this.lost ?? `exited (${code ?? 'signal'})`));
    return {
      write: (d) => stream.write(d),
      onData: (cb) => stream.on('data', cb),
      onStderr: (cb) => stream.stderr.on('data', cb),
      onClose: (cb) => (closed = cb),
      close: () => {
        stream.signal('KILL');
        stream.close();
      },
    };
  }

  close(): void {
    this.client?.end();
    this.client = undefined;
  }
}

function describe(e: Error & { level?: string; code?: string }, o: SshOptions): string {
  if (e.level === 'client-authentication') return `authentication as ${o.user} failed (key ${o.privateKeyFile ?? 'from the agent'})`;
  if (e.level === 'client-timeout' || /Timed out/.test(e.message)) return `no ssh handshake with ${o.host}:${o.port} within ${o.connectTimeoutMs / 1000}s`;
  return `${o.host}:${o.port}: ${e.message}`;
}
