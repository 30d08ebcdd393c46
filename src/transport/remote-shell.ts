import { CommandTimeoutError, UnreachableError, type Channel, type ExecResult, type Transport } from './types.js';

/**
 * The agent: one bash per host (and become user) that stays up for the whole run and runs each
 * script lbprov sends, so a task costs a round trip on an open channel instead of a new SSH session
 * (a session start is ~85 ms of PAM and logind on a systemd host). Its text is fixed; scripts
 * arrive length-prefixed on stdin (`RUN <id> <bytes>`; GNU head -c reads exactly that many), run in
 * their own bash with stdin from /dev/null, and come back framed: `@@LBPROV <id> <rc> <out> <err>`
 * then exactly that many bytes of stdout and stderr.
 */
const AGENT = [
  'set -u',
  'd=$(mktemp -d) || exit 4',
  "trap 'rm -rf \"$d\"' EXIT",
  'export LBPROV_TMP=$d/t',
  'mkdir "$LBPROV_TMP" || exit 4',
  "while IFS=' ' read -r cmd id len; do",
  '  [ "$cmd" = RUN ] || exit 3',
  '  head -c "$len" > "$d/s"',
  '  bash "$d/s" > "$d/o" 2> "$d/e" < /dev/null',
  '  rc=$?',
  '  mapfile -t sz < <(stat -c %s "$d/o" "$d/e")',
  `  printf '@@LBPROV %s %s %s %s\\n' "$id" "$rc" "\${sz[0]}" "\${sz[1]}"`,
  '  cat "$d/o" "$d/e"',
  'done',
].join('\n');

interface Pending {
  id: number;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

export class RemoteShell {
  private chan?: Channel;
  private starting?: Promise<Channel>;
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Array<() => void> = [];
  private busy = false;
  private pending?: Pending;
  private nextId = 1;
  private agentErr = '';
  private dead?: string;
  /** Which agent is current: events of an agent dropped after a timeout are ignored. */
  private gen = 0;

  constructor(private readonly t: Transport, private readonly becomeUser?: string) {}

  private start(): Promise<Channel> {
    const gen = this.gen;
    this.starting ??= this.t.open(['bash', '-c', AGENT], { becomeUser: this.becomeUser }).then((c) => {
      c.onData((d) => gen === this.gen && this.onData(d));
      c.onStderr((d) => (this.agentErr = (this.agentErr + d.toString()).slice(-2000)));
      c.onClose((why) => gen === this.gen && this.onClose(why ?? 'the remote shell ended'));
      this.chan = c;
      return c;
    });
    return this.starting;
  }

  /** Runs one script; scripts of one shell run one after another. */
  async run(script: string, timeoutMs?: number): Promise<ExecResult> {
    if (this.busy) await new Promise<void>((r) => this.queue.push(r));
    this.busy = true;
    try {
      if (this.dead) throw new UnreachableError(this.dead);
      const chan = await this.start();
      const body = Buffer.from(script);
      const id = this.nextId++;
      return await new Promise<ExecResult>((resolve, reject) => {
        this.pending = { id, resolve, reject };
        if (timeoutMs) {
          this.pending.timer = setTimeout(() => {
            // the agent is stuck in that script: drop it; the next task gets a fresh one
            this.pending = undefined;
            this.reset();
            reject(new CommandTimeoutError(`command timed out after ${timeoutMs / 1000}s`));
          }, timeoutMs);
        }
        chan.write(`RUN ${id} ${body.length}\n`);
        chan.write(body);
      });
    } finally {
      this.busy = false;
      this.queue.shift()?.();
    }
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : Buffer.from(d);
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const m = /^@@LBPROV (\d+) (\d+) (\d+) (\d+)$/.exec(this.buf.subarray(0, nl).toString());
      if (!m) {
        this.fail(`the remote shell answered garbage: ${this.buf.subarray(0, Math.min(nl, 200)).toString()}`);
        return;
      }
      const [, id, rc, olen, elen] = m.map(Number);
      const end = nl + 1 + olen + elen;
      if (this.buf.length < end) return;
      const stdout = this.buf.subarray(nl + 1, nl + 1 + olen);
      const stderr = this.buf.subarray(nl + 1 + olen, end);
      this.buf = this.buf.subarray(end);
      const p = this.pending;
      if (p && p.id === id) {
        clearTimeout(p.timer);
        this.pending = undefined;
        p.resolve({ rc, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) });
      }
    }
  }

  private onClose(why: string): void {
    this.chan = undefined;
    this.starting = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(new UnreachableError(`${why}${this.agentErr ? `: ${this.agentErr.trim()}` : ''}`));
    }
  }

  private fail(why: string): void {
    this.dead = why;
    this.reset();
    this.onClose(why);
  }

  private reset(): void {
    this.gen++;
    this.chan?.close();
    this.chan = undefined;
    this.starting = undefined;
    this.buf = Buffer.alloc(0);
  }

  close(): void {
    this.reset();
  }
}
