import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import {
  CommandTimeoutError,
  withBecome,
  type Channel,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './types.js';

/** `connection: local`: commands are child processes of lbprov, no shell in between. */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly user = userInfo().username;

  async connect(): Promise<void> {}

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const full = withBecome(argv, this.user, opts.becomeUser);
    return new Promise((resolve, reject) => {
      const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new CommandTimeoutError(`command timed out after ${opts.timeoutMs! / 1000}s`));
        }, opts.timeoutMs);
      }
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ rc: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      child.stdin.on('error', () => {}); // a command that does not read its stdin is fine
      child.stdin.end(opts.stdin ?? '');
    });
  }

  async open(argv: readonly string[], opts: { becomeUser?: string } = {}): Promise<Channel> {
    const full = withBecome(argv, this.user, opts.becomeUser);
    const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => {});
    let closed: ((why?: string) => void) | undefined;
    let gone = false;
    const finish = (why?: string): void => {
      if (gone) return;
      gone = true;
      closed?.(why);
    };
    child.on('error', (e) => finish(e.message));
    child.on('close', (code, signal) => finish(code === 0 ? undefined : `exited (${code ?? signal})`));
    return {
      write: (d) => child.stdin.write(d),
      onData: (cb) => child.stdout.on('data', cb),
      onStderr: (cb) => child.stderr.on('data', cb),
      onClose: (cb) => (closed = cb),
      close: () => {
        child.stdin.end();
        child.kill('SIGTERM');
      },
    };
  }

  close(): void {}
}
