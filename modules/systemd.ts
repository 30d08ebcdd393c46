import { defineModule, noChange, type Plan } from '../src/module/types.js';
import { parseShow, showRead, unitPlan, type UnitState } from '../src/module/units.js';

interface Args {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  daemon_reload: boolean;
  masked?: boolean;
}

/**
 * systemd units: enabled, masked, started/stopped/restarted/reloaded. `daemon_reload` reloads only
 * when systemd says a unit file changed on disk (NeedDaemonReload) or a new unit is not loaded yet,
 * so a batch of unit changes costs one reload, by whichever systemd task comes first.
 */
export default defineModule<Args>({
  name: 'systemd',
  aliases: ['ansible.builtin.systemd', 'ansible.builtin.systemd_service', 'systemd_service', 'ansible.builtin.service', 'service'],
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      state: { enum: ['started', 'stopped', 'restarted', 'reloaded'] },
      enabled: { type: 'boolean' },
      daemon_reload: { type: 'boolean', default: false },
      masked: { type: 'boolean' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  reads: (a) => ({ unit: showRead(a.name) }),
  plan(a, seen, ctx): Plan {
    if (ctx.facts && !ctx.facts.systemd) return { changed: false, steps: [], failed: `${ctx.host}: systemd is not running (PID 1 is not systemd)` };
    if (seen.unit.rc !== 0) return { changed: false, steps: [], failed: `systemctl show ${a.name}: ${seen.unit.stderr.trim()}` };
    const unitFile = a.name.includes('.') ? a.name : `${a.name}.service`;
    // in check mode, what an earlier task of the run (a restart handler) would have left
    const s = (ctx.checkState(`systemd:${unitFile}`) as UnitState | undefined) ?? parseShow(seen.unit.stdout.toString());
    const u = unitPlan(a.name, s, { state: a.state, enabled: a.enabled, masked: a.masked, daemonReload: a.daemon_reload }, ctx);
    if (u.failed) return { changed: false, steps: [], failed: u.failed };
    if (!u.steps.length) return noChange(`${a.name}: ${u.status.ActiveState}, ${u.status.UnitFileState}`, { status: u.status });
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
