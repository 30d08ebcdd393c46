import { defineModule, type Plan } from '../src/module/types.js';
import { Type, AnyOfTypes } from '../src/module/args.js';
import { truthy } from '../src/playbook/expr.js';

const condition = AnyOfTypes(['string', 'boolean']);
const schema = Type.Object(
  {
    that: Type.Union([condition, Type.Array(condition, { minItems: 1 })], {
      description: 'An expression (as in when:) or a list of them; all must hold.',
    }),
    fail_msg: Type.Optional(Type.String({ description: 'The failure message (default: the expression that failed).' })),
    success_msg: Type.Optional(Type.String({ description: 'The message when every expression holds.' })),
    msg: Type.Optional(Type.String({ description: 'fail_msg under its older name (fail_msg wins).' })),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  expressionArgs: ['that'],
  schema,
  description: 'Fails the host when an expression does not hold. Changes nothing.',
  notes: [
    'The expressions are checked when the playbook loads and evaluated per host, in order; the first false one fails the host.',
  ],
  examples: `- name: Enough workers
  assert:
    that:
      - lb_workers >= 2
      - version(facts.kernel.release, '>=', '5.11')
    fail_msg: lb_hash needs at least two workers and kernel 5.11
`,
  returns: {
    assertion: { description: 'The expression that failed.', type: 'string', returned: 'on failure' },
    evaluated_to: { description: 'What it evaluated to (false).', type: 'boolean', returned: 'on failure' },
  },
  check: 'full',
  diff: 'none',
  plan(a, _seen, ctx): Plan {
    const list = Array.isArray(a.that) ? a.that : [a.that];
    for (const cond of list) {
      if (!truthy(ctx.evaluate(cond))) {
        return {
          changed: false,
          steps: [],
          failed: a.fail_msg ?? a.msg ?? `assertion failed: ${String(cond)}`,
          result: { assertion: cond, evaluated_to: false },
        };
      }
    }
    return { changed: false, steps: [], msg: a.success_msg ?? 'all assertions passed' };
  },
});
