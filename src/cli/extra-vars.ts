import { isAbsolute, resolve } from 'node:path';
import { loadVarsFile } from '../inventory/load.js';
import type { Vars } from '../inventory/types.js';
import { InputError } from '../util/errors.js';
import { SourceDoc } from '../util/yaml.js';

/** `-e K=V` (strings, as Ansible), `-e @vars.yml`, or `-e '{"k": 1}'` (YAML/JSON, typed); later wins. */
export function parseExtraVars(items: readonly string[]): Vars {
  const out: Vars = {};
  for (const item of items) {
    if (item.startsWith('@')) {
      const f = item.slice(1);
      Object.assign(out, loadVarsFile(isAbsolute(f) ? f : resolve(f)));
    } else if (/^\s*\{/.test(item)) {
      const v = SourceDoc.parse('--extra-vars', item).value;
      if (!v || typeof v !== 'object' || Array.isArray(v))
        throw new InputError(`--extra-vars ${item}: expected a mapping`);
      Object.assign(out, v);
    } else {
      for (const m of item.matchAll(/([A-Za-z_][\w]*)=("([^"]*)"|'([^']*)'|\S*)/g)) out[m[1]] = m[3] ?? m[4] ?? m[2];
      if (!/^[A-Za-z_]\w*=/.test(item.trim()))
        throw new InputError(`--extra-vars "${item}": expected K=V, @file.yml or a YAML mapping`);
    }
  }
  return out;
}
