import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Default, type ArgsOf } from '../src/module/args.js';
import { filesPlan, parseShow, showRead, unitPlan, type FileWant } from '../src/module/units.js';
import { renderWith } from '../src/playbook/template.js';
import { packageRoot } from '../src/util/paths.js';
import { shq } from '../src/util/quote.js';

const absolute = (description: string) => Type.String({ pattern: '^/', patternMeans: 'an absolute path', description });
const schema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9_-]*$',
      patternMeans: 'a name of lowercase letters, digits, - and _',
      description: 'Names the collector: its script, units and lbprov_NAME.prom file.',
    }),
    directory: Default(absolute("node_exporter's textfile directory."), '/var/lib/prometheus/node-exporter'),
    port: Type.Integer({ minimum: 1, maximum: 65535, description: "The listener's port." }),
    interval: Default(
      Type.String({
        pattern: '^[0-9]+(ms|s|min|h)?$',
        patternMeans: 'a systemd time span like 15s',
        description: 'How often the timer runs the script.',
      }),
      '15s',
    ),
    pin: Default(absolute('The pinned program whose id and tag are reported.'), '/sys/fs/bpf/lb_hash'),
    counters: Default(absolute("The listener's per-worker accept counters."), '/run/lb-listener/accepts'),
  },
  { additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

const SCRIPT = readFileSync(join(packageRoot, 'templates', 'textfile-collector.sh.hbs'), 'utf8');

export function collectorFiles(a: Args): { files: FileWant[]; timer: string } {
  const unit = `lbprov-textfile-${a.name}`;
  const script = `/usr/local/bin/${unit}`;
  const files: FileWant[] = [
    {
      path: script,
      mode: '0755',
      // the listener writes its status (the program it attached) beside its counters
      content: renderWith(SCRIPT, {
        name: a.name,
        interval: a.interval,
        port: a.port,
        directory: shq(a.directory),
        pin: shq(a.pin),
        counters: shq(a.counters),
        status: shq(join(dirname(a.counters), 'status')),
      }),
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

export default defineModule({
  name: 'textfile_collector',
  schema,
  description: 'A node_exporter textfile collector of lbprov_* listener metrics, run by a systemd timer.',
  notes: [
    "The script writes listeners, established connections, per-listener accept queues, per-worker accepts, the pinned program's id and tag, the program the listener has attached (from its status file beside the counters, and whether it is the pinned one) and the imbalance ratio atomically into the textfile directory.",
    'Needs systemd as PID 1.',
  ],
  examples: `- name: textfile collector
  textfile_collector:
    name: reuseport
    port: 8080
    interval: 15s
`,
  returns: {
    file: { description: 'The .prom file the collector writes.', type: 'string' },
    timer: { description: 'Its timer unit.', type: 'string' },
  },
  check: 'full',
  diff: 'full',
  reads(a) {
    const { files, timer } = collectorFiles(a);
    return {
      ...Object.fromEntries(files.map((f, i) => [`f${i}`, { kind: 'file' as const, path: f.path }])),
      dir: { kind: 'stat', path: a.directory },
      timer: showRead(timer),
    };
  },
  plan(a, seen, ctx): Plan {
    if (ctx.facts && !ctx.facts.systemd)
      return {
        changed: false,
        steps: [],
        failed: `${ctx.host}: the collector's timer needs systemd (PID 1 is not systemd)`,
      };
    const { files, timer } = collectorFiles(a);
    const steps: Plan['steps'] = [];
    const diff: NonNullable<Plan['diff']> = [];
    if (!seen.dir.stat) {
      steps.push({ op: 'exec', argv: ['mkdir', '-p', '-m', '0755', '--', a.directory] });
      diff.push({ path: a.directory, before: 'state: absent\n', after: 'state: directory\n' });
    } else if (seen.dir.stat.type !== 'directory') return failedPlan(`${a.directory} is not a directory`);
    const fp = filesPlan(files, (p) => seen[`f${files.findIndex((f) => f.path === p)}`]);
    steps.push(...fp.steps);
    diff.push(...(fp.diff ?? []));
    // the timer, as a `systemd` task with enabled: true, state: started, daemon_reload: true would have it
    const u = unitPlan(
      timer,
      parseShow(seen.timer.stdout.toString()),
      { enabled: true, state: 'started', daemonReload: true, filesChanged: fp.changedUnits },
      ctx,
    );
    if (u.failed) return failedPlan(u.failed);
    steps.push(...u.steps);
    if (u.diff) diff.push(u.diff);
    return {
      changed: steps.length > 0,
      steps,
      diff,
      msg: steps.length ? `collector ${a.name} -> ${a.directory}/lbprov_${a.name}.prom` : undefined,
      result: { file: `${a.directory}/lbprov_${a.name}.prom`, timer },
    };
  },
});
