import { defineModule } from '../src/module/types.js';

interface Args {
  msg?: unknown;
  var?: string;
}

/** Shows a message or a variable's value. */
export default defineModule<Args>({
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  freeForm: 'msg',
  showsMsg: true,
  schema: {
    type: 'object',
    properties: { msg: {}, var: { type: 'string', minLength: 1 } },
    not: { required: ['msg', 'var'] },
    additionalProperties: false,
  },
  plan(a, _seen, ctx) {
    if (a.var !== undefined) {
      const value = ctx.evaluate(a.var);
      return { changed: false, steps: [], msg: `${a.var} = ${JSON.stringify(value)}`, result: { [a.var]: value } };
    }
    const msg = a.msg === undefined ? 'Hello world!' : typeof a.msg === 'string' ? a.msg : JSON.stringify(a.msg);
    return { changed: false, steps: [], msg };
  },
});
