import type { ShellLib } from '../module/types.js';
import { shellLib } from '../module/shell-lib.js';
import { FACTS_SCRIPT } from '../facts/sources.js';

/**
 * What a host's remote shell loads once: the executor's own primitives (prelude.sh: reads, steps,
 * writes, the answer frame) and the facts, then the shell functions of the modules the host's tasks
 * use (ModuleDef.shell), each file once. A module's functions go only to the hosts that run it.
 */
export const PRIMITIVES: ShellLib = (() => {
  const lib = shellLib('src/executor/prelude.sh');
  return {
    file: lib.file,
    text: `${lib.text}# lbprov_facts: every fact in one go (src/facts/sources.ts), read like any other read\nlbprov_facts() {\n${FACTS_SCRIPT}}\n`,
  };
})();

/** The shell libraries of these modules, each file once, in a fixed order. */
export function libsOf(defs: Iterable<{ shell?: ShellLib[] }>): ShellLib[] {
  const byFile = new Map<string, ShellLib>();
  for (const d of defs) for (const l of d.shell ?? []) byFile.set(l.file, l);
  return [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/** The text a remote shell loads: the primitives, then these libraries. */
export const preludeText = (libs: readonly ShellLib[]): string => [PRIMITIVES, ...libs].map((l) => l.text).join('\n');

/**
 * The libraries a script needs that its shell did not load (a task that a host's plays did not
 * show beforehand): the script defines them itself, for its own run.
 */
export const missingLibs = (loaded: readonly ShellLib[] | undefined, needed: readonly ShellLib[]): string =>
  needed
    .filter((n) => !loaded?.some((l) => l.file === n.file))
    .map((l) => `${l.text}\n`)
    .join('');

/** A script that runs on its own (`bash -s`), not through the remote shell. */
export const standalone = (body: string, libs: readonly ShellLib[] = []): string => `${preludeText(libs)}\n${body}`;
