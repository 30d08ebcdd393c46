import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../module/types.js';
import { packageRoot } from '../util/paths.js';

/**
 * Validators for the play/task shapes and every module's arguments. The build precompiles them
 * (src/playbook/precompile.ts writes dist/validators.cjs with ajv's standalone code), so a run
 * neither loads ajv nor compiles a schema: that was ~0.15 s of every run's start. A schema the
 * build did not see (a tsc-only build, a changed module) is compiled here, with the same options.
 */

/** ajv's options: every error, defaults filled in, verbose (errors carry their schema's description). */
export const AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: false, verbose: true } as const;

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;

/** One ajv instance, loaded on first need. */
export function newAjv(extra: Record<string, unknown> = {}): Ajv {
  const { Ajv: AjvClass } = require('ajv') as { Ajv: typeof Ajv };
  const a = new AjvClass({ ...AJV_OPTIONS, ...extra });
  // an annotation of argument schemas (src/module/args.ts): what a value matching `pattern` is, for the message
  a.addKeyword({ keyword: 'patternMeans', schemaType: 'string' });
  return a;
}

/** What names a schema among the precompiled ones: a digest of its JSON. */
export function schemaKey(schema: JsonSchema): string {
  return `v${createHash('sha1').update(JSON.stringify(schema)).digest('hex')}`;
}

export const PRECOMPILED_FILE = join(packageRoot, 'dist', 'validators.cjs');
let precompiled: Record<string, ValidateFunction> | null | undefined;

function fromBuild(key: string): ValidateFunction | undefined {
  if (precompiled === undefined)
    precompiled = existsSync(PRECOMPILED_FILE) ? (require(PRECOMPILED_FILE) as Record<string, ValidateFunction>) : null;
  return precompiled?.[key];
}

const byObject = new WeakMap<JsonSchema, ValidateFunction>();
const byKey = new Map<string, ValidateFunction>();

export function validator(schema: JsonSchema): ValidateFunction {
  const known = byObject.get(schema);
  if (known) return known;
  const key = schemaKey(schema);
  const v = byKey.get(key) ?? fromBuild(key) ?? (ajv ??= newAjv()).compile(schema);
  byKey.set(key, v);
  byObject.set(schema, v);
  return v;
}
