import type { Duplex } from 'node:stream';
import { Client, type AnyAuthMethod, type ClientChannel, type ConnectConfig } from 'ssh2';
import { Semaphore } from '../util/semaphore.js';
import { shellJoin } from '../util/quote.js';
import { hostToken, KnownHosts, type HostKeyChecking } from './known-hosts.js';
import { planIdentities } from './ssh-identities.js';
import { proxyCommandSocket } from './ssh-proxy.js';
import {
  CommandTimeoutError,
  UnreachableError,
  withBecome,
  type Channel,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './types.js';

export interface SshOptions {
  /** the address or DNS name to reach (ssh's HostName) */
  host: string;
  port: number;
  user: string;
  /** the name the host was given (an ssh_config alias, a jump host's name): for messages */
  name?: string;
  /** a key file tried before `identityFiles` (what the inventory's ansible_ssh_private_key_file gives) */
  privateKeyFile?: string;
  /** IdentityFile entries; with neither, OpenSSH's default files in ~/.ssh are tried */
  identityFiles?: string[];
  /** IdentitiesOnly: do not ask the agent */
  identitiesOnly?: boolean;
  /** IdentityAgent: a socket, or 'none'; undefined: SSH_AUTH_SOCK */
  identityAgent?: string;
  /** for encrypted keys (ansible_ssh_private_key_passphrase); LBPROV_SSH_PASSPHRASE and a terminal prompt come after */
  passphrase?: string;
  knownHostsFile: string;
  hostKeyChecking: HostKeyChecking;
  /** Record accept-new keys under hashed names (lbprov_hash_known_hosts). */
  hashKnownHosts?: boolean;
  connectTimeoutMs: number;
  /** exec() channels open at once on the one connection (sshd's MaxSessions is 10 by default); open()'s are not counted. */
  maxChannels: number;
  /** ProxyJump: the host this one is reached through (a forwarded channel on that host's connection) */
  via?: SshOptions;
  /** ProxyCommand, tokens expanded: its stdin/stdout carry the connection */
  proxyCommand?: string;
  /** keepalive probes on an idle connection (ServerAliveInterval); 0 turns them off. Default 10 s. */
  keepaliveIntervalMs?: number;
  /** unanswered probes before the host counts as gone (ServerAliveCountMax). Default 3. */
  keepaliveCountMax?: number;
  /** more attempts when a connect is refused or times out, with backoff (1 s, 2 s, 4 s...). Default 0. */
  connectRetries?: number;
}

/** A failure at connect that another attempt may get past (refused, timed out, no route). */
class ConnectError extends UnreachableError {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'EPIPE',
]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const label = (o: SshOptions): string =>
  o.name && o.name !== o.host ? `${o.name} (${o.host}:${o.port})` : `${o.host}:${o.port}`;

/**
 * One ssh2 connection per host, opened once and reused for every command of the run; commands
 * are channels on it, at most maxChannels exec() commands at once (the long-lived shells of open()
 * and ProxyJump forwards are not counted). Host keys are verified, of
 * every jump host as well as of the target. A connect that is refused or times out is retried.
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly user: string;
  private client?: Client;
  /** the connections of the jump hosts, outermost first */
  private hops: Client[] = [];
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

  private async dial(): Promise<void> {
    const retries = this.opts.connectRetries ?? 0;
    for (let attempt = 0; ; attempt++) {
      const hops: Client[] = [];
      try {
        this.client = await this.handshake(this.opts, hops, true);
        this.hops = hops;
        return;
      } catch (e) {
        for (const c of hops) c.end();
        if (!(e instanceof ConnectError && e.retryable) || attempt >= retries) {
          throw attempt
            ? new UnreachableError(`${e instanceof Error ? e.message : String(e)} (after ${attempt + 1} attempts)`)
            : e;
        }
        await sleep(Math.min(1000 * 2 ** attempt, 8000));
      }
    }
  }

  /** Connects to `o` (through its jump host first, if any); `hops` collects the jump connections. */
  private async handshake(o: SshOptions, hops: Client[], target: boolean): Promise<Client> {
    const where = target ? '' : `jump host ${label(o)}: `;
    let sock: Duplex | undefined;
    if (o.via) {
      const jump = await this.handshake(o.via, hops, false);
      hops.push(jump);
      sock = await new Promise<Duplex>((resolve, reject) =>
        jump.forwardOut('127.0.0.1', 0, o.host, o.port, (err, ch) => {
          if (!err) return resolve(ch);
          const msg = `${where}cannot reach ${o.host}:${o.port} from jump host ${label(o.via!)}: ${err.message}`;
          reject(new ConnectError(msg, /refused|timed out|unreachable|no route/i.test(err.message)));
        }),
      );
    } else if (o.proxyCommand) {
      sock = proxyCommandSocket(o.proxyCommand);
    }
    const plan = await planIdentities({
      files: [...(o.privateKeyFile ? [o.privateKeyFile] : []), ...(o.identityFiles ?? [])],
      identitiesOnly: !!o.identitiesOnly,
      identityAgent: o.identityAgent,
      passphrase: o.passphrase,
    });
    const token = hostToken(o.host, o.port);
    const known = KnownHosts.load(o.knownHostsFile, { hash: o.hashKnownHosts });
    let keyProblem: string | null = null;
    const attempts: AnyAuthMethod[] = [];
    const labels: string[] = [];
    if (plan.agent) {
      attempts.push({ type: 'agent', username: o.user, agent: plan.agent });
      labels.push(`the agent at ${plan.agent}`);
    }
    for (const k of plan.keys) {
      attempts.push({ type: 'publickey', username: o.user, key: k.key });
      labels.push(`key ${k.file}`);
    }
    const tried: string[] = [];
    const agentErrors: string[] = [];
    const config: ConnectConfig = {
      host: o.host,
      port: o.port,
      sock,
      username: o.user,
      readyTimeout: o.connectTimeoutMs,
      keepaliveInterval: o.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: o.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        keyProblem = known.verify(token, key, o.hostKeyChecking);
        return keyProblem === null;
      },
      authHandler: (_left, _partial, _next) => {
        const a = attempts.shift();
        if (!a) return false as never;
        tried.push(labels.shift()!);
        return a as never;
      },
    };
    const types = known.typesFor(token);
    // Offer only the key types known_hosts has for this host, so the check compares like with like.
    if (o.hostKeyChecking !== 'off' && types.length) {
      const algos = types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
      config.algorithms = { serverHostKey: algos as never };
    }
    return new Promise((resolve, reject) => {
      const c = new Client();
      let ready = false;
      c.on('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (e: Error & { level?: string; code?: string }) => {
        if (e.level === 'agent') {
          // the agent could not be asked: ssh2 goes on with the next identity, so does lbprov
          agentErrors.push(e.message);
          return;
        }
        if (ready) {
          if (target && this.client === c) this.lost = `${label(o)}: ${e.message}`;
          return;
        }
        if (keyProblem) return reject(new ConnectError(`${where}${keyProblem}`, false));
        if (e.level === 'client-authentication') {
          const notes = [...plan.notes, ...agentErrors.map((m) => `the agent: ${m}`)];
          const offered = tried.length ? `tried ${tried.join(', ')}: none was accepted` : 'no identity to offer';
          return reject(
            new ConnectError(
              `${where}authentication as ${o.user} on ${label(o)} failed; ${offered}${notes.length ? `; ${notes.join('; ')}` : ''}`,
              false,
            ),
          );
        }
        const timeout = e.level === 'client-timeout' || /Timed out/i.test(e.message);
        const msg = timeout
          ? `no ssh handshake with ${label(o)} within ${o.connectTimeoutMs / 1000}s`
          : `${label(o)}: ${e.message}`;
        reject(
          new ConnectError(
            `${where}${msg}`,
            timeout || RETRYABLE_CODES.has(e.code ?? '') || /ProxyCommand exited/.test(e.message),
          ),
        );
      });
      c.on('close', () => {
        if (!ready)
          reject(
            new ConnectError(
              `${where}${keyProblem ?? `${label(o)}: the connection was closed during the handshake`}`,
              !keyProblem,
            ),
          );
        // only the connection in use: a failed earlier attempt closing late must not touch a retry's
        if (target && ready && this.client === c) {
          this.lost ??= 'the connection was closed';
          this.client = undefined;
        }
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
      client.exec(shellJoin(withBecome(argv, this.user, opts.becomeUser)), (err, s) =>
        err ? reject(new UnreachableError(`${this.opts.host}: cannot open a channel: ${err.message}`)) : resolve(s),
      ),
    );
    let closed: ((why?: string) => void) | undefined;
    let code: number | null = null;
    stream.on('exit', (c: number | null) => (code = c));
    stream.on('close', () => closed?.(code === 0 ? undefined : (this.lost ?? `exited (${code ?? 'signal'})`)));
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
    for (const c of this.hops.reverse()) c.end();
    this.hops = [];
  }
}
