import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../src/util/paths.js';
import { compareRuns, readDifferences } from './helpers/conformance.js';
import { skipped } from './helpers/skip.js';

/**
 * The differential conformance suite: every playbook in test/conformance/cases/ is run by Debian's
 * ansible-playbook and by lbprov, side by side, on the same three local "hosts", each tool in a
 * fresh directory of its own. Per run (apply, a second apply, check mode, ...) it compares the
 * status of every task on every host, the recap, the exit code and the files left behind. A
 * difference fails the suite unless test/conformance/differences.yml lists it with its reason.
 */
const test = suite('conformance with ansible-playbook');

const here = join(packageRoot, 'test', 'conformance');
const inventory = join(here, 'inventory.yml');
const ansiblePlaybook = '/usr/bin/ansible-playbook';

interface Outcome {
  code: number;
  /** `play | task | host = status`, in the order the tool reports them */
  statuses: string[];
  /** per host: ok changed unreachable failed skipped rescued ignored */
  recap: Record<string, string>;
  /** path type mode content-digest, the base directory's name replaced by BASE */
  files: string[];
  raw: string;
}

interface Meta {
  runs: string[];
  args: string[];
}

/** `#@ runs: [apply, apply]` and `#@ args: [...]` lines at the top of a case. */
function meta(text: string): Meta {
  const m: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const x = /^#@\s*(\w+):\s*(.*)$/.exec(line);
    if (x) m[x[1]] = parseYaml(x[2]);
  }
  return { runs: (m.runs as string[] | undefined) ?? ['apply', 'apply'], args: (m.args as string[] | undefined) ?? [] };
}

function runTool(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function files(base: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      const rel = relative(base, p);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out.push(`${rel} link -> ${readlinkSync(p).split(base).join('BASE')}`);
      else if (st.isDirectory()) {
        out.push(`${rel} dir ${mode}`);
        walk(p);
      } else {
        const text = readFileSync(p).toString('utf8').split(base).join('BASE');
        out.push(
          `${rel} file ${mode} ${createHash('sha256').update(text).digest('hex').slice(0, 12)} ${JSON.stringify(text.slice(0, 60))}`,
        );
      }
    }
  };
  if (existsSync(base)) walk(base);
  return out;
}

const statusOf = (r: Record<string, unknown>): string =>
  r.unreachable ? 'unreachable' : r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';

async function ansible(pb: string, base: string, mode: string, args: string[]): Promise<Outcome> {
  const r = await runTool(
    ansiblePlaybook,
    ['-i', inventory, pb, '-e', `base=${base}`, ...(mode === 'check' ? ['--check', '--diff'] : []), ...args],
    here,
    {
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCALHOST_WARNING: '0',
      ANSIBLE_DEPRECATION_WARNINGS: '0',
      ANSIBLE_SYSTEM_WARNINGS: '0',
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_FORKS: '5',
    },
  );
  const statuses: string[] = [];
  const recap: Record<string, string> = {};
  try {
    const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      plays: Array<{
        play: { name: string };
        tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }>;
      }>;
      stats: Record<string, Record<string, number>>;
    };
    for (const p of doc.plays)
      for (const t of p.tasks)
        for (const [h, res] of Object.entries(t.hosts))
          statuses.push(`${p.play.name} | ${t.task.name} | ${h} = ${statusOf(res)}`);
    for (const [h, s] of Object.entries(doc.stats))
      recap[h] =
        `ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failures} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`;
  } catch {
    statuses.push(`(no JSON: exit ${r.code}: ${(r.stdout + r.stderr).slice(0, 300)})`);
  }
  return { code: r.code, statuses, recap, files: files(base), raw: r.stdout + r.stderr };
}

async function lbprov(pb: string, base: string, mode: string, args: string[]): Promise<Outcome> {
  const r = await runTool(
    process.execPath,
    [
      join(packageRoot, 'bin', 'lbprov.js'),
      'apply',
      pb,
      '-i',
      inventory,
      '-e',
      `base=${base}`,
      '--json',
      ...(mode === 'check' ? ['--check', '--diff'] : []),
      ...args,
    ],
    here,
    { NO_COLOR: '1' },
  );
  const statuses: string[] = [];
  const recap: Record<string, string> = {};
  try {
    const doc = JSON.parse(r.stdout) as {
      plays: Array<{ name: string; tasks: Array<{ name: string; hosts: Record<string, { status: string }> }> }>;
      stats: Record<string, Record<string, number>>;
    };
    for (const p of doc.plays)
      for (const t of p.tasks)
        for (const [h, res] of Object.entries(t.hosts)) statuses.push(`${p.name} | ${t.name} | ${h} = ${res.status}`);
    for (const [h, s] of Object.entries(doc.stats))
      recap[h] =
        `ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`;
  } catch {
    statuses.push(`(no JSON: exit ${r.code}: ${(r.stdout + r.stderr).slice(0, 300)})`);
  }
  return { code: r.code, statuses, recap, files: files(base), raw: r.stdout + r.stderr };
}

/** Every way the two outcomes of one run differ, as lines a differences.yml entry can match. */
function compare(a: Outcome, l: Outcome): string[] {
  // statuses sorted: the two tools interleave hosts differently
  const out = compareRuns({ ...a, statuses: [...a.statuses].sort() }, { ...l, statuses: [...l.statuses].sort() });
  for (const f of a.files.filter((x) => !l.files.includes(x))) out.push(`file only ansible: ${f}`);
  for (const f of l.files.filter((x) => !a.files.includes(x))) out.push(`file only lbprov: ${f}`);
  return out;
}

const differences = readDifferences();
// LBPROV_CONFORMANCE_CASES=REGEX runs only the cases whose file name matches (while working on one)
const only = process.env.LBPROV_CONFORMANCE_CASES ? new RegExp(process.env.LBPROV_CONFORMANCE_CASES) : undefined;
const cases = readdirSync(join(here, 'cases'))
  .filter((f) => f.endsWith('.yml') && (!only || only.test(f)))
  .sort();
const summary = { playbooks: 0, compared: 0, identical: 0, deliberate: new Set<string>() };

if (!existsSync(ansiblePlaybook)) {
  const msg = 'conformance with ansible-playbook: needs /usr/bin/ansible-playbook (Debian package ansible)';
  if (process.env.CI) throw new Error(`${msg} (CI=true: .ci/run installs it)`);
  skipped.push(msg);
} else {
  for (const c of cases) {
    test(c, async () => {
      const pb = join(here, 'cases', c);
      const m = meta(readFileSync(pb, 'utf8'));
      const root = mkdtempSync(join(tmpdir(), `lbprov-conf-${c.replace(/\.yml$/, '')}-`));
      const baseA = join(root, 'a');
      const baseL = join(root, 'l');
      const unexplained: string[] = [];
      summary.playbooks++;
      for (const [i, mode] of m.runs.entries()) {
        const [a, l] = await Promise.all([ansible(pb, baseA, mode, m.args), lbprov(pb, baseL, mode, m.args)]);
        const keys = new Set([...a.statuses, ...l.statuses].map((s) => s.replace(/ = \w+$/, '')));
        const diffs = compare(a, l);
        summary.compared += keys.size;
        summary.identical += [...keys].filter((k) => !diffs.some((d) => d.includes(k))).length;
        for (const d of diffs.map((x) => `run ${i + 1} (${mode}): ${x}`)) {
          const known = differences.find((x) => x.case === c && new RegExp(x.match).test(d));
          if (known) summary.deliberate.add(`${c}: ${known.reason}`);
          else unexplained.push(d);
        }
        if (unexplained.length) {
          writeFileSync(join(root, `run${i + 1}-ansible.txt`), a.raw);
          writeFileSync(join(root, `run${i + 1}-lbprov.txt`), l.raw);
          break;
        }
      }
      assert.equal(unexplained, [], `${c} differs from Ansible (outputs in ${root})`);
    });
  }
  test.after(() => {
    process.stdout.write(
      `\n  conformance: ${summary.playbooks} playbooks, ${summary.compared} task results compared, ${summary.identical} identical, ` +
        `${summary.deliberate.size} deliberate differences\n${[...summary.deliberate].map((d) => `    - ${d}\n`).join('')}`,
    );
  });
}

test.run();
