/**
 * bench/fleet: lbprov against its two references on the same lab hosts and the same work, in one
 * run: the hand-written floor (one ssh and one shell script per host, shared/bench/floor) and
 * Ansible 2.14 at its fastest settings (shared/bench/ansible), when ansible-playbook is installed
 * (`--install-ansible` installs Debian's). Every tool gets freshly booted hosts for its first apply.
 *
 *   npm run bench -- [--reps 3] [--hosts 10] [--light 50,200] [--ansible] [--install-ansible]
 *                    [--ansible-big] [--no-full] [--no-light] [--forks 50]
 *
 * Root only (it boots labs). Prints a Markdown table (medians of --reps runs, ratios lbprov/floor
 * and Ansible/lbprov, lbprov's peak RSS) and writes it to bench/last-run.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labDown, labUp, type LabState } from '../src/lab/lab.js';
import { packageRoot } from '../src/util/paths.js';

const argv = process.argv.slice(2);
const flag = (n: string): boolean => argv.includes(`--${n}`);
const opt = (n: string, d: string): string => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : d;
};
const REPS = Number(opt('reps', '3'));
const FULL = Number(opt('hosts', '10'));
const LIGHT = opt('light', '50,200').split(',').map(Number).filter(Boolean);
const FORKS = opt('forks', '50');
const shared = resolve(packageRoot, '..', 'shared', 'bench');
const sharedDir = existsSync(shared) ? shared : resolve(opt('shared', join(packageRoot, '..', 'shared')), 'bench');
const tmp = mkdtempSync(join(tmpdir(), 'lbprov-bench-'));

interface Run {
  seconds: number;
  rssMb?: number;
  ok: boolean;
  out: string;
}

/** Runs a command, timed by GNU time (wall seconds and peak RSS of the process tree's largest). */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): Run {
  const stats = join(tmp, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', stats, cmd, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 1 << 28,
  });
  const [secs, kb] = spawnSync('cat', [stats], { encoding: 'utf8' }).stdout.trim().split(/\s+/).slice(-2).map(Number);
  return { seconds: secs, rssMb: kb / 1024, ok: r.status === 0, out: `${r.stdout}\n${r.stderr}` };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

type Tool = 'lbprov' | 'floor' | 'ansible';
type Phase = 'first' | 'second' | 'check';

interface Scenario {
  name: string;
  hosts: number;
  light: boolean;
  lbprovPlaybook: string;
  lbprovArgs: string[];
  ansiblePlaybook: string;
}

function ansibleInventory(lab: LabState): string {
  const f = join(tmp, 'ansible-inventory.ini');
  writeFileSync(
    f,
    `[edge]\n${lab.hosts.map((h) => `${h.name} ansible_host=${h.address}`).join('\n')}\n\n[edge:vars]\nansible_user=root\nansible_ssh_private_key_file=${lab.key}\n`,
  );
  return f;
}

function runTool(tool: Tool, phase: Phase, s: Scenario, lab: LabState): Run | undefined {
  if (tool === 'lbprov') {
    const args = [
      join(packageRoot, 'bin', 'lbprov.js'),
      'apply',
      s.lbprovPlaybook,
      '-i',
      lab.inventory,
      '--forks',
      FORKS,
      ...s.lbprovArgs,
    ];
    if (phase === 'check') args.push('--check', '--diff');
    return timed(process.execPath, args);
  }
  if (tool === 'floor') {
    if (phase === 'check') return undefined;
    return timed('bash', [join(sharedDir, 'floor', 'apply.sh'), ...lab.hosts.map((h) => h.address)], { KEY: lab.key });
  }
  const args = ['-i', ansibleInventory(lab), join(sharedDir, 'ansible', s.ansiblePlaybook)];
  if (phase === 'check') args.push('--check', '--diff');
  return timed('ansible-playbook', args, { ANSIBLE_CONFIG: join(sharedDir, 'ansible', 'ansible.cfg') });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench boots labs: run it as root');
  if (!existsSync(join(sharedDir, 'floor', 'apply.sh')))
    throw new Error(`the references are not at ${sharedDir} (--shared DIR)`);
  if (flag('install-ansible') && spawnSync('which', ['ansible-playbook']).status !== 0) {
    spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible'], {
      stdio: 'inherit',
    });
  }
  const haveAnsible =
    spawnSync('which', ['ansible-playbook']).status === 0 && (flag('ansible') || flag('install-ansible'));
  const tools: Tool[] = ['lbprov', 'floor', ...(haveAnsible ? (['ansible'] as Tool[]) : [])];
  const scenarios: Scenario[] = [];
  const sameWork = ['-e', 'rollout_serial=100%', '--skip-tags', 'selftest,health'];
  if (!flag('no-full'))
    scenarios.push({
      name: `${FULL} full hosts, edge.yml`,
      hosts: FULL,
      light: false,
      lbprovPlaybook: join(packageRoot, 'playbooks', 'edge.yml'),
      lbprovArgs: sameWork,
      ansiblePlaybook: 'edge.yml',
    });
  if (!flag('no-light'))
    for (const n of LIGHT)
      scenarios.push({
        name: `${n} light hosts, no systemd`,
        hosts: n,
        light: true,
        lbprovPlaybook: join(packageRoot, 'bench', 'edge-light.yml'),
        // edge-light.yml takes the roles' defaults as vars_files, which rank above the lab
        // inventory's `nic_required: false` (a lab host has no ConnectX-7 or E810)
        lbprovArgs: ['-e', 'nic_required=false'],
        ansiblePlaybook: 'edge-light.yml',
      });

  const results = new Map<string, number[]>();
  const rss: number[] = [];
  const put = (k: string, v: number): void => void results.set(k, [...(results.get(k) ?? []), v]);
  for (const s of scenarios) {
    for (let rep = 0; rep < REPS; rep++) {
      for (const tool of tools) {
        // Ansible on the 200-host fleet takes a quarter of an hour a run: only when asked
        if (tool === 'ansible' && s.hosts > 50 && !flag('ansible-big')) continue;
        if (tool === 'ansible' && s.light && rep > 0) continue; // one Ansible run on a light fleet is plenty
        const lab = await labUp({ hosts: s.hosts, light: s.light });
        for (const phase of ['first', 'second', 'check'] as Phase[]) {
          const r = runTool(tool, phase, s, lab);
          if (!r) continue;
          if (!r.ok) throw new Error(`${tool} ${phase} on ${s.name} failed:\n${r.out.slice(-3000)}`);
          put(`${s.name}|${tool}|${phase}`, r.seconds);
          if (tool === 'lbprov' && r.rssMb) {
            rss.push(r.rssMb);
            put(`${s.name}|rss`, r.rssMb);
          }
          process.stderr.write(`${s.name} rep ${rep + 1}: ${tool} ${phase} ${r.seconds.toFixed(2)} s\n`);
        }
      }
    }
  }
  await labDown({ quiet: true });

  const m = (k: string): number => median(results.get(k) ?? []);
  const f = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '-');
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '-');
  const cpu = cpus();
  const lines = [
    `Machine: ${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, Node ${process.version}; lab hosts and controller share these CPUs.`,
    `Medians of ${REPS} run(s); every tool's first apply on freshly booted hosts; lbprov --forks ${FORKS}. lbprov runs edge.yml as the references do the work: all hosts in one batch (\`-e rollout_serial=100%\`) and without its self-test and health gates (\`--skip-tags selftest,health\`), which they do not have.`,
    '',
    '| hosts | run | lbprov | floor | Ansible | lbprov / floor | Ansible / lbprov |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of scenarios) {
    for (const phase of ['first', 'second', 'check'] as Phase[]) {
      const l = m(`${s.name}|lbprov|${phase}`);
      const fl = m(`${s.name}|floor|${phase === 'check' ? 'second' : phase}`);
      const a = m(`${s.name}|ansible|${phase}`);
      if (!Number.isFinite(l)) continue;
      const label =
        phase === 'first'
          ? 'first apply'
          : phase === 'second'
            ? 'second apply (nothing to change)'
            : "check + diff (vs the floor's second apply)";
      lines.push(`| ${s.name} | ${label} | ${f(l)} | ${f(fl)} | ${f(a)} | ${ratio(l, fl)} | ${ratio(a, l)} |`);
    }
  }
  lines.push('');
  for (const s of scenarios.filter((x) => x.light)) {
    lines.push(
      `- ${s.name}: lbprov ${((m(`${s.name}|lbprov|second`) / s.hosts) * 1000).toFixed(1)} ms per host (second apply), ${((m(`${s.name}|lbprov|first`) / s.hosts) * 1000).toFixed(1)} ms per host (first apply); peak RSS ${m(`${s.name}|rss`).toFixed(0)} MB`,
    );
  }
  lines.push(`- lbprov controller peak RSS over all runs: ${Math.max(...rss).toFixed(0)} MB`);
  lines.push('', `Reproduce: \`sudo npm run bench -- --reps ${REPS}${haveAnsible ? ' --install-ansible' : ''}\``);
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(join(packageRoot, 'bench', 'last-run.md'), `${table}\n`);
}

main().catch(async (e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  await labDown({ quiet: true }).catch(() => undefined);
  process.exitCode = 1;
});
