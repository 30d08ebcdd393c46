import { defineModule, noChange, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { parseShow, showRead, unitPlan, type UnitState } from '../src/module/units.js';

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The unit; without a suffix, NAME.service.' }),
    state: Type.Optional(
      Choice(['started', 'stopped', 'restarted', 'reloaded'], {
        description: 'started/stopped: only when it is not; restarted: always; reloaded: reload-or-restart, always.',
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'Start at boot (true) or not (false); unset: left as it is.' })),
    daemon_reload: Default(
      Type.Boolean({
        description:
          'Reload systemd first when it reports a changed unit file (NeedDaemonReload) or the unit is not loaded yet.',
      }),
      false,
    ),
    masked: Type.Optional(
      Type.Boolean({ description: 'Mask the unit (it cannot start) or unmask it; unset: left as it is.' }),
    ),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'systemd',
  aliases: [
    'ansible.builtin.systemd',
    'ansible.builtin.systemd_service',
    'systemd_service',
    'ansible.builtin.service',
    'service',
  ],
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
  returns: {
    status: {
      description: 'The unit before the task: LoadState, ActiveState, UnitFileState, NeedDaemonReload.',
      type: 'mapping',
    },
  },
  check: 'full',
  diff: 'full',
  reads: (a) => ({ unit: showRead(a.name) }),
  plan(a, seen, ctx): Plan {
    if (ctx.facts && !ctx.facts.systemd)
      return failedPlan(`${ctx.host}: systemd is not running (PID 1 is not systemd)`);
    if (seen.unit.rc !== 0) return failedPlan(`systemctl show ${a.name}: ${seen.unit.stderr.trim()}`);
    const unitFile = a.name.includes('.') ? a.name : `${a.name}.service`;
    // in check mode, what an earlier task of the run (a restart handler) would have left
    const s =
      (ctx.checkState(`systemd:${unitFile}`) as UnitState | undefined) ?? parseShow(seen.unit.stdout.toString());
    const u = unitPlan(
      a.name,
      s,
      { state: a.state, enabled: a.enabled, masked: a.masked, daemonReload: a.daemon_reload },
      ctx,
    );
    if (u.failed) return failedPlan(u.failed);
    if (!u.steps.length)
      return noChange(`${a.name}: ${u.status.ActiveState}, ${u.status.UnitFileState}`, { status: u.status });
    return {
      changed: true,
      steps: u.steps,
      checkState: { [`systemd:${unitFile}`]: u.wouldBe },
      diff: u.diff && [u.diff],
      msg: u.changes.join(', '),
      result: { status: u.status },
    };
  },
});
