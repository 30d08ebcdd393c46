import { defineModule, type Plan, type Read } from '../src/module/types.js';
import { Type, AnyOfTypes, Default } from '../src/module/args.js';
import { numericVersion, versionCompare } from '../src/playbook/expr.js';

const schema = Type.Object(
  {
    min: Default(
      AnyOfTypes(['string', 'number'], {
        description: 'The oldest kernel allowed (a version, e.g. "5.11"; lb_hash needs 5.11).',
      }),
      '5.11',
    ),
    max: Type.Optional(AnyOfTypes(['string', 'number'], { description: 'The newest kernel allowed.' })),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'kernel_check',
  schema,
  description: 'Fails the host unless its kernel release is between min and max. Changes nothing.',
  notes: ["Compares the release's numeric prefix (6.8.0-1012-aws is 6.8.0), from the facts, or uname -r without them."],
  examples: `- name: A kernel that runs lb_hash
  kernel_check:
    min: "5.11"
`,
  returns: {
    release: { description: 'The kernel release (uname -r).', type: 'string' },
    version: { description: 'Its numeric prefix.', type: 'string' },
  },
  check: 'full',
  diff: 'none',
  reads: (_a, ctx): Record<string, Read> => (ctx.facts ? {} : { uname: { kind: 'exec', argv: ['uname', '-r'] } }),
  plan(a, seen, ctx): Plan {
    const release = ctx.facts?.kernel.release ?? seen.uname.stdout.toString().trim();
    const result = { release, version: numericVersion(release) };
    const min = String(a.min);
    if (!versionCompare(release, '>=', min))
      return {
        changed: false,
        steps: [],
        failed: `${ctx.host}: kernel ${release} is older than the minimum ${min}`,
        result,
      };
    if (a.max !== undefined && !versionCompare(release, '<=', String(a.max)))
      return {
        changed: false,
        steps: [],
        failed: `${ctx.host}: kernel ${release} is newer than the maximum ${String(a.max)}`,
        result,
      };
    return {
      changed: false,
      steps: [],
      msg: `kernel ${release} >= ${min}${a.max !== undefined ? ` and <= ${String(a.max)}` : ''}`,
      result,
    };
  },
});
