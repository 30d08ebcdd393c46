#!/usr/bin/env node
// The lbprov command. The TypeScript is compiled to dist/ by `npm install` (prepare) or `npm run build`,
// which also bundles it into dist/lbprov.mjs (scripts/bundle.mjs): one file loads faster than hundreds.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
const bundle = new URL('../dist/lbprov.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('lbprov: not built yet; run `npm install` (or `npm run build`) in the lbprov folder\n');
  process.exit(1);
}
// the bundle only when it was made from the compiled files there now (a bare `tsc` leaves it older)
const fresh = existsSync(fileURLToPath(bundle)) && statSync(bundle).mtimeMs >= statSync(entry).mtimeMs;
// a closed pipe (`lbprov ... | head`) ends lbprov quietly, as it does other Unix tools
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import((fresh ? bundle : entry).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// ssh2 keepalive timers must not hold the process once the run is over
setImmediate(() => process.exit(code));
