import { createHash } from 'node:crypto';
import type { Read, Seen, Step, StepOutput } from '../../src/module/types.js';
import { FixtureAccounts, groupEntry, userEntry, type GroupEntry, type UserEntry } from './fixture-accounts.js';
import { fileModulesQuery } from './fixture-files.js';

/**
 * A host as data (pyinfra's tests/operations style) for the module cases in test/modules/: it
 * answers a module's reads from its state and applies every step kind the executor runs (writes,
 * directories and attributes, sysctl -w, systemctl, apt-get/dnf, the BPF compile/pin/verify/
 * rollback helpers, the self-test) by changing that state, so a plan can be applied and planned
 * again. It models what the modules' reads look at, not Linux: a step it does not know is an
 * error, never a silent no-op. Real hosts are exercised by the integration suites.
 */
export interface FsEntry {
  type: 'file' | 'directory' | 'link';
  mode: string;
  owner: string;
  group: string;
  content?: string;
  target?: string;
}

export interface UnitState {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
  NeedDaemonReload: string;
}

export interface Pin {
  id: number;
  type: string;
  tag: string;
  name?: string;
}

/** A command the host answers as given (matched on the argv as in `normalArgv`); also overrides a simulated step. */
export interface CommandAnswer {
  argv: string[];
  rc?: number;
  stdout?: string;
  stderr?: string;
  /** Paths the command creates (as empty files) or removes when it runs as a step with rc 0. */
  creates?: string[];
  removes?: string[];
}

export interface HostState {
  files: Record<string, FsEntry>;
  /** Kernel parameters by dotted key, as /proc/sys shows them. */
  sysctls: Record<string, string>;
  /** systemd units by full name (`x.service`); a unit not listed is not-found. */
  units: Record<string, UnitState>;
  /** Installed packages: name -> version. */
  packages: Record<string, string>;
  /** The repositories' candidate versions; a package not listed installs as version 1.0. */
  available: Record<string, string>;
  /** The package manager the host has (what `lbprov_pkg_query` finds): apt unless said. */
  pkg_manager: 'apt' | 'dnf' | null;
  /** Programs pinned in bpffs, by path. */
  pins: Record<string, Pin>;
  /** Local users and groups (fixture-accounts.ts). */
  users: Record<string, UserEntry>;
  groups: Record<string, GroupEntry>;
  commands: CommandAnswer[];
  /** The JSON line the reuseport self-test helper prints (and its rc), once it is built. */
  selftest?: { report: unknown; rc?: number };
}

/** The YAML shape of a host: every part optional, files with defaults. */
export interface HostSpec {
  files?: Record<string, Partial<FsEntry> | string>;
  sysctls?: Record<string, string | number>;
  units?: Record<string, Partial<UnitState>>;
  packages?: Record<string, string>;
  available?: Record<string, string>;
  pkg_manager?: 'apt' | 'dnf' | null;
  pins?: Record<string, Pin>;
  users?: Record<string, UserEntry>;
  groups?: Record<string, GroupEntry>;
  commands?: CommandAnswer[];
  selftest?: { report: unknown; rc?: number };
}

const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
const unitName = (n: string): string => (n.includes('.') ? n : `${n}.service`);
const procKey = (path: string): string | undefined =>
  path.startsWith('/proc/sys/') ? path.slice(10).replace(/\//g, '.') : undefined;
const entry = (e: Partial<FsEntry>): FsEntry => ({
  type: e.type ?? 'file',
  mode: e.mode ?? (e.type === 'directory' ? '0755' : e.type === 'link' ? '0777' : '0644'),
  owner: e.owner ?? 'root',
  group: e.group ?? 'root',
  ...(e.content !== undefined || (e.type ?? 'file') === 'file' ? { content: e.content ?? '' } : {}),
  ...(e.target !== undefined ? { target: e.target } : {}),
});
/** YAML 1.1 reads `NeedDaemonReload: no` as false: systemctl prints yes/no. */
const yesNo = (u: Partial<UnitState>): Partial<UnitState> =>
  Object.fromEntries(
    Object.entries(u).map(([k, v]: [string, unknown]) => [k, v === true ? 'yes' : v === false ? 'no' : String(v)]),
  );
const out = (stdout = '', rc = 0, stderr = ''): StepOutput => ({ rc, stdout, stderr });
const fail = (stderr: string, rc = 1): StepOutput => out('', rc, `${stderr}\n`);

/**
 * What a command is called in the cases: `env [-C dir] -- prog args` (command, shell) is `prog
 * args`, and `bash -c SCRIPT name args` (a module's fixed script) is `name args`.
 */
export function normalArgv(argv: string[]): string[] {
  if (argv[0] === 'env') {
    const dd = argv.indexOf('--');
    if (dd > 0 && argv.slice(1, dd).every((a, i, all) => a === '-C' || all[i - 1] === '-C')) return argv.slice(dd + 1);
  }
  if (argv[0] === 'bash' && argv[1] === '-c' && argv.length > 3) return argv.slice(3);
  return argv;
}

/** An argv pattern: `*` is any one word, `...` any number of words (none too). */
export function argvMatches(pattern: string[], argv: string[]): boolean {
  const [p, ...ps] = pattern;
  if (p === undefined) return argv.length === 0;
  if (p === '...') return argv.some((_w, i) => argvMatches(ps, argv.slice(i))) || argvMatches(ps, []);
  return argv.length > 0 && (p === '*' || p === argv[0]) && argvMatches(ps, argv.slice(1));
}

export class FixtureHost {
  readonly state: HostState;

  constructor(spec: HostSpec = {}) {
    this.state = {
      files: Object.fromEntries(
        Object.entries(spec.files ?? {}).map(([p, e]) => [p, entry(typeof e === 'string' ? { content: e } : e)]),
      ),
      sysctls: Object.fromEntries(Object.entries(spec.sysctls ?? {}).map(([k, v]) => [k, String(v)])),
      units: Object.fromEntries(
        Object.entries(spec.units ?? {}).map(([n, u]) => [
          unitName(n),
          {
            LoadState: 'loaded',
            ActiveState: 'inactive',
            UnitFileState: 'disabled',
            NeedDaemonReload: 'no',
            ...yesNo(u),
          },
        ]),
      ),
      packages: { ...spec.packages },
      available: { ...spec.available },
      pkg_manager: spec.pkg_manager === undefined ? 'apt' : spec.pkg_manager,
      pins: structuredClone(spec.pins ?? {}),
      users: Object.fromEntries(Object.entries(spec.users ?? {}).map(([n, u]) => [n, userEntry(n, u)])),
      groups: Object.fromEntries(Object.entries(spec.groups ?? {}).map(([n, g]) => [n, groupEntry(g)])),
      commands: spec.commands ?? [],
      selftest: spec.selftest,
    };
  }

  /** Changes the state from outside (between two runs): each listed entry replaced, null removes it. */
  patch(spec: HostSpec): void {
    const kept = (m: object | undefined): Record<string, never> =>
      Object.fromEntries(Object.entries(m ?? {}).filter(([, v]) => v !== null)) as Record<string, never>;
    const fresh = new FixtureHost({
      files: kept(spec.files),
      units: kept(spec.units),
      pins: kept(spec.pins),
      sysctls: kept(spec.sysctls),
      users: kept(spec.users),
      groups: kept(spec.groups),
    }).state;
    for (const part of ['files', 'sysctls', 'units', 'packages', 'available', 'pins', 'users', 'groups'] as const) {
      const into = this.state[part] as Record<string, unknown>;
      for (const [k, v] of Object.entries(spec[part] ?? {})) {
        if (v === null) delete into[part === 'units' ? unitName(k) : k];
        else if (part === 'units')
          into[unitName(k)] = { ...(into[unitName(k)] as object), ...yesNo(v as Partial<UnitState>) };
        else into[k] = (fresh[part] as Record<string, unknown>)[k] ?? v;
      }
    }
    if (spec.commands) this.state.commands = spec.commands;
    if (spec.selftest) this.state.selftest = spec.selftest;
  }

  /** A copy of the state, to compare before and after a run. */
  snapshot(): Omit<HostState, 'commands' | 'selftest'> {
    const { commands: _c, selftest: _s, ...rest } = this.state;
    return structuredClone(rest);
  }

  read(r: Read): Seen {
    if (r.kind === 'exec') {
      const o = this.answer(r.argv) ?? this.query(r.argv);
      if (!o)
        throw new Error(
          `the fixture host has no answer for the read ${JSON.stringify(normalArgv(r.argv))} (add it to host.commands)`,
        );
      return { rc: o.rc, stdout: Buffer.from(o.stdout), stderr: o.stderr };
    }
    const e = this.state.files[r.path];
    const stat = e
      ? {
          type: e.type,
          mode: e.mode,
          owner: e.owner,
          group: e.group,
          size: Buffer.byteLength(e.content ?? ''),
          ...(e.target ? { target: e.target } : {}),
        }
      : null;
    return {
      rc: 0,
      stderr: '',
      stat,
      stdout: r.kind === 'file' && e?.type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0),
    };
  }

  /** Applies one step; what the executor's script would report for it. */
  apply(step: Step): StepOutput {
    if (step.op === 'write') return this.write(step);
    const c = this.given(step.argv);
    if (c) {
      if (!c.rc) {
        for (const p of c.creates ?? []) this.state.files[p] ??= entry({});
        for (const p of c.removes ?? []) this.remove(p);
      }
      return out(c.stdout ?? '', c.rc ?? 0, c.stderr ?? '');
    }
    const o = this.query(step.argv) ?? this.change(step.argv);
    if (!o) throw new Error(`the fixture host cannot run the step ${JSON.stringify(normalArgv(step.argv))}`);
    return o;
  }

  private given(argv: string[]): CommandAnswer | undefined {
    return this.state.commands.find((x) => argvMatches(x.argv, normalArgv(argv)));
  }

  private answer(argv: string[]): StepOutput | undefined {
    const c = this.given(argv);
    return c && out(c.stdout ?? '', c.rc ?? 0, c.stderr ?? '');
  }

  /** Read-only commands the modules' reads run. */
  private query(argv: string[]): StepOutput | undefined {
    const [cmd, ...a] = argv;
    const names = a.slice(a.indexOf('--') + 1);
    if (cmd === 'cat' && a[0] === '--') {
      const key = procKey(a[1]);
      if (key !== undefined)
        return key in this.state.sysctls
          ? out(`${this.state.sysctls[key]}\n`)
          : fail(`cat: ${a[1]}: No such file or directory`);
      const e = this.state.files[a[1]];
      return e?.type === 'file' ? out(e.content) : fail(`cat: ${a[1]}: No such file or directory`);
    }
    if (cmd === 'systemctl' && a[0] === 'show') {
      const props = a[1].replace('--property=', '').split(',');
      const u = this.state.units[unitName(names[0])] ?? {
        LoadState: 'not-found',
        ActiveState: 'inactive',
        UnitFileState: '',
        NeedDaemonReload: 'no',
      };
      return out(props.map((p) => `${p}=${u[p as keyof UnitState] ?? ''}`).join('\n') + '\n');
    }
    if (cmd === 'dpkg-query') {
      const have = names.filter((n) => n in this.state.packages);
      const missing = names.filter((n) => !(n in this.state.packages));
      return out(
        have.map((n) => `${n}\tinstall ok installed\t${this.state.packages[n]}\n`).join(''),
        missing.length ? 1 : 0,
        missing.map((n) => `dpkg-query: no packages found matching ${n}\n`).join(''),
      );
    }
    if (cmd === 'rpm' && a[0] === '-q') {
      return out(
        names
          .map((n) =>
            n in this.state.packages
              ? `${n}\tinstalled\t${this.state.packages[n]}\n`
              : `package ${n} is not installed\n`,
          )
          .join(''),
        names.every((n) => n in this.state.packages) ? 0 : 1,
      );
    }
    if (cmd === 'apt-cache' && a[0] === 'policy') {
      return out(
        names
          .map(
            (n) =>
              `${n}:\n  Installed: ${this.state.packages[n] ?? '(none)'}\n  Candidate: ${this.state.available[n] ?? '(none)'}\n`,
          )
          .join(''),
      );
    }
    if (cmd === 'lbprov_pkg_query') {
      const [state, ...pkgs] = a;
      const pm = this.state.pkg_manager;
      if (!pm) return out('@@PM none\n');
      const q = (argv: string[]): string => this.query(argv)?.stdout ?? '';
      return out(
        pm === 'apt'
          ? `@@PM apt\n${q(['dpkg-query', '-W', '-f', '', '--', ...pkgs])}${state === 'latest' ? `@@POLICY\n${q(['apt-cache', 'policy', '--', ...pkgs])}` : ''}`
          : `@@PM dnf\n${q(['rpm', '-q', '--qf', '', '--', ...pkgs])}`,
      );
    }
    if (cmd === 'bpftool' && a.join(' ').startsWith('-j prog show pinned ')) {
      const p = this.state.pins[a[4]];
      return p ? out(JSON.stringify(p)) : fail(`Error: bpf obj get (${a[4]}): No such file or directory`, 255);
    }
    if (cmd === 'grep' && a.join(' ').startsWith('-r -H --include=')) return this.grepLines(a);
    if (cmd === 'lbprov_selftest') return this.selftest(a);
    return new FixtureAccounts(this.state).query(argv) ?? fileModulesQuery(this.state, argv);
  }

  /** `grep -r -H --include=*.SUFFIX -e '' -- DIR`: every line of the matching files under DIR as PATH:LINE (rc 1: none). */
  private grepLines(a: string[]): StepOutput {
    const suffix = a[2].replace('--include=*', '');
    const dir = a[a.indexOf('--') + 1];
    const lines: string[] = [];
    for (const [path, e] of Object.entries(this.state.files).sort(([x], [y]) => x.localeCompare(y))) {
      if (e.type !== 'file' || !path.startsWith(`${dir}/`) || !path.endsWith(suffix)) continue;
      for (const l of (e.content ?? '').split('\n').filter(Boolean)) lines.push(`${path}:${l}\n`);
    }
    return out(lines.join(''), lines.length ? 0 : 1);
  }

  /** lbprov_selftest BIN HASHFILE HASH DIR PIN OBJECT K M: NOT_BUILT until the helper is built from the current source. */
  private selftest([bin, hashfile, hash, , pin]: string[]): StepOutput {
    const built = this.state.files[bin] && this.state.files[hashfile]?.content?.trim() === hash;
    if (!built) return out('NOT_BUILT\n');
    if (pin && !this.state.pins[pin]) return fail(`nothing is pinned at ${pin}`);
    if (!this.state.selftest)
      throw new Error('the case runs the self-test: give host.selftest.report (what the helper prints)');
    const r = this.state.selftest.report;
    return out(
      `${typeof r === 'string' ? r : JSON.stringify(r)}\n${pin ? this.state.pins[pin].tag : ''}\n`,
      this.state.selftest.rc ?? 0,
    );
  }

  private write(s: Extract<Step, { op: 'write' }>): StepOutput {
    const old = this.state.files[s.path];
    if (old && old.type === 'directory') return fail(`cannot write ${s.path}: is a directory`);
    if (s.validate) {
      const v = this.answer(s.validate);
      if (v && v.rc !== 0) return fail(`validation failed: ${s.validate.join(' ')}\n${v.stderr}`);
    }
    if (s.backup && old) this.state.files[`${s.path}.backup~`] = { ...old };
    this.state.files[s.path] = {
      type: 'file',
      mode: s.mode ?? old?.mode ?? '0644',
      owner: s.owner ?? old?.owner ?? 'root',
      group: s.group ?? old?.group ?? 'root',
      content: s.content.toString(),
    };
    // systemd notices a changed unit file of a loaded unit (NeedDaemonReload), not a new one
    const dir = s.path.slice(0, s.path.lastIndexOf('/'));
    const u = this.state.units[s.path.slice(dir.length + 1)];
    if (UNIT_DIRS.includes(dir) && u && u.LoadState === 'loaded' && old?.content !== s.content.toString())
      u.NeedDaemonReload = 'yes';
    return out();
  }

  private remove(p: string): void {
    for (const k of Object.keys(this.state.files)) if (k === p || k.startsWith(`${p}/`)) delete this.state.files[k];
  }

  /** Steps that change the host. */
  private change(argv: string[]): StepOutput | undefined {
    // apt-get under env; a module's fixed `bash -c` script by its name (commands and shell runs are
    // never simulated: the case answers them in host.commands)
    const [cmd, ...a] =
      argv[0] === 'env' && argv[1] === 'DEBIAN_FRONTEND=noninteractive'
        ? argv.slice(2)
        : argv[0] === 'bash'
          ? normalArgv(argv)
          : argv;
    const dd = a.indexOf('--');
    const opts = dd < 0 ? a : a.slice(0, dd);
    const args = dd < 0 ? [] : a.slice(dd + 1);
    const f = this.state.files;
    switch (cmd) {
      case 'mkdir': {
        const mode = opts.includes('-m') ? opts[opts.indexOf('-m') + 1] : '0755';
        for (const p of args) {
          if (f[p] && f[p].type !== 'directory') return fail(`mkdir: cannot create directory '${p}': File exists`);
          f[p] ??= entry({ type: 'directory', mode });
        }
        return out();
      }
      case 'touch':
        f[args[0]] ??= entry({});
        return out();
      case 'rm':
        this.remove(args[0]);
        return out();
      case 'chmod':
        if (!f[args[0]]) return fail(`chmod: cannot access '${args[0]}': No such file or directory`);
        f[args[0]].mode = opts[0];
        return out();
      case 'chown': {
        const p = args[1];
        if (!f[p]) return fail(`chown: cannot access '${p}': No such file or directory`);
        const [o, g] = args[0].split(':');
        if (o) f[p].owner = o;
        if (g) f[p].group = g;
        return out();
      }
      case 'ln':
        if (f[args[1]]?.type === 'directory') return fail(`ln: ${args[1]}: is a directory`);
        f[args[1]] = entry({ type: 'link', target: args[0] });
        return out();
      case 'sysctl': {
        const [k, v] = a[a.length - 1].split('=');
        if (!(k in this.state.sysctls))
          return fail(`sysctl: cannot stat /proc/sys/${k.replace(/\./g, '/')}: No such file or directory`, 255);
        // the kernel prints multi-value parameters with tabs
        this.state.sysctls[k] = v.trim().split(/\s+/).join('\t');
        return out();
      }
      case 'systemctl':
        return this.systemctl(opts, args[0]);
      case 'apt-get':
      case 'dnf':
        return this.pkg(opts[0], args);
      case 'lbprov_compile':
        return this.compile(a);
      case 'lbprov_bpf_pin':
        return this.pin(a);
      case 'lbprov_bpf_verify': {
        const p = this.state.pins[a[0]];
        if (!p) return fail(`Error: bpf obj get (${a[0]}): No such file or directory`, 255);
        return p.type === a[1]
          ? out(`${JSON.stringify(p)}\n`)
          : out(`${JSON.stringify(p)}\n`, 1, `pinned program at ${a[0]} is not of type ${a[1]}\n`);
      }
      case 'lbprov_bpf_rollback':
        return this.rollback(a);
    }
    return new FixtureAccounts(this.state).change([cmd, ...a]);
  }

  private systemctl(opts: string[], name: string | undefined): StepOutput {
    const [verb, ...flags] = opts;
    const us = this.state.units;
    const reload = (): void => {
      for (const u of Object.values(us)) u.NeedDaemonReload = 'no';
      for (const p of Object.keys(this.state.files)) {
        const dir = p.slice(0, p.lastIndexOf('/'));
        const n = p.slice(dir.length + 1);
        if (UNIT_DIRS.includes(dir) && (!us[n] || us[n].LoadState === 'not-found'))
          us[n] = { LoadState: 'loaded', ActiveState: 'inactive', UnitFileState: 'disabled', NeedDaemonReload: 'no' };
      }
    };
    if (verb === 'daemon-reload') {
      reload();
      return out();
    }
    if (!name) return fail(`systemctl ${verb}: no unit`);
    const n = unitName(name);
    if (verb === 'mask' || verb === 'unmask') {
      us[n] ??= { LoadState: 'masked', ActiveState: 'inactive', UnitFileState: '', NeedDaemonReload: 'no' };
      us[n].UnitFileState = verb === 'mask' ? 'masked' : 'disabled';
      if (verb === 'unmask' && us[n].LoadState === 'masked') us[n].LoadState = 'loaded';
      return out();
    }
    // `systemctl enable` reloads systemd itself
    if (verb === 'enable') reload();
    const u = us[n];
    if (!u || u.LoadState === 'not-found')
      return fail(`Failed to ${verb} unit: Unit ${n} not found.`, verb === 'enable' ? 1 : 5);
    if (u.UnitFileState === 'masked' && verb !== 'stop' && verb !== 'disable')
      return fail(`Failed to ${verb} unit: Unit ${n} is masked.`);
    switch (verb) {
      case 'enable':
        u.UnitFileState = 'enabled';
        if (flags.includes('--now')) u.ActiveState = 'active';
        return out();
      case 'disable':
        u.UnitFileState = 'disabled';
        return out();
      case 'start':
      case 'restart':
      case 'reload-or-restart':
        u.ActiveState = 'active';
        return out();
      case 'stop':
        u.ActiveState = 'inactive';
        return out();
    }
    return fail(`the fixture host does not know systemctl ${verb}`);
  }

  private pkg(verb: string | undefined, names: string[]): StepOutput {
    if (verb === 'update') return out();
    if (verb === 'install') {
      for (const n of names) this.state.packages[n] = this.state.available[n] ?? '1.0';
      return out();
    }
    if (verb === 'remove') {
      for (const n of names) delete this.state.packages[n];
      return out();
    }
    return fail(`the fixture host does not know the package command ${verb}`);
  }

  /** lbprov_compile OUT HASHFILE HASH compiler args...: the object names its source; the hash goes beside it. */
  private compile([dest, hashfile, hash, ...cc]: string[]): StepOutput {
    const src = cc.find((w) => w.endsWith('.c') && !w.startsWith('-'));
    if (!src || this.state.files[src]?.type !== 'file')
      return fail(`clang: error: no such file or directory: '${src}'`);
    this.state.files[dest] = entry({
      mode: '0755',
      content: `ELF from ${src}: ${createHash('sha256')
        .update(this.state.files[src].content ?? '')
        .update(cc.join(' '))
        .digest('hex')}`,
    });
    this.state.files[hashfile] = entry({ content: `${hash}\n` });
    return out();
  }

  /** lbprov_bpf_pin OBJ PIN TYPE MAPS KEEP: a new program (type from TYPE or the source's SEC) at PIN; the old one at PIN_prev. */
  private pin([obj, pin, type, , keep]: string[]): StepOutput {
    const o = this.state.files[obj];
    if (o?.type !== 'file') return fail(`Error: failed to open object file ${obj}`, 255);
    const src = this.state.files[(o.content ?? '').replace(/^ELF from (\S+): .*$/s, '$1')]?.content ?? '';
    const sec = type || /SEC\(\s*"([a-z_]+)[^"]*"\s*\)\s*(?:int|long)/.exec(src)?.[1] || 'unspec';
    if (keep === '1' && this.state.pins[pin]) this.state.pins[`${pin}_prev`] = this.state.pins[pin];
    const id = Math.max(0, ...Object.values(this.state.pins).map((p) => p.id)) + 1;
    this.state.pins[pin] = {
      id,
      type: sec === 'socket' ? 'socket_filter' : sec,
      tag: createHash('sha256')
        .update(o.content ?? '')
        .digest('hex')
        .slice(0, 16),
      name: 'prog',
    };
    return out();
  }

  /** The rollback script: PIN and PIN_prev swapped, bpf_program's markers for PIN voided, the state file written. */
  private rollback([pin, , dir, from, to]: string[]): StepOutput {
    const cur = this.state.pins[pin];
    const prev = this.state.pins[`${pin}_prev`];
    if (!cur || !prev) return fail(`Error: bpf obj get: No such file or directory`, 255);
    this.state.pins[pin] = prev;
    this.state.pins[`${pin}_prev`] = cur;
    for (const [p, e] of Object.entries(this.state.files)) {
      if (p.startsWith(`${dir}/`) && p.endsWith('.pinned') && e.content?.trim().split(' ')[1] === pin)
        e.content = `rolled-back ${pin}\n`;
    }
    this.state.files[`${dir}/rollback.state`] = entry({ content: `${from} ${to}\n` });
    return out();
  }
}
