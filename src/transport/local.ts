import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { CommandTimeoutError, withBecome, type ExecOptions, type ExecResult, type Transport } from './types.js';

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

  close(): void {}
}
