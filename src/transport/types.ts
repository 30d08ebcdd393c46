export interface ExecResult {
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Milliseconds; the command is killed and the call fails after it. */
  timeoutMs?: number;
  /** Run as this user through sudo (when the login user is someone else). */
  becomeUser?: string;
}

/** A long-running command with its pipes: what the per-host remote shell runs in. */
export interface Channel {
  write(data: Buffer | string): void;
  onData(cb: (chunk: Buffer) => void): void;
  onStderr(cb: (chunk: Buffer) => void): void;
  /** Called once when the command is gone, with why when it was not a normal exit. */
  onClose(cb: (why?: string) => void): void;
  close(): void;
}

/** How lbprov reaches a host. Commands are argv arrays; the transport quotes them. */
export interface Transport {
  readonly kind: 'ssh' | 'local';
  /** The user commands run as after login. */
  readonly user: string;
  connect(): Promise<void>;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a command that stays up (the remote shell), on the host's one connection. */
  open(argv: readonly string[], opts?: { becomeUser?: string }): Promise<Channel>;
  close(): void;
}

/** The host cannot be reached (connect, auth, host key, dropped connection): the host stops as `unreachable`. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

/** A command did not finish within its timeout. */
export class CommandTimeoutError extends Error {
  override name = 'CommandTimeoutError';
}

/** sudo in front of argv when the command must run as another user than the login user. */
export function withBecome(argv: readonly string[], loginUser: string, becomeUser: string | undefined): string[] {
  if (!becomeUser || becomeUser === loginUser) return [...argv];
  return ['sudo', '-n', '-H', '-u', becomeUser, '--', ...argv];
}
