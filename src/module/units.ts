import type { DiffItem, ModuleContext, Plan, Read, Seen, Step } from './types.js';

/** Plans for a set of files that make up one service (script + units), each written atomically. */
export interface FileWant {
  path: string;
  content: string;
  mode: string;
  /** A systemd unit: a change means a daemon-reload. (Units lbprov writes itself are fixed text,
   * verified by its tests; user templates get `validate: systemd-analyze verify %s`.) */
  unit?: boolean;
}

export function filesPlan(
  files: FileWant[],
  seen: (path: string) => Seen,
): { steps: Step[]; diff: Plan['diff']; changedUnits: boolean } {
  const steps: Step[] = [];
  const diff: NonNullable<Plan['diff']> = [];
  let changedUnits = false;
  for (const f of files) {
    const s = seen(f.path);
    const content = Buffer.from(f.content);
    if (s.stat && s.stdout.equals(content) && s.stat.mode === f.mode) continue;
    steps.push({ op: 'write', path: f.path, content, mode: f.mode });
    diff.push({ path: f.path, before: s.stat ? s.stdout.toString() : '', after: f.content });
    if (f.unit) changedUnits = true;
  }
  return { steps, diff, changedUnits };
}

/** What `systemctl show` says of a unit: all that planning for it needs. */
export interface UnitState {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
  NeedDaemonReload: string;
}

/** The read of a unit's state (parseShow reads its answer). */
export const showRead = (unit: string): Read => ({
  kind: 'exec',
  argv: ['systemctl', 'show', '--property=LoadState,ActiveState,UnitFileState,NeedDaemonReload', '--', unit],
});

export function parseShow(out: string): UnitState {
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return {
    LoadState: m.LoadState ?? '',
    ActiveState: m.ActiveState ?? '',
    UnitFileState: m.UnitFileState ?? '',
    NeedDaemonReload: m.NeedDaemonReload ?? 'no',
  };
}

/** What a task wants of a unit (the `systemd` module's arguments). */
export interface UnitWant {
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  /** Reload systemd when it says a unit file changed on disk, or a new unit is not loaded yet. */
  daemonReload: boolean;
  /** The same task rewrote this unit's files: systemd reloads them, and a running unit restarts. */
  filesChanged?: boolean;
}

/** The steps that bring a unit where it is wanted, what they change, and the state they leave. */
export interface UnitPlan {
  failed?: string;
  steps: Step[];
  /** The unit's state as planned from (after what a reload would load). */
  status: UnitState;
  diff?: DiffItem;
  /** One line per change, for the task's message. */
  changes: string[];
  /** The state the steps leave (check mode remembers it for later tasks). */
  wouldBe: UnitState;
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'indirect', 'generated', 'alias']);
const RUNNING = new Set(['active', 'activating', 'reloading']);
const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

/**
 * The one systemd planner (the `systemd` module and units that modules install, such as
 * textfile_collector's timer): mask/unmask, daemon-reload only when needed (a batch of unit
 * changes costs one reload; `systemctl enable` reloads systemd itself, so a separate reload only
 * without it), enable/disable, start/stop/restart/reload (`enable --now` is one call).
 */
export function unitPlan(
  name: string,
  seen: UnitState,
  want: UnitWant,
  ctx: Pick<ModuleContext, 'host' | 'checkKnown'>,
): UnitPlan {
  let s = seen;
  const unitFile = name.includes('.') ? name : `${name}.service`;
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const none = (failed: string): UnitPlan => ({ failed, steps: [], status: s, changes: [], wouldBe: s });
  const change = (step: Step | undefined, was: string, will: string): void => {
    if (step) steps.push(step);
    before.push(was);
    after.push(will);
  };
  const sc = (...args: string[]): Step => ({
    op: 'exec',
    argv: ['systemctl', ...args, '--', name],
    what: `systemctl ${args.join(' ')} ${name}`,
  });
  // in check mode, a unit file an earlier task would have written is a unit systemd would load
  if (s.LoadState === 'not-found' && UNIT_DIRS.some((d) => ctx.checkKnown(`${d}/${unitFile}`)?.stat)) {
    s = {
      ...s,
      LoadState: 'loaded',
      UnitFileState: 'disabled',
      ActiveState: 'inactive',
      NeedDaemonReload: want.daemonReload ? 'yes' : 'no',
    };
  }
  const needReload =
    want.daemonReload && (s.NeedDaemonReload === 'yes' || s.LoadState === 'not-found' || !!want.filesChanged);
  // what a reload will load is not known before it runs: plan as for a freshly loaded unit
  if (needReload && s.LoadState === 'not-found')
    s = { ...s, LoadState: 'loaded', UnitFileState: 'disabled', ActiveState: 'inactive' };
  if (want.masked === true && s.UnitFileState !== 'masked') {
    change(sc('mask'), `masked: no (${s.UnitFileState || 'unknown'})`, 'masked: yes');
  } else if (want.masked === false && s.UnitFileState === 'masked') {
    change(sc('unmask'), 'masked: yes', 'masked: no');
    s = { ...s, UnitFileState: 'disabled' };
  }
  if (
    s.LoadState === 'not-found' &&
    (want.enabled || want.state === 'started' || want.state === 'restarted' || want.state === 'reloaded')
  ) {
    return none(
      `${ctx.host}: unit ${name} not found${want.daemonReload ? '' : ' (a new unit file needs daemon_reload: true)'}`,
    );
  }
  const running = RUNNING.has(s.ActiveState);
  const enable = want.enabled === true && !ENABLED.has(s.UnitFileState);
  const action =
    want.state === 'started' && !running
      ? 'start'
      : want.state === 'started' && want.filesChanged
        ? 'restart'
        : want.state === 'stopped' && running
          ? 'stop'
          : want.state === 'restarted'
            ? 'restart'
            : want.state === 'reloaded'
              ? 'reload-or-restart'
              : undefined;
  // `systemctl enable` reloads systemd itself: a separate daemon-reload only without it
  if (needReload)
    change(
      enable ? undefined : { op: 'exec', argv: ['systemctl', 'daemon-reload'], what: 'systemctl daemon-reload' },
      'unit files: changed on disk',
      'unit files: reloaded',
    );
  const disable = !enable && want.enabled === false && s.UnitFileState === 'enabled';
  if (enable)
    change(sc('enable', ...(action === 'start' ? ['--now'] : [])), `enabled: ${s.UnitFileState}`, 'enabled: enabled');
  else if (disable) change(sc('disable'), 'enabled: enabled', 'enabled: disabled');
  if (action)
    change(
      enable && action === 'start' ? undefined : sc(action),
      `state: ${s.ActiveState}`,
      `state: ${action === 'restart' && want.state === 'started' ? 'restarted' : want.state}`,
    );
  if (!steps.length) return { steps, status: s, changes: [], wouldBe: s };
  const wouldBe: UnitState = {
    LoadState: 'loaded',
    NeedDaemonReload: needReload ? 'no' : s.NeedDaemonReload,
    UnitFileState: want.masked === true ? 'masked' : enable ? 'enabled' : disable ? 'disabled' : s.UnitFileState,
    ActiveState: action === 'stop' ? 'inactive' : action ? 'active' : s.ActiveState,
  };
  return {
    steps,
    status: s,
    diff: { path: `unit ${name}`, before: before.join('\n') + '\n', after: after.join('\n') + '\n' },
    changes: after,
    wouldBe,
  };
}
