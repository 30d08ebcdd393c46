// The second half of `npm run build` (after tsc): what makes lbprov start fast.
// 1. dist/validators.cjs: every play/task/module schema's validator, precompiled by ajv
//    (src/playbook/precompile.ts), so a run neither loads ajv nor compiles schemas.
// 2. dist/lbprov.mjs: the compiled CLI (dist/src/cli/main.js and everything it imports,
//    dependencies included) in one ES module, which bin/lbprov.js loads when it is newer than the
//    compiled files. Node 20 has no compile cache: resolving, reading and compiling ~300 files
//    (typebox alone ~90 ms) cost a third of a second apply's wall time (bench/fleet.ts). ssh2 stays
//    outside: it loads its optional native crypto binding by path.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { precompiledSource } = await import(join(root, 'dist/src/playbook/precompile.js'));
const { PRECOMPILED_FILE } = await import(join(root, 'dist/src/playbook/validators.js'));
writeFileSync(PRECOMPILED_FILE, await precompiledSource());
await build({
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile: join(root, 'dist/lbprov.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  // CommonJS dependencies call require(): give the bundle one
  banner: {
    js: "import { createRequire as lbprovRequire } from 'node:module'; const require = lbprovRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
