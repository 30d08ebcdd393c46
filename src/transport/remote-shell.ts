import { vlog, verbosity } from '../util/verbose.js';
import { becomeChannel, becomeCommand, type BecomeSpec } from './become.js';
import { lockPrologue, type HostLock } from './host-lock.js';
import { CommandTimeoutError, UnreachableError, type Channel, type ExecResult, type Transport } from './types.js';

/**
 * The agent: one bash per host (and become user) that stays up for the whole run, with the shell
 * functions its caller hands it (the executor's prelude) loaded once, so a task costs a round trip on an open channel
 * instead of a new SSH session (~85 ms of PAM and logind on a systemd host) and a new bash. Its
 * text is fixed. A script arrives length-prefixed (`RUN <id> <bytes>`; GNU head -c reads exactly
 * that many; scripts hold no NUL) and runs in a subshell with stdin from /dev/null; it answers on
 * stdout, framed by its own sizes (`@@ANSWER`, see src/executor/prelude.sh); then the agent adds
 * `@@LBPROV <id> <rc> <stderr bytes>` and the script's stderr. `EXIT`, `ABORT`, EOF, HUP or TERM
 * end it; with no script running its EXIT trap removes its temp dir, else its janitor does.
 */
export const agent = (prelude: string, lock?: HostLock): string =>
  [
    'export LC_ALL=C',
    ...(lock ? [lockPrologue(lock)] : []),
    'd=$(mktemp -d -t lbprov.XXXXXXXXXX) || exit 4',
    // with a script still running the janitor cleans up (it ends the script first)
    'trap \'[ -s "$d/job" ] || rm -rf "$d"\' EXIT',
    "trap 'exit 129' HUP",
    "trap 'exit 143' TERM",
    JANITOR,
    'export LBPROV_TMP=$d/t LBPROV_JUNK=$d/junk',
    'mkdir "$LBPROV_TMP" || exit 4',
    prelude,
    // each script is a job in a process group of its own, which the janitor can end as a whole;
    // so is the reader of the next command line, which, while a script runs, is how the agent
    // hears of EOF (connection lost, controller gone) or ABORT (a timeout) without waiting for it
    'set -m',
    'lbprov_next() { local c=\'\' i=\'\' l=\'\'; IFS=\' \' read -r c i l || c=EOF; printf \'%s %s %s\\n\' "$c" "$i" "$l" > "$d/h"; : > "$d/reader"; }',
    'lbprov_next & r=$!; echo $r > "$d/reader"',
    'while :; do',
    '  wait "$r"',
    '  read -r cmd id len < "$d/h"',
    '  [ "$cmd" = RUN ] || exit 0',
    // the script stays in memory: what it carries (no_log content too) is never written to disk
    '  s=$(head -c "$len")',
    // 9<&-: nothing a script starts (a daemon) may keep the run's host lock
    '  ( eval "$s" ) 2> "$d/e" < /dev/null 9<&- &',
    '  job=$!; echo $job > "$d/job"; s=',
    '  lbprov_next & r=$!; echo $r > "$d/reader"',
    '  wait -n',
    // the next line came first: EOF or ABORT. Exit; the janitor ends the script and cleans up.
    '  ! kill -0 "$job" 2> /dev/null || exit 0',
    '  wait "$job"',
    '  rc=$?',
    // what the script left: its outputs (read back already), and temp files it registered
    // (none, unless it was killed while writing)
    '  j=(); [ ! -s "$d/junk" ] || mapfile -t j < "$d/junk"',
    '  err=$(< "$d/e")',
    '  rm -f -- "$d/job" "$d/e" "$d/junk" "$LBPROV_TMP"/* "${j[@]}"',
    `  printf '@@LBPROV %s %s %s\\n%s' "$id" "$rc" "\${#err}" "$err"`,
    'done',
  ].join('\n');

/**
 * The agent's stderr without bash's job notices (`[2]+  Done  lbprov_next`: job control, `set -m`,
 * reports each finished job there), which would otherwise read as the reason a host went away.
 */
export const withoutJobNotices = (text: string): string =>
  text.replace(/^\[\d+\][+-]? +(Done|Exit \d+|Terminated|Killed|Running|Stopped)\b.*(\n|$)/gm, '');

/**
 * The janitor: a process in a session of its own (a signal to the agent's process group, such as
 * the KILL an SSH client sends, does not reach it), reading a pipe that only the agent holds open.
 * When that pipe ends - the agent exited (EXIT, ABORT, EOF on a lost connection or a killed
 * controller) or was killed - it ends the script still running (TERM, then KILL), removes the temp files that script
 * registered beside destinations, and the agent's temp dir. So nothing lbprov wrote stays on the
 * host, whoever ended the agent and how. A coprocess: bash keeps its pipe out of subshells and of
 * the programs it starts, so the agent alone holds it.
 */
const JANITOR = [
  // SC2034: the coprocess is named for its pipe alone; SC2016: the inner script expands its own $1
  '# shellcheck disable=SC2034,SC2016',
  "coproc LBPROV_JANITOR { exec setsid bash -c '",
  '  read -r _',
  '  [ ! -s "$1/reader" ] || kill -KILL -- "-$(< "$1/reader")" 2> /dev/null',
  '  if [ -s "$1/job" ]; then',
  '    p=$(< "$1/job"); kill -TERM -- "-$p" 2> /dev/null',
  '    for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$p" 2> /dev/null || break; sleep 0.2; done',
  '    kill -KILL -- "-$p" 2> /dev/null',
  '  fi',
  '  if [ -s "$1/junk" ]; then while IFS= read -r f; do rm -f -- "$f"; done < "$1/junk"; fi',
  '  rm -rf -- "$1"',
  '\' lbprov-janitor "$d" > /dev/null 2>&1; }',
].join('\n');

interface Pending {
  id: number;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  t0: number;
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
  /** Set while a no_log task runs: -vvv shows its scripts' size, not their text. */
  hideScripts = false;

  constructor(
    private readonly t: Transport,
    /** Shell functions the agent loads once, before any script: what the scripts call. */
    private readonly prelude: string,
    private readonly become?: BecomeSpec,
    /** Who this shell is, in -vvv/-vvvv output. */
    private readonly label = '',
    /** This shell holds the run's lock on the host (the first shell of a run on it). */
    private readonly lock?: HostLock,
    /** How long sudo/su may take to let the shell start. */
    private readonly becomeTimeoutMs = 30_000,
  ) {}

  /** The agent, through sudo/su when it must run as another user than the login user (become.ts). */
  private open(): Promise<Channel> {
    const argv = ['bash', '-c', agent(this.prelude, this.lock)];
    const b = this.become;
    if (!b || b.user === this.t.user) return this.t.open(argv);
    const cmd = becomeCommand(argv, b);
    vlog(
      3,
      `<${this.label}> become: ${cmd.argv.slice(0, b.method === 'su' ? -1 : cmd.argv.indexOf('/bin/sh')).join(' ')} ... (the remote shell, BECOME-SUCCESS marker)`,
    );
    return this.t.open(cmd.argv).then((c) => becomeChannel(c, b, cmd, this.becomeTimeoutMs));
  }

  private start(): Promise<Channel> {
    const gen = this.gen;
    this.starting ??= this.open().then((c) => {
      vlog(4, `<${this.label}> remote shell started${this.become ? ` as ${this.become.user}` : ''}`);
      c.onData((d) => gen === this.gen && this.onData(d));
      c.onStderr((d) => (this.agentErr = (this.agentErr + withoutJobNotices(d.toString())).slice(-2000)));
      c.onClose((why) => gen === this.gen && this.onClose(why ?? 'the remote shell ended'));
      this.chan = c;
      return c;
    });
    return this.starting;
  }

  /** Runs one script; scripts of one shell run one after another. */
  async run(script: string, timeoutMs?: number, secret?: { head: string; shown: string }): Promise<ExecResult> {
    if (this.busy) await new Promise<void>((r) => this.queue.push(r));
    this.busy = true;
    try {
      if (this.dead) throw new UnreachableError(this.dead);
      const chan = await this.start();
      // `secret.head` (a task's environment) runs first and is never shown: -vvv says what it is
      const body = Buffer.from(secret ? secret.head + script : script);
      const id = this.nextId++;
      if (verbosity.level >= 3)
        vlog(
          3,
          `<${this.label}> script ${id} (${body.length} bytes):\n${this.hideScripts ? '  (hidden: no_log)' : `${secret ? `# (${secret.shown})\n` : ''}${script}`}`,
        );
      const t0 = performance.now();
      return await new Promise<ExecResult>((resolve, reject) => {
        this.pending = { id, resolve, reject, t0 };
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
        vlog(
          4,
          `<${this.label}> script ${id}: rc ${rc}, ${stdout.length} bytes out, ${stderr.length} bytes err, ${Math.round(performance.now() - p.t0)} ms`,
        );
        p.resolve({ rc, stdout, stderr });
      }
    }
  }

  private onClose(why: string): void {
    vlog(4, `<${this.label}> remote shell closed: ${why}${this.agentErr ? `: ${this.agentErr.trim()}` : ''}`);
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
    // a script still running is ended on the host (the agent hears ABORT, its janitor cleans up)
    this.chan?.write('ABORT\n');
    this.chan?.close();
    this.chan = undefined;
    this.starting = undefined;
    this.buf = Buffer.alloc(0);
  }

  /**
   * Ends the agent. An idle one is told to exit (its EXIT trap removes its temp dir); a busy one is
   * dropped, and the host's janitor ends its script and cleans up after it.
   */
  close(): void {
    if (this.chan && !this.busy) {
      const chan = this.chan;
      this.gen++;
      this.chan = undefined;
      this.starting = undefined;
      chan.write('EXIT\n');
      return;
    }
    this.reset();
  }
}
