import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/** Whether util-linux `script` (a pseudo-terminal for a command) is here. */
export const hasScript = (): boolean => existsSync('/usr/bin/script');

/**
 * `lbprov ARGS` on a pseudo-terminal: `script -qfec "exec node bin/lbprov.js ..."`. exec, so that no
 * shell sits between the pty and lbprov (`script -c` runs $SHELL -c, which is /bin/sh on CI), and
 * -e makes lbprov's exit status script's own. The screen comes back as a person reads it: ANSI
 * sequences stripped, every frame the view drew in order.
 */
export function onPty(args: string[]): Promise<{ code: number; screen: string }> {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const cmd = `exec ${[process.execPath, join(packageRoot, 'bin', 'lbprov.js'), ...args].map(quote).join(' ')}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // the live view is for people: CI=true and NO_COLOR pick the plain output
  delete env.CI;
  delete env.NO_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: packageRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, screen: strip(out) }));
  });
}

// eslint-disable-next-line no-control-regex -- ANSI escapes are what is stripped
export const strip = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
