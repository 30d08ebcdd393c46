import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineModule, type Plan } from '../src/module/types.js';
import { filesPlan, parseShow, showRead, unitPlan, type FileWant } from '../src/module/units.js';
import { renderWith } from '../src/playbook/template.js';
import { packageRoot } from '../src/util/paths.js';
import { shq } from '../src/util/quote.js';

interface Args {
  name: string;
  directory: string;
  port: number;
  interval: string;
  pin: string;
  counters: string;
}

const SCRIPT = readFileSync(join(packageRoot, 'templates', 'textfile-collector.sh.hbs'), 'utf8');

export function collectorFiles(a: Args): { files: FileWant[]; timer: string } {
  const unit = `lbprov-textfile-${a.name}`;
  const script = `/usr/local/bin/${unit}`;
  const files: FileWant[] = [
    {
      path: script,
      mode: '0755',
      content: renderWith(SCRIPT, { name: a.name, interval: a.interval, port: a.port, directory: shq(a.directory), pin: shq(a.pin), counters: shq(a.counters) }),
    },
    {
      path: `/etc/systemd/system/${unit}.service`,
      mode: '0644',
      unit: true,
      content: `# Written by lbprov (textfile_collector ${a.name}).\n[Unit]\nDescription=lbprov textfile collector ${a.name} for node_exporter\n\n[Service]\nType=oneshot\nExecStart=${script}\nNice=10\nNoNewPrivileges=yes\nPrivateTmp=yes\nProtectHome=yes\n`,
    },
    {
      path: `/etc/systemd/system/${unit}.timer`,
      mode: '0644',
      unit: true,
      content: `# Written by lbprov (textfile_collector ${a.name}).\n[Unit]\nDescription=Run the lbprov textfile collector ${a.name} every ${a.interval}\n\n[Timer]\nOnActiveSec=1s\nOnUnitActiveSec=${a.interval}\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n`,
    },
  ];
  return { files, timer: `${unit}.timer` };
}

/**
 * A node_exporter textfile collector: a script writing `lbprov_*` metrics (listeners, established
 * connections, per-listener accept queues, per-worker accepts, the pinned program's id and tag, the
 * imbalance ratio) atomically into the textfile directory, run by a systemd service and timer.
 */
export default defineModule<Args>({
  name: 'textfile_collector',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
      directory: { type: 'string', pattern: '^/', default: '/var/lib/prometheus/node-exporter' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      interval: { type: 'string', pattern: '^[0-9]+(ms|s|min|h)?$', default: '15s' },
      pin: { type: 'string', pattern: '^/', default: '/sys/fs/bpf/lb_hash' },
      counters: { type: 'string', pattern: '^/', default: '/run/lb-listener/accepts' },
    },
    required: ['name', 'port'],
    additionalProperties: false,
  },
  reads(a) {
    const { files, timer } = collectorFiles(a);
    return {
      ...Object.fromEntries(files.map((f, i) => [`f${i}`, { kind: 'file' as const, path: f.path }])),
      dir: { kind: 'stat', path: a.directory },
      timer: showRead(timer),
    };
  },
  plan(a, seen, ctx): Plan {
    if (ctx.facts && !ctx.facts.systemd) return { changed: false, steps: [], failed: `${ctx.host}: the collector's timer needs systemd (PID 1 is not systemd)` };
    const { files, timer } = collectorFiles(a);
    const steps: Plan['steps'] = [];
    const diff: NonNullable<Plan['diff']> = [];
    if (!seen.dir.stat) {
      steps.push({ op: 'exec', argv: ['mkdir', '-p', '-m', '0755', '--', a.directory] });
      diff.push({ path: a.directory, before: 'state: absent\n', after: 'state: directory\n' });
    } else if (seen.dir.stat.type !== 'directory') return { changed: false, steps: [], failed: `${a.directory} is not a directory` };
    const fp = filesPlan(files, (p) => seen[`f${files.findIndex((f) => f.path === p)}`]);
    steps.push(...fp.steps);
    diff.push(...(fp.diff ?? []));
    // the timer, as a `systemd` task with enabled: true, state: started, daemon_reload: true would have it
    const u = unitPlan(timer, parseShow(seen.timer.stdout.toString()), { enabled: true, state: 'started', daemonReload: true, filesChanged: fp.changedUnits }, ctx);
    if (u.failed) return { changed: false, steps: [], failed: u.failed };
    steps.push(...u.steps);
    if (u.diff) diff.push(u.diff);
    return { changed: steps.length > 0, steps, diff, msg: steps.length ? `collector ${a.name} -> ${a.directory}/lbprov_${a.name}.prom` : undefined, result: { file: `${a.directory}/lbprov_${a.name}.prom`, timer } };
  },
});
