/**
 * The test runner behind `npm test`: every compiled *.test.js under dist/test, in one uvu run,
 * then one closing line `N passed, N failed, N skipped` (what CI reads). A lab that the
 * integration suites booted is torn down here, whatever happened.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipped } from './helpers/skip.js';
import { teardownLab } from './helpers/lab.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// `--pure`: every suite but test/integration/ (they boot a lab); for helpers without a lab slot
const pure = process.argv.includes('--pure');
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));

/**
 * Lab suites that need hosts no other suite has provisioned yet (edge.test: check mode on
 * never-provisioned hosts predicts the first apply) run before the other lab suites.
 */
const FRESH_HOSTS = ['integration/edge.test.js'];
const rank = (f: string): number =>
  !f.includes('/integration/') ? 0 : FRESH_HOSTS.includes(relative(here, f).split('\\').join('/')) ? 1 : 2;

function find(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'helpers' ? [] : find(p);
    return f.endsWith('.test.js') ? [p] : [];
  });
}

const files = find(here)
  // the filter looks at the path under dist/test only: a checkout's own path must not match it
  .filter(
    (f) => (!filter || relative(here, f).includes(filter)) && !(pure && relative(here, f).startsWith('integration/')),
  )
  // pure suites first, the lab's last: fast feedback, and one lab boot serves every integration suite
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

let text = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
  text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
};

const stop = async (): Promise<void> => {
  await teardownLab();
  process.exit(130);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

const { run } = (await import('uvu/run')) as {
  run: (suites: Array<{ name: string; file: string }>, opts?: { bail?: boolean }) => Promise<void>;
};
try {
  await run(files.map((f) => ({ name: relative(here, f), file: f })));
} finally {
  await teardownLab();
}
process.stdout.write = write;
// eslint-disable-next-line no-control-regex -- strips uvu's ANSI colour codes (ESC [ ... m)
const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const failed = total - passed;
if (skipped.length) {
  process.stdout.write(`\nSkipped (${skipped.length}):\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
process.exitCode = failed || total === 0 ? 1 : 0;
