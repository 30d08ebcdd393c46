import { PRELUDE } from '../executor/remote-script.js';
import { lockPrologue, type HostLock } from './host-lock.js';
import { CommandTimeoutError, UnreachableError, type Channel, type ExecResult, type Transport } from './types.js';

/**
 * The agent: one bash per host (and become user) that stays up for the whole run, with lbprov's
 * script functions (prelude.sh) loaded once, so a task costs a round trip on an open channel
 * instead of a new SSH session (~85 ms of PAM and logind on a systemd host) and a new bash. Its
 * text is fixed. A script arrives length-prefixed (`RUN <id> <bytes>`; GNU head -c reads exactly
 * that many) and runs in a subshell with stdin from /dev/null; it answers on stdout, framed by its
 * own sizes (`@@ANSWER`, see prelude.sh); then the agent adds `@@LBPROV <id> <rc> <stderr bytes>`
 * and the script's stderr.
 */
const agent = (prelude: string, lock?: HostLock): string =>
  [
    'export LC_ALL=C',
    ...(lock ? [lockPrologue(lock)] : []),
    'd=$(mktemp -d) || exit 4',
    "trap 'rm -rf \"$d\"' EXIT",
    'export LBPROV_TMP=$d/t',
    'mkdir "$LBPROV_TMP" || exit 4',
    prelude,
    "while IFS=' ' read -r cmd id len; do",
    '  [ "$cmd" = RUN ] || exit 3',
    '  head -c "$len" > "$d/s"',
    // 9<&-: nothing a script starts (a daemon) may keep the run's host lock
    '  ( . "$d/s" ) 2> "$d/e" < /dev/null 9<&-',
    '  rc=$?',
    '  err=$(< "$d/e")',
    `  printf '@@LBPROV %s %s %s\\n%s' "$id" "$rc" "\${#err}" "$err"`,
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

  constructor(
    private readonly t: Transport,
    private readonly becomeUser?: string,
    /** This shell holds the run's lock on the host (the first shell of a run on it). */
    private readonly lock?: HostLock,
  ) {}

  private start(): Promise<Channel> {
    const gen = this.gen;
    this.starting ??= this.t.open(['bash', '-c', agent(PRELUDE, this.lock)], { becomeUser: this.becomeUser }).then((c) => {
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
      // [@@ANSWER n|rcs|sizes\n <bytes>] @@LBPROV id rc errlen\n <stderr>
      let pos = 0;
      let answerEnd = 0;
      if (this.buf.subarray(0, 9).toString() === '@@ANSWER ') {
        const nl = this.buf.indexOf(10);
        if (nl < 0) return;
        const sizes = this.buf.subarray(9, nl).toString().split('|')[2] ?? '';
        const total = sizes ? sizes.split(' ').reduce((a, b) => a + Number(b), 0) : 0;
        answerEnd = nl + 1 + total;
        if (this.buf.length < answerEnd) return;
        pos = answerEnd;
      }
      const nl = this.buf.indexOf(10, pos);
      if (nl < 0) return;
      const m = /^@@LBPROV (\d+) (\d+) (\d+)$/.exec(this.buf.subarray(pos, nl).toString());
      if (!m) {
        this.fail(`the remote shell answered garbage: ${this.buf.subarray(pos, Math.min(nl, pos + 200)).toString()}`);
        return;
      }
      const [, id, rc, elen] = m.map(Number);
      const end = nl + 1 + elen;
      if (this.buf.length < end) return;
      const stdout = Buffer.from(this.buf.subarray(0, answerEnd));
      const stderr = Buffer.from(this.buf.subarray(nl + 1, end));
      this.buf = this.buf.subarray(end);
      const p = this.pending;
      if (p && p.id === id) {
        clearTimeout(p.timer);
        this.pending = undefined;
        p.resolve({ rc, stdout, stderr });
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
      // another run holds the host: a failure of this host, not an unreachable one
      const locked = /^locked by .*/m.exec(this.agentErr);
      if (locked) {
        this.dead = locked[0];
        p.reject(new Error(`${locked[0]} (waited lbprov_lock_timeout)`));
      } else p.reject(new UnreachableError(`${why}${this.agentErr ? `: ${this.agentErr.trim()}` : ''}`));
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
