import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `lbprov` command as a user would, in `cwd` (default: the package root). */
export function lbprov(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'lbprov.js'), ...args], {
      cwd: opts.cwd ?? packageRoot,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface JsonRun {
  plays: Array<{
    name: string;
    tasks: Array<{
      name: string;
      module: string;
      hosts: Record<
        string,
        { status: string; msg?: string; diff?: Array<{ path: string; before: string; after: string }> }
      >;
    }>;
  }>;
  stats: Record<
    string,
    {
      ok: number;
      changed: number;
      unreachable: number;
      failed: number;
      skipped: number;
      rescued?: number;
      ignored?: number;
    }
  >;
}

/** `lbprov apply --json`, parsed; throws with stderr when stdout is not one JSON document. */
export async function applyJson(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; run: JsonRun; stderr: string }> {
  const r = await lbprov(['apply', '--json', ...args], opts);
  try {
    return { code: r.code, run: JSON.parse(r.stdout) as JsonRun, stderr: r.stderr };
  } catch {
    throw new Error(`lbprov apply --json ${args.join(' ')} gave no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** (task name, host) pairs with a given status, sorted: what a run changed, for comparing runs. */
export function withStatus(run: JsonRun, status: string): string[] {
  const out: string[] = [];
  for (const p of run.plays)
    for (const t of p.tasks)
      for (const [h, r] of Object.entries(t.hosts)) if (r.status === status) out.push(`${t.name} @ ${h}`);
  return out.sort();
}

/**
 * Runs `lbprov` on a pseudo-terminal (util-linux `script`), as a person at a terminal would, and
 * types `answer` once `prompt` shows: for -K. The output is what the terminal showed.
 */
export function lbprovOnTty(args: string[], prompt: string, answer: string): Promise<CliResult> {
  const cmd = [process.execPath, join(packageRoot, 'bin', 'lbprov.js'), ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
      cwd: packageRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let typed = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!typed && stdout.includes(prompt)) {
        typed = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
