import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../src/util/paths.js';
import { caseFiles, compareRuns, readDifferences, unpredictableInCheck } from './helpers/conformance.js';
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
  /** lbprov only: `play | task | host` -> the module and message of that result */
  details?: Map<string, { status: string; module: string; msg: string }>;
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
  const details = new Map<string, { status: string; module: string; msg: string }>();
  try {
    const doc = JSON.parse(r.stdout) as {
      plays: Array<{
        name: string;
        tasks: Array<{ name: string; module: string; hosts: Record<string, { status: string; msg?: string }> }>;
      }>;
      stats: Record<string, Record<string, number>>;
    };
    for (const p of doc.plays)
      for (const t of p.tasks)
        for (const [h, res] of Object.entries(t.hosts)) {
          statuses.push(`${p.name} | ${t.name} | ${h} = ${res.status}`);
          // a task name used twice in a play: the second is `name #2`
          let key = `${p.name} | ${t.name} | ${h}`;
          for (let n = 2; details.has(key); n++) key = `${p.name} | ${t.name} #${n} | ${h}`;
          details.set(key, { status: res.status, module: t.module, msg: res.msg ?? '' });
        }
    for (const [h, s] of Object.entries(doc.stats))
      recap[h] =
        `ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`;
  } catch {
    statuses.push(`(no JSON: exit ${r.code}: ${(r.stdout + r.stderr).slice(0, 300)})`);
  }
  return { code: r.code, statuses, recap, files: files(base), raw: r.stdout + r.stderr, details };
}

/** Every way the two outcomes of one run differ, as lines a differences.yml entry can match. */
function compare(a: Outcome, l: Outcome): string[] {
  // statuses sorted: the two tools interleave hosts differently
  const out = compareRuns({ ...a, statuses: [...a.statuses].sort() }, { ...l, statuses: [...l.statuses].sort() });
  for (const f of a.files.filter((x) => !l.files.includes(x))) out.push(`file only ansible: ${f}`);
  for (const f of l.files.filter((x) => !a.files.includes(x))) out.push(`file only lbprov: ${f}`);
  return out;
}

/**
 * Check = apply, task by task: lbprov's `--check` on a host must report for every task and host
 * the status the real apply that follows reports, on a fresh host (check, then the first apply)
 * and on a provisioned one (check, then the second apply). A task check mode cannot predict (a
 * command without creates/removes, uri, wait_for: `skipped ... in check mode`, as Ansible) is left
 * out; every other difference fails unless check-exceptions.yml lists it with its reason.
 */
async function checkPredictsApply(pb: string, base: string, args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const state of ['fresh', 'provisioned']) {
    const check = await lbprov(pb, base, 'check', args);
    const apply = await lbprov(pb, base, 'apply', args);
    const keys = new Set([...check.details!.keys(), ...apply.details!.keys()]);
    if (!keys.size)
      out.push(`(no results: check exit ${check.code}, apply exit ${apply.code}: ${check.raw.slice(0, 300)})`);
    let unpredictable = 0;
    for (const k of keys) {
      const c = check.details!.get(k);
      const a = apply.details!.get(k);
      if (c && unpredictableInCheck(c)) {
        unpredictable++;
        continue;
      }
      if (c?.status !== a?.status)
        out.push(`${state}: ${k}: check ${c?.status ?? 'absent'}, apply ${a?.status ?? 'absent'}`);
    }
    if (check.code !== apply.code && !unpredictable)
      out.push(`${state}: exit code: check ${check.code}, apply ${apply.code}`);
    predictions.compared += keys.size - unpredictable;
    predictions.unpredictable += unpredictable;
  }
  return out;
}

const differences = readDifferences();
const checkExceptions = readDifferences('check-exceptions.yml');
const predictions = { compared: 0, unpredictable: 0, misses: 0, exceptions: new Set<string>() };
const cases = caseFiles(join(here, 'cases'));
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
      const predicted = checkPredictsApply(pb, join(root, 'c'), m.args);
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
      const misses: string[] = [];
      for (const d of await predicted) {
        const known = checkExceptions.find((x) => x.case === c && new RegExp(x.match).test(d));
        if (known) predictions.exceptions.add(`${c}: ${known.reason}`);
        else misses.push(d);
        predictions.misses++;
      }
      assert.equal(unexplained, [], `${c} differs from Ansible (outputs in ${root})`);
      assert.equal(misses, [], `${c}: lbprov --check does not predict the apply that follows (in ${join(root, 'c')})`);
    });
  }
  test.after(() => {
    process.stdout.write(
      `\n  conformance: ${summary.playbooks} playbooks, ${summary.compared} task results compared, ${summary.identical} identical, ` +
        `${summary.deliberate.size} deliberate differences\n${[...summary.deliberate].map((d) => `    - ${d}\n`).join('')}` +
        `  check = apply: ${predictions.compared} task results predicted, ${predictions.compared - predictions.misses} as the apply reported, ` +
        `${predictions.unpredictable} left out (check mode cannot predict them), ${predictions.exceptions.size} exceptions\n` +
        [...predictions.exceptions].map((d) => `    - ${d}\n`).join(''),
    );
  });
}

test.run();
