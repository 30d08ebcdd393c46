// The second half of `npm run build` (after tsc): what makes lbprov start fast. Node 20 has no
// compile cache; resolving, reading and compiling some 300 files and 15 schemas on every run cost a
// third of a second apply's wall time (bench/fleet.ts).
// 1. dist/validators.cjs: every play/task/module schema's validator, precompiled by ajv
//    (src/playbook/precompile.ts), so a run neither loads ajv nor compiles a schema.
// 2. dist/lbprov.cjs: the compiled CLI (dist/src/cli/main.js and everything it imports,
//    dependencies included) in one CommonJS file; ssh2 stays outside (it loads its optional native
//    crypto binding by path). CommonJS, because V8 can cache its compiled code:
// 3. dist/lbprov.cjs.cache: V8's code cache for it, made by one `--list-tasks` run of edge.yml,
//    so the functions a run starts with are not compiled again (bin/lbprov.js loads both).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { precompiledSource } = await import(join(root, 'dist/src/playbook/precompile.js'));
const { PRECOMPILED_FILE } = await import(join(root, 'dist/src/playbook/validators.js'));
writeFileSync(PRECOMPILED_FILE, await precompiledSource());

const bundle = join(root, 'dist/lbprov.cjs');
rmSync(`${bundle}.cache`, { force: true });
await build({
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  // the sources are ES modules: import.meta.url is this file's URL
  define: { 'import.meta.url': 'lbprovBundleUrl' },
  banner: { js: "const lbprovBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
const warm = spawnSync(
  process.execPath,
  [
    join(root, 'bin/lbprov.js'),
    'apply',
    join(root, 'playbooks/edge.yml'),
    '-i',
    join(root, 'inventory/prod.yml'),
    '--list-tasks',
  ],
  { env: { ...process.env, LBPROV_WRITE_CODE_CACHE: `${bundle}.cache` }, encoding: 'utf8' },
);
if (warm.status !== 0) throw new Error(`the bundle does not run: ${warm.stderr || warm.stdout}`);
