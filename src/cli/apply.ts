import { matchHosts } from '../inventory/patterns.js';
import type { Inventory, Vars } from '../inventory/types.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import { exitCode, PlaybookRunner } from '../executor/play-runner.js';
import { selectedByTags } from '../executor/tags.js';
import type { Reporter } from '../executor/types.js';
import { JsonReporter } from '../report/json.js';
import { PlainReporter } from '../report/plain.js';
import { InputError, Problems } from '../util/errors.js';
import { RedactingReporter } from '../vault/redact.js';
import { parseExtraVars } from './extra-vars.js';
import { inventoryFrom } from './inventory-arg.js';
import { checkSshConfigFlag } from './ssh-config-flag.js';
import { precheckSsh } from './ssh-precheck.js';
import { askBecomePassword, resolveSettings, type ConnectionFlags, type Resolved } from './settings.js';
import { hostsToRetry, limitFrom, writeRetry } from './retry-file.js';
import { hasStartTask } from '../executor/start-at-task.js';

export interface ApplyFlags extends ConnectionFlags {
  inventory?: string[];
  check?: boolean;
  diff?: boolean;
  limit?: string;
  tags?: string;
  skipTags?: string;
  extraVars?: string[];
  json?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  syntaxCheck?: boolean;
  color?: boolean;
  sshConfig?: string;
  /** Default per-command timeout, seconds. */
  taskTimeout?: string;
  listTags?: boolean;
  startAtTask?: string;
}

const csv = (s: string | undefined): string[] =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

/** A flag that must be a whole number >= min. */
function wholeNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new InputError(`${flag} ${value}: expected a whole number >= ${min}`);
  return n;
}

export interface Prepared {
  pb: Playbook;
  inv: Inventory;
  extraVars: Vars;
  forks: number;
  timeout: number;
  settings: Resolved;
}

/** Everything that can go wrong before a host is contacted, reported at once (exit 5): flags, -e, playbook, inventory. */
export function prepare(playbookFile: string, flags: ApplyFlags): Prepared {
  const problems = new Problems();
  const settings = problems.collect(() => resolveSettings(flags));
  const forks = settings?.forks ?? 50;
  const timeout = problems.collect(() => wholeNumber('--task-timeout', flags.taskTimeout ?? '600', 1));
  const extraVars = problems.collect(() => parseExtraVars(flags.extraVars ?? []));
  const pb = problems.collect(() => loadPlaybook(playbookFile, { rolesPath: settings?.rolesPath }));
  // without valid settings the inventory is the flags' own (its problems are still reported)
  const inv = problems.collect(() =>
    inventoryFrom(settings?.inventory ?? flags.inventory, { scriptTimeoutS: settings?.scriptTimeoutS }),
  );
  problems.throwIfAny();
  for (const w of pb!.warnings ?? []) process.stderr.write(`[WARNING]: ${w}\n`);
  if (flags.limit) {
    // `@FILE`: the hosts a retry file names, every one of which must be in the inventory
    const limit = limitFrom(flags.limit);
    const { hosts, unmatched } = matchHosts(inv!, limit);
    if (!hosts.length || (flags.limit.startsWith('@') && unmatched.length))
      throw new InputError(
        `--limit ${flags.limit} matches no host of the inventory${unmatched.length ? ` (unknown: ${unmatched.join(', ')})` : ''}`,
      );
  }
  if (flags.startAtTask !== undefined && !hasStartTask(pb!, flags.startAtTask))
    throw new InputError(`--start-at-task ${flags.startAtTask}: no task of ${playbookFile} has that name`);
  return { pb: pb!, inv: inv!, extraVars: extraVars!, forks: forks, timeout: timeout!, settings: settings! };
}

export async function applyCommand(playbookFile: string, flags: ApplyFlags): Promise<number> {
  checkSshConfigFlag(flags.sshConfig);
  const { pb, inv, extraVars, forks, timeout, settings } = prepare(playbookFile, flags);
  const listing = flags.syntaxCheck || flags.listHosts || flags.listTasks || flags.listTags;
  // -K asks once, before any host is contacted; the answer is the lowest-precedence ansible_become_password
  const baseVars = { ...settings.baseVars };
  if (settings.askBecomePass && !listing) baseVars.ansible_become_password = await askBecomePassword();
  const tags = csv(flags.tags);
  const skipTags = csv(flags.skipTags);
  const runner = new PlaybookRunner(
    pb,
    inv,
    {
      check: !!flags.check,
      diff: !!flags.diff,
      forks,
      tags,
      skipTags,
      extraVars,
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutS: timeout,
      sshConfig: flags.sshConfig,
      baseVars,
      startAtTask: flags.startAtTask,
      reloadInventory: () =>
        inventoryFrom(settings.inventory ?? flags.inventory, { scriptTimeoutS: settings.scriptTimeoutS }),
    },
    new RedactingReporter(await pickReporter(flags)),
    flags.limit ? limitFrom(flags.limit) : undefined,
  );

  if (flags.syntaxCheck) {
    process.stdout.write(`\nplaybook: ${playbookFile}\n`);
    return 0;
  }
  if (flags.listHosts || flags.listTasks || flags.listTags) {
    process.stdout.write(`\nplaybook: ${playbookFile}\n`);
    for (const play of pb.plays) {
      process.stdout.write(
        `\n  play #${pb.plays.indexOf(play) + 1} (${play.hosts}): ${play.name}\tTAGS: [${play.tags.join(', ')}]\n`,
      );
      if (flags.listHosts) {
        const hosts = runner.playHosts(play);
        process.stdout.write(
          `    pattern: ['${play.hosts}']\n    hosts (${hosts.length}):\n${hosts.map((h) => `      ${h}\n`).join('')}`,
        );
      }
      if (flags.listTasks) {
        process.stdout.write('    tasks:\n');
        for (const t of play.tasks)
          if (t.meta !== 'role_complete' && selectedByTags(t.tags, tags, skipTags))
            process.stdout.write(`      ${t.name}\tTAGS: [${t.tags.join(', ')}]\n`);
      }
      if (flags.listTags) {
        // as ansible-playbook --list-tags: every tag of the play's selected tasks, sorted
        const all = new Set(play.tags);
        for (const t of [...play.tasks, ...play.handlers])
          if (selectedByTags(t.tags, tags, skipTags)) t.tags.forEach((x) => all.add(x));
        process.stdout.write(`      TASK TAGS: [${[...all].sort().join(', ')}]\n`);
      }
    }
    return 0;
  }
  precheckSsh(
    inv,
    pb.plays.flatMap((p) => runner.playHosts(p)),
    extraVars,
    flags.sshConfig,
  );
  // `on`, not `once`: signal-exit (under listr2's cursor handling on a terminal) re-raises a signal
  // when it sees no other listener left, which killed the run with no recap. A second signal ends
  // the run at once.
  const stop = (sig: NodeJS.Signals): void => {
    if (interrupted) process.exit(sig === 'SIGINT' ? 130 : 143);
    interrupted = true;
    runner.interrupt();
  };
  let interrupted = false;
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const stats = await runner.run();
  const retry = writeRetry(playbookFile, hostsToRetry(stats, runner.stopped));
  if (retry)
    (flags.json ? process.stderr : process.stdout).write(
      `\nto retry the hosts that did not finish: --limit @${retry}\n`,
    );
  return interrupted ? 99 : exitCode(stats, runner.stopped, runner.forgiven);
}

async function pickReporter(flags: ApplyFlags): Promise<Reporter> {
  if (flags.json) return new JsonReporter();
  if (process.stdout.isTTY && flags.color !== false && !process.env.NO_COLOR && !process.env.CI)
    return new (await import('../report/tty.js')).TtyReporter();
  return new PlainReporter();
}
