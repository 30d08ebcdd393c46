#!/usr/bin/env node
// The lbprov command. `npm install` (prepare) or `npm run build` compiles the TypeScript to dist/
// and bundles it (scripts/bundle.mjs) into dist/lbprov.cjs with V8's code cache for it: loaded
// that way, a run starts in a fraction of the time hundreds of ES modules take.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const entry = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/lbprov.cjs', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('lbprov: not built yet; run `npm install` (or `npm run build`) in the lbprov folder\n');
  process.exit(1);
}
// a closed pipe (`lbprov ... | head`) ends lbprov quietly, as it does other Unix tools
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

/** The bundle, compiled with its code cache when there is one (V8 checks it fits, else compiles). */
function loadBundle() {
  const cacheFile = `${bundle}.cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { main: module.exports.main, script };
}

// the bundle only when it was made from the compiled files there now (a bare `tsc` leaves it older)
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(entry).mtimeMs;
const { main, script } = fresh ? loadBundle() : await import(new URL('../dist/src/cli/main.js', import.meta.url).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// the build's warm-up run (scripts/bundle.mjs) keeps what it compiled
if (script && process.env.LBPROV_WRITE_CODE_CACHE)
  writeFileSync(process.env.LBPROV_WRITE_CODE_CACHE, script.createCachedData());
// ssh2 keepalive timers must not hold the process once the run is over
setImmediate(() => process.exit(code));
