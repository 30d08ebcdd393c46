import { defineModule, type Plan, type Read } from '../src/module/types.js';
import { numericVersion, versionCompare } from '../src/playbook/expr.js';

interface Args {
  min: string;
  max?: string;
}

/** The kernel's numeric release prefix (`6.8.0-1012-aws` -> 6.8.0) between `min` and `max`. */
export default defineModule<Args>({
  name: 'kernel_check',
  schema: {
    type: 'object',
    properties: { min: { type: ['string', 'number'], default: '5.11' }, max: { type: ['string', 'number'] } },
    additionalProperties: false,
  },
  reads: (_a, ctx): Record<string, Read> => (ctx.facts ? {} : { uname: { kind: 'exec', argv: ['uname', '-r'] } }),
  plan(a, seen, ctx): Plan {
    const release = ctx.facts?.kernel.release ?? seen.uname.stdout.toString().trim();
    const result = { release, version: numericVersion(release) };
    const min = String(a.min);
    if (!versionCompare(release, '>=', min)) return { changed: false, steps: [], failed: `${ctx.host}: kernel ${release} is older than the minimum ${min}`, result };
    if (a.max !== undefined && !versionCompare(release, '<=', String(a.max))) return { changed: false, steps: [], failed: `${ctx.host}: kernel ${release} is newer than the maximum ${String(a.max)}`, result };
    return { changed: false, steps: [], msg: `kernel ${release} >= ${min}${a.max !== undefined ? ` and <= ${String(a.max)}` : ''}`, result };
  },
});
