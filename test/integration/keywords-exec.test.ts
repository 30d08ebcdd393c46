import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { haveAnsible } from '../helpers/ansible.js';
import { applyJson, lbprov, type JsonRun } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * The execution keywords (delegate_to, run_once, throttle, environment, ignore_unreachable) on
 * three lab hosts over SSH, run by ansible-playbook and by lbprov on the same hosts: per host the
 * same tasks in the same order with the same values (debug lines starting T:), the same recap, the
 * same files on the delegate and the same throttled order on the controller.
 */
const test = suite('execution keywords on the lab');
const here = join(packageRoot, 'test', 'keywords-exec');
const site = join(here, 'site.yml');
const HOSTS = ['h1', 'h2', 'h3'];
let lab: LabState;
let inv: string[];
let sshArgs: string;

interface AnsibleResult {
  msg?: unknown;
  changed?: boolean;
  failed?: boolean;
  skipped?: boolean;
  unreachable?: boolean;
}
interface AnsibleJson {
  plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, AnsibleResult> }> }>;
  stats: Record<string, Record<string, number>>;
}

/** Per host: `task: status [T:message]`, in the order the tool ran them. */
type Trace = Record<string, string[]>;

function traceOf(tasks: Array<{ name: string; hosts: Record<string, { status: string; msg?: string }> }>): Trace {
  const out: Trace = {};
  for (const t of tasks)
    for (const [h, r] of Object.entries(t.hosts))
      (out[h] ??= []).push(`${t.name}: ${r.status}${r.msg?.startsWith('T:') ? ` ${r.msg}` : ''}`);
  return out;
}

const ansibleStatus = (r: AnsibleResult): string =>
  r.unreachable ? 'unreachable' : r.skipped ? 'skipped' : r.failed ? 'failed' : r.changed ? 'changed' : 'ok';

function recapOf(stats: Record<string, Record<string, number>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stats).map(([h, s]) => [
      h,
      `ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed ?? s.failures} skipped=${s.skipped} ignored=${s.ignored}`,
    ]),
  );
}

async function reset(logdir: string): Promise<void> {
  // sudo resolves the host's own name: without it in /etc/hosts each sudo waits for DNS (~20 s)
  for (const h of HOSTS)
    await sh(
      lab,
      h,
      'rm -rf /srv/kw && mkdir -p /srv/kw && { grep -q " $(hostname)$" /etc/hosts || echo "127.0.1.1 $(hostname)" >> /etc/hosts; }',
    );
  writeFileSync(join(logdir, 'throttle.log'), '');
}

/** What one tool did: the trace, the recap, the exit code, h3's files and the controller's log. */
interface Seen {
  code: number;
  trace: Trace;
  recap: Record<string, string>;
  onH3: string;
  onH1: string;
  log: string;
}

async function after(logdir: string): Promise<Pick<Seen, 'onH3' | 'onH1' | 'log'>> {
  return {
    onH3: (await sh(lab, 'h3', 'cd /srv/kw && for f in *; do echo "$f: $(cat "$f")"; done')).out,
    onH1: (await sh(lab, 'h1', 'ls -A /srv/kw')).out,
    log: readFileSync(join(logdir, 'throttle.log'), 'utf8'),
  };
}

async function runAnsible(): Promise<Seen> {
  const logdir = mkdtempSync(join(tmpdir(), 'lbprov-kw-ansible-'));
  await reset(logdir);
  const r = spawnSync('ansible-playbook', [...inv, site, '-e', `logdir=${logdir}`, sshArgs], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'false',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_FORKS: '5',
      ANSIBLE_TIMEOUT: '30',
    },
  });
  const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as AnsibleJson;
  const tasks = doc.plays.flatMap((p) =>
    p.tasks.map((t) => ({
      name: t.task.name,
      hosts: Object.fromEntries(
        Object.entries(t.hosts).map(([h, x]) => [
          h,
          { status: ansibleStatus(x), msg: typeof x.msg === 'string' ? x.msg : undefined },
        ]),
      ),
    })),
  );
  return { code: r.status ?? -1, trace: traceOf(tasks), recap: recapOf(doc.stats), ...(await after(logdir)) };
}

async function runLbprov(): Promise<Seen & { run: JsonRun }> {
  const logdir = mkdtempSync(join(tmpdir(), 'lbprov-kw-lbprov-'));
  await reset(logdir);
  const r = await applyJson([site, ...inv, '-e', `logdir=${logdir}`]);
  return {
    code: r.code,
    run: r.run,
    trace: traceOf(r.run.plays.flatMap((p) => p.tasks)),
    recap: recapOf(r.run.stats),
    ...(await after(logdir)),
  };
}

if (
  requireRoot('execution keywords on the lab', labMissing()) &&
  haveAnsible('execution keywords on the lab', 'ansible-playbook')
) {
  let ours: Awaited<ReturnType<typeof runLbprov>>;
  test.before(async () => {
    lab = await sharedLab(3);
    inv = ['-i', lab.inventory, '-i', join(here, 'overrides.yml')];
    sshArgs = `--ssh-common-args=-o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes`;
    ours = await runLbprov();
  });

  test('delegate_to: the delegate runs it with the delegating host vars; results are the delegating host', () => {
    assert.is(ours.onH3, 'from-h1: h3 play-h1 one\nfrom-h2: h3 play-h2 two\n', ours.onH3);
    assert.is(ours.onH1, '', 'nothing ran on h1 itself');
    const h1 = ours.trace.h1;
    assert.ok(h1.includes("delegated to h3 with the delegating host's vars: changed"), h1.join('\n'));
    assert.ok(ours.trace.h3.includes("delegated to h3 with the delegating host's vars: skipped"));
    // the delegate's become user (h3's ansible_become_user), for every delegating host
    for (const h of HOSTS) assert.ok(ours.trace[h].includes('show who: ok T:who nobody'), ours.trace[h].join('\n'));
    const task = ours.run.plays[0].tasks.find((t) => t.name === "delegated to h3 with the delegating host's vars")!;
    assert.is((task.hosts.h1 as { delegate?: string }).delegate, 'h3');
  });

  test('run_once: the first host runs it, every host gets the result; once per serial batch', () => {
    assert.ok(ours.trace.h1.includes('once: ok'));
    assert.not.ok(
      ours.trace.h2.some((l) => l.startsWith('once:')),
      'h2 did not run it',
    );
    for (const h of HOSTS) {
      assert.ok(ours.trace[h].includes('show once: ok T:once h1'), ours.trace[h].join('\n'));
      assert.ok(ours.trace[h].includes('show once on h3: ok T:once3 h3'));
    }
    assert.ok(ours.trace.h2.includes('show batch: ok T:batch h1'));
    assert.ok(ours.trace.h3.includes('show batch: ok T:batch h3'), 'the second batch ran it again');
  });

  test('environment: merged, templated, quoted, through become', () => {
    assert.ok(
      ours.trace.h2.includes("show environment: ok T:env play-h2|it's two $HOME|root"),
      ours.trace.h2.join('\n'),
    );
  });

  test('throttle: 1 runs the task on one host at a time', () => {
    assert.match(ours.log, /^(start h\d\nend\n){3}$/);
  });

  test('ignore_unreachable: counted ok and ignored, the host goes on until a task that does not ignore it', () => {
    assert.equal(ours.trace.ghost, [
      'ignored unreachable: unreachable',
      'the host goes on: ok T:goes on ghost',
      'not ignored: unreachable',
    ]);
    assert.is(ours.recap.ghost, 'ok=2 changed=0 unreachable=1 failed=0 skipped=0 ignored=1');
    assert.is(ours.code, 4);
  });

  test('ansible-playbook on the same hosts: the same tasks, order, values, recap, files and exit code', async () => {
    const theirs = await runAnsible();
    assert.equal(ours.trace, theirs.trace);
    assert.equal(ours.recap, theirs.recap);
    assert.is(ours.onH3, theirs.onH3);
    assert.is(ours.onH1, theirs.onH1);
    assert.is(ours.code, theirs.code);
    assert.match(theirs.log, /^(start h\d\nend\n){3}$/);
  });

  test('environment values never reach a remote process argv', async () => {
    const pb = join(mkdtempSync(join(tmpdir(), 'lbprov-kw-env-')), 'env.yml');
    writeFileSync(
      pb,
      `- hosts: h1
  gather_facts: false
  tasks:
    - name: look for the value in every command line
      # the pattern is built at run time and handed to grep in a file, so neither this command's line
      # nor grep's own (which the /proc glob may catch, racing with the pipeline) holds it
      shell: 'p=kw-sec; p=$p"ret-4711"; f=$(mktemp); printf "%s\\n" "$p" > "$f"; test "$KW_SECRET" = "$p" && cat /proc/[0-9]*/cmdline | tr "\\0" "\\n" | grep -c -F -f "$f"; rm -f "$f"; true'
      environment: { KW_SECRET: kw-secret-4711 }
      register: seen
    - debug: { msg: "T:{{ seen.stdout }}" }
`,
    );
    const r = await lbprov(['apply', pb, ...inv, '-vvv']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /T:0\b/);
    assert.not.match(r.stdout + r.stderr, /kw-secret-4711/, '-vvv does not print the value');
  });
}

test.run();
