import { Type } from '../src/module/args.js';
import { defineModule } from '../src/module/types.js';

const schema = Type.Object(
  {
    msg: Type.Optional(
      Type.Unknown({
        description:
          'The message: text (templates rendered) or any value, shown as JSON (default "Hello world!"; also the free form, `debug: text`).',
      }),
    ),
    var: Type.Optional(
      Type.String({ minLength: 1, description: 'A variable name or expression whose value is shown (not with msg).' }),
    ),
  },
  { not: { required: ['msg', 'var'] }, additionalProperties: false },
);

export default defineModule({
  name: 'debug',
  aliases: ['ansible.builtin.debug'],
  freeForm: 'msg',
  showsMsg: true,
  schema,
  description: "Shows a message or a variable's value.",
  examples: `- name: Where we are
  debug:
    msg: "{{ inventory_hostname }} runs kernel {{ facts.kernel.release }}"

- name: What the build returned
  debug:
    var: build.stdout_lines
`,
  returns: { VAR: { description: 'With var: the value, under the name given.', type: 'any', returned: 'with var' } },
  check: 'full',
  diff: 'none',
  plan(a, _seen, ctx) {
    if (a.var !== undefined) {
      const value = ctx.evaluate(a.var);
      return { changed: false, steps: [], msg: `${a.var} = ${JSON.stringify(value)}`, result: { [a.var]: value } };
    }
    const msg = a.msg === undefined ? 'Hello world!' : typeof a.msg === 'string' ? a.msg : JSON.stringify(a.msg);
    return { changed: false, steps: [], msg };
  },
});
