import { defineModule, type Plan } from '../src/module/types.js';
import { truthy } from '../src/playbook/expr.js';

interface Args {
  that: string | boolean | Array<string | boolean>;
  fail_msg?: string;
  success_msg?: string;
  msg?: string;
}

/** Fails the host when an expression does not hold. Changes nothing. */
export default defineModule<Args>({
  name: 'assert',
  aliases: ['ansible.builtin.assert'],
  expressionArgs: ['that'],
  schema: {
    type: 'object',
    properties: {
      that: { anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] }, minItems: 1 }] },
      fail_msg: { type: 'string' },
      success_msg: { type: 'string' },
      msg: { type: 'string' },
    },
    required: ['that'],
    additionalProperties: false,
  },
  plan(a, _seen, ctx): Plan {
    const list = Array.isArray(a.that) ? a.that : [a.that];
    for (const cond of list) {
      if (!truthy(ctx.evaluate(cond))) {
        return { changed: false, steps: [], failed: a.fail_msg ?? a.msg ?? `assertion failed: ${String(cond)}`, result: { assertion: cond, evaluated_to: false } };
      }
    }
    return { changed: false, steps: [], msg: a.success_msg ?? 'all assertions passed' };
  },
});
