import { Type } from '@sinclair/typebox';
import { defineModule, noChange, type Plan, type Step } from '../src/module/types.js';
import { Choice, Default } from '../src/module/args.js';

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The unit; without a suffix, NAME.service.' }),
    state: Type.Optional(Choice(['started', 'stopped', 'restarted', 'reloaded'], { description: 'started/stopped: only when it is not; restarted: always; reloaded: reload-or-restart, always.' })),
    enabled: Type.Optional(Type.Boolean({ description: 'Start at boot (true) or not (false); unset: left as it is.' })),
    daemon_reload: Default(Type.Boolean({ description: 'Reload systemd first when it reports a changed unit file (NeedDaemonReload) or the unit is not loaded yet.' }), false),
    masked: Type.Optional(Type.Boolean({ description: 'Mask the unit (it cannot start) or unmask it; unset: left as it is.' })),
  },
  { additionalProperties: false },
);

export interface UnitState {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
  NeedDaemonReload: string;
}

export function parseShow(out: string): UnitState {
  const m: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return { LoadState: m.LoadState ?? '', ActiveState: m.ActiveState ?? '', UnitFileState: m.UnitFileState ?? '', NeedDaemonReload: m.NeedDaemonReload ?? 'no' };
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'indirect', 'generated', 'alias']);
const RUNNING = new Set(['active', 'activating', 'reloading']);

export default defineModule({
  name: 'systemd',
  aliases: ['ansible.builtin.systemd', 'ansible.builtin.systemd_service', 'systemd_service', 'ansible.builtin.service', 'service'],
  schema,
  description: 'systemd units: enabled, masked, started, stopped, restarted, reloaded.',
  notes: [
    'daemon_reload reloads only when systemd says a unit file changed on disk or a new unit is not loaded yet, so a batch of unit changes costs one reload, by whichever systemd task comes first.',
    'Check mode knows what earlier tasks of the run would have done: a unit file a template would write is a unit to start, a state a handler would leave is the state planned against.',
  ],
  examples: `- name: Listener running, at boot too
  systemd:
    name: lb-listener
    enabled: true
    state: started
    daemon_reload: true

- name: No legacy balancer
  service:
    name: haproxy
    state: stopped
    enabled: false
`,
  returns: { status: { description: 'The unit before the task: LoadState, ActiveState, UnitFileState, NeedDaemonReload.', type: 'mapping' } },
  check: 'full',
  diff: 'full',
  reads: (a) => ({ unit: { kind: 'exec', argv: ['systemctl', 'show', '--property=LoadState,ActiveState,UnitFileState,NeedDaemonReload', '--', a.name] } }),
  plan(a, seen, ctx): Plan {
    if (ctx.facts && !ctx.facts.systemd) return { changed: false, steps: [], failed: `${ctx.host}: systemd is not running (PID 1 is not systemd)` };
    if (seen.unit.rc !== 0) return { changed: false, steps: [], failed: `systemctl show ${a.name}: ${seen.unit.stderr.trim()}` };
    const unitFile = a.name.includes('.') ? a.name : `${a.name}.service`;
    // in check mode, what an earlier task of the run (a restart handler) would have left
    let s = (ctx.checkState(`systemd:${unitFile}`) as UnitState | undefined) ?? parseShow(seen.unit.stdout.toString());
    const steps: Step[] = [];
    const before: string[] = [];
    const after: string[] = [];
    const sc = (...args: string[]): Step => ({ op: 'exec', argv: ['systemctl', ...args, '--', a.name], what: `systemctl ${args.join(' ')} ${a.name}` });
    // in check mode, a unit file an earlier task would have written is a unit systemd would load
    if (s.LoadState === 'not-found' && ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'].some((d) => ctx.wouldExist(`${d}/${unitFile}`))) {
      s = { ...s, LoadState: 'loaded', UnitFileState: 'disabled', ActiveState: 'inactive', NeedDaemonReload: a.daemon_reload ? 'yes' : 'no' };
    }
    const needReload = a.daemon_reload && (s.NeedDaemonReload === 'yes' || s.LoadState === 'not-found');
    // what a reload will load is not known before it runs: plan as for a freshly loaded unit
    if (needReload && s.LoadState === 'not-found') s = { ...s, LoadState: 'loaded', UnitFileState: 'disabled', ActiveState: 'inactive' };
    if (a.masked === true && s.UnitFileState !== 'masked') {
      steps.push(sc('mask'));
      before.push(`masked: no (${s.UnitFileState || 'unknown'})`);
      after.push('masked: yes');
    } else if (a.masked === false && s.UnitFileState === 'masked') {
      steps.push(sc('unmask'));
      before.push('masked: yes');
      after.push('masked: no');
      s = { ...s, UnitFileState: 'disabled' };
    }
    if (s.LoadState === 'not-found' && (a.enabled || a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded')) {
      return { changed: false, steps: [], failed: `${ctx.host}: unit ${a.name} not found${a.daemon_reload ? '' : ' (a new unit file needs daemon_reload: true)'}` };
    }
    const running = RUNNING.has(s.ActiveState);
    const enable = a.enabled === true && !ENABLED.has(s.UnitFileState);
    const action =
      a.state === 'started' && !running ? 'start'
      : a.state === 'stopped' && running ? 'stop'
      : a.state === 'restarted' ? 'restart'
      : a.state === 'reloaded' ? 'reload-or-restart'
      : undefined;
    if (needReload) {
      before.push('unit files: changed on disk');
      after.push('unit files: reloaded');
      // `systemctl enable` reloads systemd itself: a separate daemon-reload only without it
      if (!enable) steps.push({ op: 'exec', argv: ['systemctl', 'daemon-reload'], what: 'systemctl daemon-reload' });
    }
    if (enable) {
      steps.push(sc('enable', ...(action === 'start' ? ['--now'] : [])));
      before.push(`enabled: ${s.UnitFileState}`);
      after.push('enabled: enabled');
    } else if (a.enabled === false && s.UnitFileState === 'enabled') {
      steps.push(sc('disable'));
      before.push('enabled: enabled');
      after.push('enabled: disabled');
    }
    if (action) {
      if (!(enable && action === 'start')) steps.push(sc(action));
      before.push(`state: ${s.ActiveState}`);
      after.push(`state: ${a.state}`);
    }
    if (!steps.length) return noChange(`${a.name}: ${s.ActiveState}, ${s.UnitFileState}`, { status: s });
    const wouldBe: UnitState = {
      LoadState: 'loaded',
      NeedDaemonReload: needReload ? 'no' : s.NeedDaemonReload,
      UnitFileState: a.masked === true ? 'masked' : enable ? 'enabled' : a.enabled === false && s.UnitFileState === 'enabled' ? 'disabled' : s.UnitFileState,
      ActiveState: action === 'stop' ? 'inactive' : action ? 'active' : s.ActiveState,
    };
    return {
      changed: true,
      steps,
      checkState: { [`systemd:${unitFile}`]: wouldBe },
      diff: [{ path: `unit ${a.name}`, before: before.join('\n') + '\n', after: after.join('\n') + '\n' }],
      msg: after.join(', '),
      result: { status: s },
    };
  },
});
