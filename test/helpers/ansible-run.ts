import { spawnSync } from 'node:child_process';
import type { JsonRun } from './cli.js';

/** What ansible-playbook's json callback prints (the parts the comparisons read). */
export interface AnsibleJson {
  plays: Array<{
    tasks: Array<{
      task: { name: string };
      hosts: Record<string, { msg?: unknown; changed?: boolean; failed?: boolean; skipped?: boolean }>;
    }>;
  }>;
  stats: Record<
    string,
    {
      ok: number;
      changed: number;
      failures: number;
      skipped: number;
      rescued: number;
      ignored: number;
      unreachable: number;
    }
  >;
}

/** `ansible-playbook ARGS` with the json callback, parsed (a failed host still gives JSON). */
export function ansiblePlaybook(args: string[]): AnsibleJson {
  const r = spawnSync('ansible-playbook', args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'false',
    },
  });
  if (!r.stdout.trim().startsWith('{')) throw new Error(`ansible-playbook ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as AnsibleJson;
}

type Plays = JsonRun['plays'];

/** Ansible's json output in lbprov's shape (status from the result flags). */
export const asLbprov = (a: AnsibleJson): Plays =>
  a.plays.map((p) => ({
    name: '',
    tasks: p.tasks.map((t) => ({
      name: t.task.name,
      module: '',
      hosts: Object.fromEntries(
        Object.entries(t.hosts).map(([h, r]) => [
          h,
          {
            status: r.skipped ? 'skipped' : r.failed ? 'failed' : r.changed ? 'changed' : 'ok',
            msg: typeof r.msg === 'string' ? r.msg : undefined,
          },
        ]),
      ),
    })),
  }));

/**
 * Each host's trace: every task it ran, in order, with its status, and the message of debug
 * tasks that start `T:` (they print the variables under test). Include tasks are left out (Ansible
 * reports them in its own way).
 */
export function trace(plays: Plays): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of plays) {
    for (const t of p.tasks) {
      if (/^include_(tasks|role)\b/.test(t.name) || t.name === 'looped include') continue;
      for (const [h, r] of Object.entries(t.hosts))
        (out[h] ??= []).push(`${t.name}: ${r.status}${r.msg?.startsWith('T:') ? ` ${r.msg}` : ''}`);
    }
  }
  return out;
}

/** The recap line of each host, from lbprov's --json or Ansible's json. */
export function recap(run: JsonRun | AnsibleJson): Record<string, string> {
  return Object.fromEntries(
    Object.entries(
      run.stats as Record<
        string,
        { ok: number; changed: number; failed?: number; failures?: number; skipped: number; rescued?: number }
      >,
    ).map(([h, s]) => [
      h,
      `ok=${s.ok} changed=${s.changed} failed=${s.failed ?? s.failures} skipped=${s.skipped} rescued=${s.rescued ?? 0}`,
    ]),
  );
}

/** (task @ host) of every changed result, sorted. */
export const changedTasks = (plays: Plays): string[] =>
  plays
    .flatMap((p) =>
      p.tasks.flatMap((t) =>
        Object.entries(t.hosts)
          .filter(([, x]) => x.status === 'changed')
          .map(([h]) => `${t.name} @ ${h}`),
      ),
    )
    .sort();
