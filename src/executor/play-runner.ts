import type { Inventory, Vars } from '../inventory/types.js';
import { matchHosts } from '../inventory/patterns.js';
import { Scope } from '../playbook/scope.js';
import { ansibleVars } from '../facts/ansible.js';
import { isTemplate, renderValue } from '../playbook/template.js';
import type { Play, Playbook, Task } from '../playbook/types.js';
import { errorMessage } from '../util/errors.js';
import { mapLimit } from '../util/semaphore.js';
import { UnreachableError, type Transport } from '../transport/types.js';
import type { RemoteShell } from '../transport/remote-shell.js';
import { batches } from './batches.js';
import { LinearGate } from './linear-gate.js';
import { Semaphore } from '../util/semaphore.js';
import { DEFAULT_LOCK_TIMEOUT_S, runLock, type HostLock } from '../transport/host-lock.js';
import { connectionSpec, makeTransport } from './connection.js';
import { shellFor, type HostContext } from './host-context.js';
import { selectedByTags } from './tags.js';
import { startIndex } from './start-at-task.js';
import { registered, runTask, type Prefetched, type ReadAfter, type TaskResult } from './task-runner.js';
import { itemReports } from './loop.js';
import { maySkip, planAhead, prefetch, readAhead } from './prefetch.js';
import { libsOf } from './prelude.js';
import type { ShellLib } from '../module/types.js';
import { failedTaskVars, NO_EXTRA, walk, type IncludeExtra } from './block.js';
import { runInclude } from './include.js';
import { ownScope, taskScope, type ScopeParts } from './task-scope.js';
import { hostVarsWith } from '../playbook/vars-dirs.js';
import { keepModuleFacts, moduleFactVars } from './module-facts.js';
import { censorArgs, secretArgs } from '../module/no-log-args.js';
import { BECOME_VARS, becomeFor, becomeKey, type BecomeKeywords } from './become.js';
import type { BecomeSpec } from '../transport/become.js';
import { verbosity, vlog } from '../util/verbose.js';
import { evaluate, truthy } from '../playbook/expr.js';
import { META_ACTIONS } from '../module/meta.js';
import { newBatch, type BatchState } from './once.js';
import { Delegates, delegateTarget } from './delegate.js';
import { exportHead, taskEnvironment, withHead } from './environment.js';
import { RunOnce, runOnceMakesLinear, type Claim, type OnceResult } from './run-once.js';
import { throttleLimit, Throttles } from './throttle.js';
import {
  NO_LOG_MSG,
  type HostStats,
  type HostTaskReport,
  type Reporter,
  type RunOptions,
  type Slot,
  type Status,
} from './types.js';

/**
 * Runs a playbook: plays in order; in each play, serial batches in order; in a batch, hosts in
 * parallel up to --forks, each running its tasks in order on its one connection; handlers at the
 * end of each batch (or at `meta: flush_handlers`).
 *
 * Two strategies, as Ansible's: `free` lets each host run ahead and a failed host stops alone (the
 * fastest; the default when nothing asks for more); `linear` (the default when the play sets
 * max_fail_percentage or any_errors_fatal, or `strategy: linear`) moves the batch one task at a
 * time, and once the batch is past its failure threshold no host of it starts another task, later
 * batches and plays never start, and the recap says which hosts were stopped and why.
 */
export class PlaybookRunner {
  readonly stats = new Map<string, HostStats>();
  private readonly hosts = new Map<string, HostContext>();
  private interrupted = false;
  /** Per host, the register names that hold a no_log task's result (see censored()). */
  private readonly secretRegisters = new Map<string, Set<string>>();
  /** Hosts a failure rule stopped (or never started), and why: for the recap. */
  readonly stopped = new Map<string, string>();
  /** Where each failed host failed (task name), for the stop message. */
  private readonly failedAt = new Map<string, string>();
  /** A batch went past its failure rule: nothing more runs (Ansible's RUN_FAILED_BREAK_PLAY). */
  private broken = false;
  /** Each host's last task result (a rescue section reads it as ansible_failed_result). */
  private readonly lastResult = new Map<string, Vars>();
  /** Hosts whose failures `meta: clear_host_errors` forgave: they count in no exit code (exitCode()). */
  readonly forgiven = new Set<string>();
  /** This run's identity on the hosts' locks. */
  private readonly lock: HostLock = runLock();
  /** Connections of delegate_to hosts (delegate.ts). */
  private readonly delegates: Delegates;
  /** throttle: per task, how many hosts run it at once. */
  private readonly throttles = new Throttles();
  /** Hosts whose failure came from a run_once task that failed on another host (rescued() leaves the recap alone). */
  private readonly onceFailed = new Set<string>();
  /** run_once tasks in a free play already warned about. */
  private readonly onceWarned = new Set<Task>();

  constructor(
    private readonly pb: Playbook,
    private inv: Inventory,
    private readonly opts: RunOptions,
    private readonly reporter: Reporter,
    private readonly limit?: string,
  ) {
    this.delegates = new Delegates({
      inv,
      baseVars: opts.baseVars,
      extraVars: opts.extraVars,
      sshConfig: opts.sshConfig,
      connectTimeoutMs: opts.connectTimeoutMs,
      hostVars: (h) => hostVarsWith(inv, h, pb.varsDirs?.get(pb.dir)),
      libs: () => libsOf(pb.plays.flatMap((p) => [...p.tasks, ...p.handlers]).map((t) => t.def)),
    });
  }

  /** Stops after the tasks that are running now (SIGINT/SIGTERM). */
  interrupt(): void {
    this.interrupted = true;
  }

  /** The play's host pattern; a template (`hosts: "{{ target }}"`) is rendered from -e, play vars and defaults. */
  pattern(play: Play): string {
    if (!isTemplate(play.hosts)) return play.hosts;
    return String(
      renderValue(play.hosts, new Scope({ ...this.pb.defaults, ...play.vars, ...this.opts.extraVars }, {})),
    );
  }

  /** The hosts a play runs on: its pattern, --limit, minus hosts that failed in earlier plays. */
  playHosts(play: Play): string[] {
    let hosts = matchHosts(this.inv, this.pattern(play)).hosts;
    if (this.limit) {
      const allowed = new Set(matchHosts(this.inv, this.limit).hosts);
      hosts = hosts.filter((h) => allowed.has(h));
    }
    return hosts.filter((h) => !this.hosts.get(h)?.out && !this.stopped.has(h));
  }

  /** Whether the play moves its batches task by task (see the class comment). */
  static linear(play: Play): boolean {
    if (play.strategy) return play.strategy === 'linear';
    // a task run once for the batch (pause, meta: end_play, run_once, ...) needs every host to have reached it
    const once = (t: Task): boolean => !!t.def.once || (!!t.meta && META_ACTIONS[t.meta].once);
    return (
      play.maxFailPercentage !== undefined || play.anyErrorsFatal || play.tasks.some(once) || runOnceMakesLinear(play)
    );
  }

  async run(): Promise<Map<string, HostStats>> {
    try {
      let started = !this.opts.startAtTask;
      for (const play of this.pb.plays) {
        if (this.interrupted || this.broken) break;
        // --start-at-task: the plays before the one holding the task do not run
        const from = started ? 0 : startIndex(play, this.opts.startAtTask!);
        if (from < 0) continue;
        started = true;
        await this.runPlay(play, from);
      }
    } finally {
      for (const hc of this.hosts.values()) {
        for (const s of hc.shells?.values() ?? []) s.close();
        hc.transport?.close();
      }
      this.delegates.close();
      this.reporter.end(this.stats, this.stopped);
    }
    return this.stats;
  }

  private ctx(name: string): HostContext {
    let hc = this.hosts.get(name);
    if (!hc) {
      hc = { host: this.inv.hosts.get(name)!, registered: {}, libs: this.libsFor(name) };
      this.hosts.set(name, hc);
      this.stats.set(name, { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 });
    }
    return hc;
  }

  private playHostSets?: Array<{ play: Play; hosts?: Set<string> }>;

  /**
   * The modules' shell functions a host's remote shells load once: those of the modules in the
   * plays that match it (a play whose pattern cannot be worked out yet counts for every host). A
   * task that still needs another (a file included at run time) carries it in its own script.
   */
  libsFor(host: string): ShellLib[] {
    this.playHostSets ??= this.pb.plays.map((play) => {
      try {
        return { play, hosts: new Set(matchHosts(this.inv, this.pattern(play)).hosts) };
      } catch {
        return { play };
      }
    });
    const plays = this.playHostSets.filter((p) => !p.hosts || p.hosts.has(host)).map((p) => p.play);
    return libsOf(plays.flatMap((p) => [...p.tasks, ...p.handlers]).map((t) => t.def));
  }

  private async runPlay(play: Play, from = 0): Promise<void> {
    let hosts: string[];
    try {
      hosts = this.playHosts(play);
    } catch (e) {
      this.reporter.playStart(play.name, []);
      this.reporter.warn(`play "${play.name}": hosts: ${errorMessage(e)}`);
      return;
    }
    this.reporter.playStart(play.name, hosts);
    if (!hosts.length) {
      this.reporter.warn(
        `play "${play.name}": no hosts matched "${this.pattern(play)}"${this.limit ? ` with --limit ${this.limit}` : ''}`,
      );
      return;
    }
    const fatal = { hit: false };
    let serial: Array<number | string>;
    try {
      serial = play.serial.length ? this.serialOf(play, hosts) : [];
    } catch (e) {
      this.reporter.warn(`play "${play.name}": serial: ${errorMessage(e)}`);
      for (const h of hosts) {
        this.ctx(h).out = 'failed';
        this.stats.get(h)!.failed++;
      }
      return;
    }
    const all = batches(hosts, serial);
    const linear = PlaybookRunner.linear(play);
    for (const [k, batch] of all.entries()) {
      if (this.interrupted) break;
      if (fatal.hit || this.broken) {
        for (const h of all.slice(k).flat())
          this.stop(
            h,
            this.broken ? 'not started: the rollout stopped at an earlier batch' : 'not started: any_errors_fatal',
          );
        break;
      }
      this.reporter.batchStart(batch, k + 1, all.length);
      const rule = (): string | undefined => this.failureRule(play, batch);
      const state = newBatch(batch);
      if (linear) {
        const gate = new LinearGate(batch, rule);
        const forks = new Semaphore(this.opts.forks);
        const once = new RunOnce(batch, (h) => !this.hosts.get(h)?.out && !this.stopped.has(h));
        await Promise.all(batch.map((h) => this.runHost(play, this.ctx(h), fatal, from, state, { gate, forks, once })));
        // a run_once task that failed fails the whole batch and ends the play (linear.py: any_errors_fatal)
        if (batch.some((h) => this.onceFailed.has(h))) this.broken = true;
        if (gate.stopped) this.broken = true;
      } else {
        await mapLimit(batch, this.opts.forks, (h) => this.runHost(play, this.ctx(h), fatal, from, state));
      }
      // meta: end_play: no later batch of the play starts (nobody failed)
      if (state.ended === 'play') break;
      await this.reporter.settle?.();
      const failed = batch.filter((h) => this.hosts.get(h)?.out).length;
      if (play.anyErrorsFatal && failed) fatal.hit = true;
      const why = rule();
      if (why) {
        this.reporter.warn(`play "${play.name}": batch ${k + 1}/${all.length}: ${why}: stopping the rollout`);
        this.broken = true;
      } else if (failed === batch.length && all.length > 1) {
        // as Ansible: a batch in which every host failed ends the play
        this.reporter.warn(
          `play "${play.name}": every host of batch ${k + 1}/${all.length} failed: stopping the rollout`,
        );
        this.broken = true;
      }
    }
  }

  /** A reason to stop the batch now (any_errors_fatal, max_fail_percentage), or undefined. */
  private failureRule(play: Play, batch: string[]): string | undefined {
    const failed = batch.filter((h) => this.hosts.get(h)?.out);
    if (!failed.length) return undefined;
    const where = failed.map((h) => `${h} at "${this.failedAt.get(h) ?? '?'}"`).join(', ');
    if (play.anyErrorsFatal) return `any_errors_fatal: ${where} failed`;
    if (play.maxFailPercentage !== undefined && (failed.length * 100) / batch.length > play.maxFailPercentage) {
      return `${failed.length} of ${batch.length} hosts failed (${where}), more than max_fail_percentage ${play.maxFailPercentage}%`;
    }
    return undefined;
  }

  private stop(host: string, why: string): void {
    if (!this.stopped.has(host) && !this.hosts.get(host)?.out) this.stopped.set(host, why);
  }

  /**
   * `serial` may be a template over the playbook defaults, inventory vars that every host of the
   * play shares (group_vars of the play's group), play vars and -e: what is the same for the play.
   */
  private serialOf(play: Play, hosts: string[]): Array<number | string> {
    const out: Array<number | string> = [];
    const shared: Vars = {};
    const first = this.inv.hosts.get(hosts[0])!.vars;
    for (const [k, v] of Object.entries(first)) {
      const j = JSON.stringify(v);
      if (hosts.every((h) => JSON.stringify(this.inv.hosts.get(h)!.vars[k]) === j)) shared[k] = v;
    }
    const scope = new Scope({ ...this.pb.defaults, ...shared, ...play.vars, ...this.opts.extraVars }, {});
    for (const s of play.serial) {
      const v = typeof s === 'string' ? renderValue(s, scope) : s;
      for (const x of Array.isArray(v) ? v : [v]) {
        if (typeof x === 'number' || (typeof x === 'string' && /^\d+%?$/.test(x.trim())))
          out.push(typeof x === 'string' && !x.includes('%') ? Number(x) : x);
        else throw new Error(`"${String(x)}" is neither a number nor a percentage`);
      }
    }
    return out;
  }

  private hostvarsView?: Vars;
  private groupsView?: Vars;

  /**
   * `hostvars`, one object for the whole run: each host's entry is computed when a template reads
   * it (its inventory vars and, once gathered, its facts), so no host pays for every other host.
   */
  private hostvars(): Vars {
    if (this.hostvarsView) return this.hostvarsView;
    const view: Vars = {};
    for (const [n, h] of this.inv.hosts) {
      Object.defineProperty(view, n, {
        enumerable: true,
        get: () => {
          const hc = this.hosts.get(n);
          const facts = hc?.facts;
          const vars = hostVarsWith(this.inv, this.inv.hosts.get(n) ?? h, this.pb.varsDirs?.get(this.pb.dir));
          const withFacts = facts ? { ...vars, ...ansibleVars(facts.ansible), facts } : vars;
          // registered results and set_fact vars too, above inventory vars and facts (as Ansible's hostvars)
          return { ...withFacts, ...moduleFactVars(withFacts.ansible_facts, hc?.moduleFacts), ...hc?.registered };
        },
      });
    }
    this.hostvarsView = view;
    return view;
  }

  /** The layers of a host's variables (task-scope.ts). */
  private scopeParts(play: Play, hc: HostContext): ScopeParts {
    const inv = this.inv;
    const hostvars = this.hostvars();
    const magic: Vars = {
      inventory_hostname: hc.host.name,
      group_names: hc.host.groups.filter((g) => g !== 'ungrouped'),
      groups: (this.groupsView ??= Object.fromEntries(inv.groups)),
      hostvars,
      playbook_dir: this.pb.dir,
      ansible_check_mode: this.opts.check,
    };
    if (hc.facts) Object.assign(magic, ansibleVars(hc.facts.ansible), { facts: hc.facts });
    Object.assign(magic, moduleFactVars(magic.ansible_facts, hc.moduleFacts));
    // set_fact's cacheable vars are facts too
    if (hc.cachedFacts) magic.ansible_facts = { ...(magic.ansible_facts as Vars | undefined), ...hc.cachedFacts };
    const hostVars = hostVarsWith(this.inv, hc.host, this.pb.varsDirs?.get(play.dir ?? this.pb.dir));
    return { base: this.scopeBase(), hostVars, extraVars: this.opts.extraVars, magic, registered: hc.registered };
  }

  private hostScope(play: Play, hc: HostContext, task?: Task, extra?: IncludeExtra): Scope {
    return taskScope(play, this.scopeParts(play, hc), task, extra);
  }

  /** -b, --become-user, -K and the config's [privilege_escalation]: below play and task keywords (become.ts). */
  private becomeBase(): Vars {
    return Object.fromEntries(Object.entries(this.opts.baseVars ?? {}).filter(([k]) => BECOME_VARS.includes(k)));
  }

  /** The other CLI/config settings (-u, --private-key, ...): host variables of the lowest precedence. */
  private scopeBase(): Vars {
    return Object.fromEntries(Object.entries(this.opts.baseVars ?? {}).filter(([k]) => !BECOME_VARS.includes(k)));
  }

  private async runHost(
    play: Play,
    hc: HostContext,
    fatal: { hit: boolean },
    from: number,
    batch: BatchState,
    linear?: { gate: LinearGate; forks: Semaphore; once: RunOnce },
  ): Promise<void> {
    const name = hc.host.name;
    // linear: wait for the batch before each task; forks caps the tasks in flight, not the hosts
    const next = async (ahead?: () => Promise<void>): Promise<boolean> => {
      if (batch.ended) return false;
      if (!linear) return !this.interrupted && !fatal.hit;
      linear.once.passed(name);
      // while the batch finishes its task, read what this host's next task reads (prefetch.ts readAhead)
      const reading = ahead?.();
      const go = await linear.gate.arrive(name);
      await reading;
      // a host released at another task (a rescue path) while a meta action ended the batch stops too
      if (go) return !this.interrupted && !batch.ended;
      this.stop(name, `stopped before its next task: ${linear.gate.stopped}`);
      return false;
    };
    const run = this.hostRun(play, hc, batch, linear?.forks);
    run.once = linear?.once;
    try {
      if (!(await this.readAhead(run, from))) return;
      const outcome = await this.walkTasks(run, from, next);
      if (outcome === 'failed' && this.onceFailed.has(name)) this.stop(name, 'a run_once task failed');
      if (outcome !== 'done') {
        if (outcome === 'failed' && play.anyErrorsFatal) fatal.hit = true;
        return;
      }
      if (await next()) await this.runHandlers(run, play.tasks.length);
    } finally {
      linear?.once.passed(name);
      linear?.gate.leave(name);
      this.reporter.hostDone(name);
    }
  }

  /** The task tree of a play on one host: blocks, rescue/always and dynamic includes (block.ts). */
  private walkTasks(
    run: HostRun,
    from: number,
    next: (ahead?: () => Promise<void>) => Promise<boolean>,
  ): ReturnType<typeof walk> {
    const { play, hc } = run;
    const name = hc.host.name;
    const scopeOf = (task: Task, extra: IncludeExtra): Scope =>
      ownScope(task, extra) ? this.hostScope(play, hc, task, extra) : run.scope;
    return walk(
      play.tasks,
      from,
      {
        selected: (t) => selectedByTags(t.tags, this.opts.tags, this.opts.skipTags),
        next: (task, extra) => next(task && (() => this.readAheadFor(run, task, scopeOf(task, extra ?? NO_EXTRA)))),
        run: async (task, order, extra, following) => {
          const tslot: Slot = { order, name: task.name, module: task.module, kind: 'task' };
          if (task.meta) return this.meta(run, task, tslot, scopeOf(task, extra), following);
          const scope = scopeOf(task, extra);
          const once = await this.runOnce(run, task, scope);
          if (once && !once.run) return this.tookOnce(run, task, once.result);
          // a module run once for the batch (pause): the first host runs it, the others wait for it
          const turn = task.def.once ? await run.batch.once.reach(task, name) : undefined;
          if (turn && !turn.first) return 'ok';
          const facts = hc.moduleFacts;
          let ok: boolean;
          try {
            // throttle first, then the fork slot: a host never holds a fork while it waits for the task
            const limit = once ? 0 : this.throttleOf(task, scope);
            const ahead = !once && !turn ? this.readAfter(run, task, following, scope) : undefined;
            ok = await this.throttles.run(task, limit, () => run.slot(() => this.step(run, task, tslot, scope, ahead)));
          } finally {
            turn?.done();
            once?.done({ runner: name, registered: this.lastResult.get(name) ?? {}, ok: !hc.out });
          }
          if (task.register || !ok || hc.moduleFacts !== facts) run.scope = this.hostScope(play, hc);
          return ok ? 'ok' : hc.out === 'unreachable' ? 'stop' : 'failed';
        },
        include: async (task, order, extra) => {
          const r = await runInclude(
            task,
            { order, extra, scope: scopeOf(task, extra), playbookDir: this.pb.dir },
            (slot, report) => this.count(name, { ...slot, kind: 'task' }, report),
          );
          if (r === 'failed') {
            hc.out = 'failed';
            this.failedAt.set(name, task.name);
          }
          return r;
        },
        rescued: (task) => {
          // Ansible's StrategyBase: a failure a rescue section catches counts rescued, not failed
          // (a host that failed with another host's run_once task counted nothing)
          const st = this.stats.get(name)!;
          if (!this.onceFailed.delete(name)) {
            st.failed--;
            st.rescued++;
          }
          hc.out = undefined;
          this.failedAt.delete(name);
          hc.registered.ansible_failed_task = failedTaskVars(task);
          hc.registered.ansible_failed_result = this.lastResult.get(name) ?? {};
          run.scope = this.hostScope(play, hc);
        },
        roles: { ran: new Set(), completed: new Set() },
      },
      NO_EXTRA,
      (i) => i,
    );
  }

  /** What one host's tasks in one play share: see HostRun. */
  private hostRun(play: Play, hc: HostContext, batch: BatchState, forks?: Semaphore): HostRun {
    const scope = this.hostScope(play, hc);
    // lbprov_lock_timeout (seconds, default 60) may differ per host
    hc.lock ??= {
      ...this.lock,
      timeoutS: scope.has('lbprov_lock_timeout')
        ? Number(renderValue(scope.get('lbprov_lock_timeout'), scope))
        : DEFAULT_LOCK_TIMEOUT_S,
    };
    const run: HostRun = {
      play,
      hc,
      scope,
      once: undefined,
      notified: new Set(),
      batch,
      slot: (job) => (forks ? forks.run(job) : job()),
      transport: async () => {
        if (!hc.transport) {
          const vars = renderValue(pickConnVars({ ...this.opts.baseVars, ...hc.host.vars }), run.scope) as Vars;
          const spec = connectionSpec(
            hc.host,
            { ...vars, ...pickConnVars(this.opts.extraVars) },
            this.inv,
            this.opts.sshConfig,
          );
          vlog(
            2,
            `<${hc.host.name}> connection: ${spec.kind} ${spec.user}@${spec.address}:${spec.port}${spec.keyFile ? ` key ${spec.keyFile}` : ''} host keys ${spec.checking}`,
          );
          hc.transport = makeTransport(spec, this.opts.connectTimeoutMs);
        }
        await hc.transport.connect();
        return hc.transport;
      },
    };
    return run;
  }

  /**
   * Who a task runs as (become.ts); a template that cannot be rendered fails the task that needs
   * it. A task's vars may set ansible_become_password, _user, ... for that task alone.
   */
  private becomeOf(run: HostRun, t: BecomeKeywords & { vars?: Vars }, base: Scope = run.scope): BecomeSpec | undefined {
    const scope = t.vars && Object.keys(t.vars).length ? base.child(t.vars) : base;
    return becomeFor(t, run.play, scope, this.becomeBase());
  }

  private becomeKeyOf(run: HostRun, t: BecomeKeywords & { vars?: Vars }): string {
    try {
      return becomeKey(this.becomeOf(run, t));
    } catch {
      return '?';
    }
  }

  private timeoutMs(t?: Task): number {
    return (t?.timeout ?? this.opts.commandTimeoutS) * 1000;
  }

  /**
   * Reads ahead for the tasks that run as the play's default user (one remote shell), with the
   * facts in the same round trip when they are still to be gathered. False: the facts could not
   * be gathered and the host is out.
   */
  private async readAhead(run: HostRun, from: number): Promise<boolean> {
    const { play, hc } = run;
    const name = hc.host.name;
    const base = this.becomeKeyOf(run, {});
    const selected = play.tasks.filter(
      (t, i) =>
        i >= from &&
        selectedByTags(t.tags, this.opts.tags, this.opts.skipTags) &&
        this.becomeKeyOf(run, t) === base &&
        readsOnItsHost(t),
    );
    const wantFacts = play.gatherFacts && !hc.facts;
    if (!wantFacts && selected.length <= 1) return true;
    const fslot: Slot = { order: -1, name: 'Gathering Facts', module: 'facts', kind: 'facts' };
    if (wantFacts) this.reporter.taskStart(fslot, name);
    const t0 = performance.now();
    try {
      const shell = async (): Promise<RemoteShell> =>
        hidden(
          shellFor(hc, await run.transport(), this.becomeOf(run, {})),
          selected.some((t) => t.noLog),
        );
      const r = await run.slot(() =>
        prefetch(
          selected,
          run.scope,
          { hc, check: this.opts.check, playbookDir: this.pb.dir, timeoutMs: this.timeoutMs(), shell },
          wantFacts,
        ),
      );
      run.prefetched = r.prefetched;
      if (r.facts) {
        hc.facts = r.facts;
        run.scope = this.hostScope(play, hc);
        this.count(name, fslot, { status: 'ok', ms: Math.round(performance.now() - t0) });
      }
    } catch (e) {
      if (wantFacts) {
        this.count(name, fslot, {
          status: e instanceof UnreachableError ? 'unreachable' : 'failed',
          msg: errorMessage(e),
        });
        hc.out = e instanceof UnreachableError ? 'unreachable' : 'failed';
        this.failedAt.set(name, fslot.name);
        return false;
      }
      // reading ahead is an optimisation: each task reads for itself (and reports what is wrong)
    }
    return true;
  }

  /** Reads what `task` will read now, when nothing read before is good for it (prefetch.ts readAhead). */
  private async readAheadFor(run: HostRun, task: Task, scope: Scope): Promise<void> {
    const { hc, prefetched } = run;
    if (!prefetched || this.opts.check) return;
    const shell = async (): Promise<RemoteShell> =>
      hidden(shellFor(hc, await run.transport(), this.becomeOf(run, task, scope)), this.censored(task, hc.host.name));
    const playbookDir = task.dir && task.dir !== this.pb.dir ? [task.dir, this.pb.dir] : this.pb.dir;
    const env = { hc, check: false, playbookDir, timeoutMs: this.timeoutMs(task), shell };
    await run.slot(() => readAhead(task, scope, env, prefetched));
  }

  /** The notified handlers, in the play's order (at the end, or at `meta: flush_handlers`); false when the host must stop. */
  private async runHandlers(run: HostRun, order: number, following: readonly Task[] = []): Promise<boolean> {
    const { play } = run;
    let k = 0;
    for (const h of play.handlers) {
      k++;
      if (!this.notified(h, run.notified)) continue;
      const hslot: Slot = {
        order: order + k / (play.handlers.length + 1),
        name: h.name,
        module: h.module,
        kind: 'handler',
      };
      const scope = this.handlerScope(run, h);
      // what may run next: later handlers notified by now (or by this one), then the tasks after the flush
      const notified = new Set([...run.notified, ...h.notify]);
      const next = [...play.handlers.slice(k).filter((n) => this.notified(n, notified)), ...following];
      const ahead = this.readAfter(run, h, next, scope);
      if (!(await run.slot(() => this.step(run, h, hslot, scope, ahead)))) return false;
      run.scope = this.hostScope(play, run.hc);
    }
    run.notified.clear();
    return true;
  }

  /**
   * A `meta:` task on one host, as Ansible's StrategyBase._execute_meta (the actions: meta.ts).
   * Only a skipped one is reported, and none is counted: Ansible's meta results never reach the
   * stats. An action run once for the batch is decided by the batch's first host; the others wait
   * for it and take up what it left (facts cleared, the inventory read again, the batch ended).
   */
  private async meta(
    run: HostRun,
    task: Task,
    slot: Slot,
    scope: Scope,
    following: readonly Task[] = [],
  ): Promise<'ok' | 'failed' | 'stop'> {
    const action = task.meta!;
    const spec = META_ACTIONS[action];
    const { play, hc } = run;
    const name = hc.host.name;
    const turn = spec.once ? await run.batch.once.reach(task, name) : undefined;
    if (turn && !turn.first) {
      run.scope = this.hostScope(play, hc);
      return run.batch.ended ? 'stop' : 'ok';
    }
    try {
      if (task.when !== undefined) {
        if (!spec.when) this.reporter.warn(`${action} task does not support when conditional`);
        else {
          let holds: boolean;
          try {
            holds = truthy(evaluate(task.when, scope));
          } catch (e) {
            this.reporter.taskStart(slot, name);
            this.count(name, slot, { status: 'failed', msg: errorMessage(e) });
            hc.out = 'failed';
            this.failedAt.set(name, slot.name);
            return 'failed';
          }
          if (!holds) {
            this.reporter.taskStart(slot, name);
            this.reporter.taskDone(slot, name, { status: 'skipped', msg: `${action} conditional evaluated to False` });
            return 'ok';
          }
        }
      }
      const playHosts = (): HostContext[] => {
        try {
          const names = matchHosts(this.inv, this.pattern(play)).hosts;
          return names.flatMap((h) => this.hosts.get(h) ?? []);
        } catch {
          return [hc];
        }
      };
      switch (action) {
        case 'flush_handlers':
          return (await this.runHandlers(run, slot.order, following)) ? 'ok' : 'stop';
        case 'end_host':
          return 'stop';
        case 'end_batch':
        case 'end_play':
          run.batch.ended = action === 'end_play' ? 'play' : 'batch';
          return 'stop';
        case 'clear_facts':
          for (const h of playHosts()) {
            h.facts = undefined;
            h.cachedFacts = undefined;
            h.moduleFacts = undefined;
          }
          break;
        case 'clear_host_errors':
          for (const h of playHosts()) {
            const n = h.host.name;
            const st = this.stats.get(n);
            if (h.out || this.stopped.has(n) || st?.failed || st?.unreachable) this.forgiven.add(n);
            h.out = undefined;
            this.stopped.delete(n);
            this.failedAt.delete(n);
          }
          break;
        case 'refresh_inventory':
          if (this.opts.reloadInventory) {
            this.inv = this.opts.reloadInventory();
            this.hostvarsView = this.groupsView = this.playHostSets = undefined;
            for (const h of this.hosts.values()) h.host = this.inv.hosts.get(h.host.name) ?? h.host;
          }
          break;
        default:
          break;
      }
      run.scope = this.hostScope(play, hc);
      return 'ok';
    } finally {
      turn?.done();
    }
  }

  /** Whether a handler is notified, by its name or a topic it listens to. */
  private notified(h: Task, names: ReadonlySet<string>): boolean {
    return [h.name, ...h.listen].some((n) => names.has(n));
  }

  private handlerScope(run: HostRun, h: Task): Scope {
    return h.role ? this.hostScope(run.play, run.hc, h) : run.scope;
  }

  /**
   * What the next task to run will read, to be read in `task`'s change (TaskEnv.readAfter): the
   * first of `candidates` (the tasks that may follow, block.ts) that its `when` will not skip
   * (prefetch.ts maySkip), a flush_handlers standing for the handlers it will run; when that one
   * reads as `task` does: one remote shell (become user, no delegate, no environment), nothing
   * hidden (no_log), one change (no loop, no until). Planned when the change is sent, with what
   * the task registers left out (prefetch.ts planAhead); the reads are taken only when the task
   * they were read for runs next, with the same arguments, on a host not changed since.
   */
  private readAfter(
    run: HostRun,
    task: Task,
    candidates: readonly Task[],
    scope: Scope,
  ): (() => ReadAfter | undefined) | undefined {
    const { hc, play } = run;
    if (!run.prefetched || this.opts.check || task.loop !== undefined || task.until !== undefined) return undefined;
    const plain = (t: Task): boolean => readsOnItsHost(t) && !this.censored(t, hc.host.name);
    if (!plain(task) || !candidates.length) return undefined;
    return () => {
      const notified = new Set([...run.notified, ...task.notify]);
      const queue = [...candidates];
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (next.meta === 'flush_handlers') {
          queue.unshift(...play.handlers.filter((h) => this.notified(h, notified)));
          continue;
        }
        const s = play.handlers.includes(next) ? this.handlerScope(run, next) : scope;
        if (maySkip(next, s, task.register)) continue;
        if (!plain(next) || this.becomeKeyOf(run, task) !== this.becomeKeyOf(run, next)) return undefined;
        const playbookDir = next.dir && next.dir !== this.pb.dir ? [next.dir, this.pb.dir] : this.pb.dir;
        return planAhead(next, s, { hc, check: false, playbookDir }, task.register);
      }
      return undefined;
    };
  }

  /** Runs one task and reports it; false when the host must stop. */
  private async step(
    run: HostRun,
    task: Task,
    slot: Slot,
    scope: Scope = run.scope,
    readAfter?: () => ReadAfter | undefined,
  ): Promise<boolean> {
    const { hc } = run;
    const name = hc.host.name;
    this.reporter.taskStart(slot, name);
    const t0 = performance.now();
    const noLog = this.censored(task, name);
    if (verbosity.level >= 1)
      vlog(1, `<${name}> TASK [${task.name}] ${noLog ? '(arguments hidden: no_log)' : describeArgs(task, scope)}`);
    const delegated = new Set<string>();
    // a secret argument (a password hash) is in the task's scripts: -vvv shows them by size only
    const secret = noLog || secretArgs(task.def.schema, task.args).length > 0;
    // per loop item: delegate_to and environment may use {{ item }}
    const shell = async (s: Scope = scope): Promise<RemoteShell> => {
      const to = delegateTarget(task, s);
      let sh: RemoteShell;
      if (to === undefined) sh = shellFor(hc, await run.transport(), this.becomeOf(run, task, s));
      else {
        delegated.add(to);
        // the delegate's connection and become settings, the delegating host's variables
        const d = to === name ? { hc, transport: await run.transport() } : await this.delegates.context(to);
        sh = shellFor(d.hc, d.transport, this.becomeOf(run, task, s.child(this.delegates.becomeVars(to))));
      }
      const env = taskEnvironment(task.exec?.environment, s);
      const n = Object.keys(env).length;
      return withHead(
        hidden(sh, secret),
        exportHead(env),
        `environment: ${n} variable${n === 1 ? '' : 's'}, not shown`,
      );
    };
    // a role's task looks for its files in the role first (task.dir), then beside the playbook
    const playbookDir = task.dir && task.dir !== this.pb.dir ? [task.dir, this.pb.dir] : this.pb.dir;
    const r: TaskResult = await runTask(task, {
      hc,
      shell,
      scope,
      check: this.opts.check,
      timeoutMs: this.timeoutMs(task),
      playbookDir,
      prefetched: run.prefetched,
      extraVars: this.opts.extraVars,
      readAfter,
    });
    this.lastResult.set(name, registered(r));
    keepModuleFacts(hc, r);
    if (task.register) this.register(hc, task.register, r, noLog);
    if (r.setVars) {
      // set_fact: the registered layer (Ansible's non-persistent facts), for this and later plays
      for (const [k, value] of Object.entries(r.setVars)) this.register(hc, k, { value }, noLog);
      if (r.cacheable) hc.cachedFacts = { ...hc.cachedFacts, ...r.setVars };
      run.scope = this.hostScope(run.play, hc);
    }
    // ignore_unreachable: counted ok and ignored, the host goes on (StrategyBase._process_pending_results)
    const ignored =
      (r.status === 'failed' && task.ignoreErrors) || (r.status === 'unreachable' && !!task.exec?.ignoreUnreachable);
    const diff = (task.diff ?? this.opts.diff) && !noLog ? r.diff : undefined;
    const report: HostTaskReport = {
      status: r.status,
      msg: noLog ? (r.msg === undefined ? undefined : NO_LOG_MSG) : r.msg,
      diff: diff?.length ? diff : undefined,
      ignored,
      changed: r.changed,
      warnings: r.warnings.length ? (noLog ? [NO_LOG_MSG] : r.warnings) : undefined,
      shown: task.def.showsMsg && !noLog && r.status === 'ok' ? r.msg : undefined,
      ms: Math.round(performance.now() - t0),
      items: itemReports(r, noLog, task.def.showsMsg),
      ...(delegated.size ? { delegate: [...delegated].join(', ') } : {}),
    };
    this.count(name, slot, report);
    if (r.status === 'changed') for (const n of task.notify) run.notified.add(n);
    if ((r.status === 'unreachable' || r.status === 'failed') && !ignored) {
      hc.out = r.status;
      this.failedAt.set(name, slot.name);
      return false;
    }
    return true;
  }

  /**
   * run_once: in a linear batch, the first live host runs the task and the others take its result
   * (run-once.ts); in a free play, Ansible warns and runs it on every host. Undefined: not run_once.
   */
  private async runOnce(run: HostRun, task: Task, scope: Scope): Promise<Claim | undefined> {
    const v = task.exec?.runOnce;
    if (v === undefined || v === false) return undefined;
    let on: boolean;
    try {
      on = typeof v === 'boolean' ? v : truthy(renderValue(v, scope));
    } catch {
      on = true;
    }
    if (!on) return undefined;
    if (!run.once) {
      if (!this.onceWarned.has(task)) {
        this.onceWarned.add(task);
        this.reporter.warn(
          'Using run_once with the free strategy is not currently supported. This task will still be executed for every host in the inventory list.',
        );
      }
      return undefined;
    }
    return run.once.claim(task, run.hc.host.name);
  }

  /** A host of the batch takes the result of a run_once task that another host ran. */
  private tookOnce(run: HostRun, task: Task, r: OnceResult): 'ok' | 'failed' {
    const { hc } = run;
    if (task.register) {
      this.register(hc, task.register, { registered: r.registered }, task.noLog);
      run.scope = this.hostScope(run.play, hc);
    }
    if (r.ok) return 'ok';
    this.onceFailed.add(hc.host.name);
    this.failedAt.set(hc.host.name, task.name);
    this.lastResult.set(hc.host.name, r.registered);
    return 'failed';
  }

  /** The task's throttle for this host (0: none); a value that is not a number fails like Ansible's (an error). */
  private throttleOf(task: Task, scope: Scope): number {
    const v = task.exec?.throttle;
    if (v === undefined) return 0;
    try {
      return throttleLimit(typeof v === 'string' ? renderValue(v, scope) : v);
    } catch (e) {
      this.reporter.warn(`task "${task.name}": ${errorMessage(e)}; not throttled`);
      return 0;
    }
  }

  /** `register:` the result, and remember whether it holds a no_log task's secrets (see censored()). */
  private register(
    hc: HostContext,
    as: string,
    r: TaskResult | { value: unknown } | { registered: Vars },
    noLog: boolean,
  ): void {
    hc.registered[as] = 'value' in r ? r.value : 'registered' in r ? r.registered : registered(r);
    const secrets = this.secretRegisters.get(hc.host.name) ?? new Set<string>();
    this.secretRegisters.set(hc.host.name, secrets);
    if (noLog) secrets.add(as);
    else secrets.delete(as);
  }

  /**
   * Whether a task's report is censored: it is no_log, or it uses (in its arguments, loop or
   * conditions) a result registered by a no_log task on this host, so `debug: var: r` of a secret
   * result, or a diff built from it, stays hidden (Ansible would show it).
   */
  private censored(task: Task, host: string): boolean {
    if (task.noLog) return true;
    const secrets = this.secretRegisters.get(host);
    if (!secrets?.size) return false;
    const text = JSON.stringify([task.args, task.loop, task.when, task.changedWhen, task.failedWhen, task.vars]);
    return [...secrets].some((n) =>
      new RegExp(`(^|[^A-Za-z0-9_])${n.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(text),
    );
  }

  private count(host: string, slot: Slot, report: HostTaskReport): void {
    const s = this.stats.get(host)!;
    const bump: Record<Status, () => void> = {
      ok: () => s.ok++,
      changed: () => {
        s.ok++;
        s.changed++;
      },
      skipped: () => s.skipped++,
      // an ignored failure counts ok and ignored, and changed when the result changed (Ansible's StrategyBase)
      failed: () => (report.ignored ? (s.ok++, s.ignored++, report.changed && s.changed++) : s.failed++),
      unreachable: () => (report.ignored ? (s.ok++, s.ignored++) : s.unreachable++),
    };
    bump[report.status]();
    if ((report.status === 'failed' && !report.ignored) || report.status === 'unreachable') this.forgiven.delete(host);
    this.reporter.taskDone(slot, host, report);
  }
}

/**
 * What one host's tasks in one play share: the host, the variables its templates see (renewed
 * after facts and registered results), its handlers' notifications, what was read ahead, its
 * connection (opened on first use) and, in a linear play, the fork slot a task runs in.
 */
interface HostRun {
  play: Play;
  hc: HostContext;
  batch: BatchState;
  scope: Scope;
  notified: Set<string>;
  prefetched?: Prefetched;
  /** A linear batch's run_once table (run-once.ts). */
  once: RunOnce | undefined;
  transport: () => Promise<Transport>;
  slot: <T>(job: () => Promise<T>) => Promise<T>;
}

/** -vvv: a no_log task's scripts are shown by size only. */
function hidden(s: RemoteShell, noLog: boolean): RemoteShell {
  s.hideScripts = noLog;
  return s;
}

/** -v: the task's arguments as templated for this host (what the module gets). */
function describeArgs(task: Task, scope: Scope): string {
  try {
    return JSON.stringify(censorArgs(task.def.schema, renderValue(task.args, scope)));
  } catch (e) {
    return `(arguments: ${errorMessage(e)})`;
  }
}

function pickConnVars(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('ansible_') || k.startsWith('lbprov_')));
}

/**
 * ansible-playbook's exit codes: 0 fine, 2 a host failed, 4 a host was unreachable, 6 both. Hosts
 * stopped by a failure rule count as failed (Ansible marks them failed too).
 */
export function exitCode(
  stats: Map<string, HostStats>,
  stopped?: ReadonlyMap<string, string>,
  forgiven?: ReadonlySet<string>,
): number {
  // a host whose errors meta: clear_host_errors cleared does not count (the recap still shows them)
  const vals = [...stats].filter(([h]) => !forgiven?.has(h)).map(([, s]) => s);
  const failed = vals.some((s) => s.failed > 0) || !!stopped?.size;
  const unreachable = vals.some((s) => s.unreachable > 0);
  return failed && unreachable ? 6 : failed ? 2 : unreachable ? 4 : 0;
}

export type { TaskResult };

/** A task whose reads can go with others on its host's shell: a delegated task reads on another host; an environment changes what a read sees. */
function readsOnItsHost(t: Task): boolean {
  return t.exec?.delegateTo === undefined && !t.exec?.environment?.length;
}
