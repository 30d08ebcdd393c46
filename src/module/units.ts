import type { Plan, Seen, Step } from './types.js';
import { parseShow } from '../../modules/systemd.js';

/** Plans for a set of files that make up one service (script + units), each written atomically. */
export interface FileWant {
  path: string;
  content: string;
  mode: string;
  /** A systemd unit: a change means a daemon-reload. (Units lbprov writes itself are fixed text,
   * verified by its tests; user templates get `validate: systemd-analyze verify %s`.) */
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
    steps.push({ op: 'write', path: f.path, content, mode: f.mode });
    diff.push({ path: f.path, before: s.stat ? s.stdout.toString() : '', after: f.content });
    if (f.unit) changedUnits = true;
  }
  return { steps, diff, changedUnits };
}

/**
 * Enable and start `unit` unless it already is. `systemctl enable` reloads systemd itself, so an
 * explicit daemon-reload is planned only when nothing is enabled; `enable --now` is one call.
 */
export function enableNowSteps(unit: string, show: Seen, changedUnits: boolean): Step[] {
  const s = parseShow(show.stdout.toString());
  const fresh = s.LoadState === 'not-found';
  const running = !fresh && ['active', 'activating'].includes(s.ActiveState);
  if (fresh || s.UnitFileState !== 'enabled') {
    return [{ op: 'exec', argv: ['systemctl', 'enable', ...(running ? [] : ['--now']), '--', unit], what: `systemctl enable --now ${unit}` }];
  }
  const steps: Step[] = [];
  if (changedUnits || s.NeedDaemonReload === 'yes') steps.push({ op: 'exec', argv: ['systemctl', 'daemon-reload'], what: 'systemctl daemon-reload' });
  if (!running) steps.push({ op: 'exec', argv: ['systemctl', 'start', '--', unit], what: `systemctl start ${unit}` });
  else if (changedUnits) steps.push({ op: 'exec', argv: ['systemctl', 'restart', '--', unit], what: `systemctl restart ${unit}` });
  return steps;
}
