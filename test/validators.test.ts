import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../src/module/types.js';
import { knownSchemas, precompiledSource } from '../src/playbook/precompile.js';
import { newAjv, PRECOMPILED_FILE, schemaKey } from '../src/playbook/validators.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * The build's precompiled validators (src/playbook/precompile.ts, dist/validators.cjs) must be
 * exactly what ajv.compile makes at run time: same verdicts, same errors, same defaults filled in.
 */
const require = createRequire(import.meta.url);
// beside the package's node_modules: the code requires ajv's runtime helpers
const file = join(packageRoot, 'dist', `.validators-test-${process.pid}.cjs`);
writeFileSync(file, await precompiledSource());
const pre = require(file) as Record<string, ValidateFunction>;
rmSync(file);
const ajv = newAjv();

/** Inputs that break a schema in the usual ways: nothing, an unknown key, each property of the wrong type. */
function samples(schema: JsonSchema): unknown[] {
  const props = Object.keys((schema as { properties?: object }).properties ?? {});
  return [
    {},
    { surely_not_an_argument: 1 },
    'a string',
    ...props.flatMap((p) => [{ [p]: 12 }, { [p]: 'text' }, { [p]: [1, { x: true }] }, { [p]: null }]),
  ];
}

test('every schema a run validates with has a precompiled validator', () => {
  for (const s of knownSchemas()) assert.type(pre[schemaKey(s)], 'function', JSON.stringify(s).slice(0, 120));
});

test('precompiled validators decide, report and fill in defaults as ajv.compile does', () => {
  let n = 0;
  for (const s of knownSchemas()) {
    const compiled = ajv.compile(s);
    const standalone = pre[schemaKey(s)];
    for (const sample of samples(s)) {
      const a = structuredClone(sample);
      const b = structuredClone(sample);
      const okA = compiled(a);
      const okB = standalone(b);
      assert.is(okB, okA, `${JSON.stringify(sample)} against ${JSON.stringify(s).slice(0, 80)}`);
      assert.equal(b, a, 'defaults filled in alike');
      assert.equal(standalone.errors ?? null, compiled.errors ?? null);
      n++;
    }
  }
  assert.ok(n > 500, `${n} samples`);
});

test('the build wrote every validator (dist/validators.cjs)', () => {
  const built = join(packageRoot, 'dist', 'src', 'playbook', 'validators.js');
  if (!existsSync(PRECOMPILED_FILE) || statSync(PRECOMPILED_FILE).mtimeMs < statSync(built).mtimeMs) {
    // a bare `tsc` leaves it out or older: runs compile with ajv, and `npm test` builds it first
    assert.not.ok(process.env.CI === 'true', 'npm run build writes dist/validators.cjs');
    console.log('  (dist/validators.cjs not built by `npm run build`: skipped)');
    return;
  }
  const shipped = require(PRECOMPILED_FILE) as Record<string, ValidateFunction>;
  for (const s of knownSchemas()) assert.type(shipped[schemaKey(s)], 'function');
});

test.run();
