import type { Plan, Seen, Step } from './types.js';
import { parseShow } from '../../modules/systemd.js';

/** Plans for a set of files that make up one service (script + units), each written atomically. */
export interface FileWant {
  path: string;
  content: string;
  mode: string;
  /** systemd units are checked with systemd-analyze verify before they replace the old file. */
  unit?: boolean;
}

export function filesPlan(files: FileWant[], seen: (path: string) => Seen): { steps: Step[]; diff: Plan['diff']; changedUnits: boolean } {
  const steps: Step[] = [];
  const diff: NonNullable<Plan['diff']> = [];
  let changedUnits = false;
  for (const f of files) {
    const s = seen(f.path);
    const content = Buffer.from(f.content);
    if (s.stat && s.stdout.equals(content) && s.stat.mode === f.mode) continue;
    steps.push({ op: 'write', path: f.path, content, mode: f.mode, validate: f.unit ? ['systemd-analyze', 'verify', '%s'] : undefined });
    diff.push({ path: f.path, before: s.stat ? s.stdout.toString() : '', after: f.content });
    if (f.unit) changedUnits = true;
  }
  return { steps, diff, changedUnits };
}

/** daemon-reload when units changed, then enable and start `unit` unless it already is. */
export function enableNowSteps(unit: string, show: Seen, changedUnits: boolean): Step[] {
  const s = parseShow(show.stdout.toString());
  const steps: Step[] = [];
  if (changedUnits || s.NeedDaemonReload === 'yes' || s.LoadState === 'not-found') steps.push({ op: 'exec', argv: ['systemctl', 'daemon-reload'], what: 'systemctl daemon-reload' });
  const fresh = s.LoadState === 'not-found';
  if (fresh || s.UnitFileState !== 'enabled') steps.push({ op: 'exec', argv: ['systemctl', 'enable', '--', unit], what: `systemctl enable ${unit}` });
  if (fresh || !['active', 'activating'].includes(s.ActiveState)) steps.push({ op: 'exec', argv: ['systemctl', 'start', '--', unit], what: `systemctl start ${unit}` });
  else if (changedUnits) steps.push({ op: 'exec', argv: ['systemctl', 'restart', '--', unit], what: `systemctl restart ${unit}` });
  return steps;
}
