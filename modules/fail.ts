import { Type } from '../src/module/args.js';
import { defineModule, failedPlan } from '../src/module/types.js';

const schema = Type.Object(
  {
    msg: Type.Optional(
      Type.Unknown({
        description:
          'The failure message: text (templates rendered) or any value (default "Failed as requested from task").',
      }),
    ),
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'fail',
  aliases: ['ansible.builtin.fail'],
  schema,
  description: 'Fails the host with a message (mostly with `when`). Changes nothing.',
  examples: `- name: Refuse old kernels
  fail:
    msg: "{{ inventory_hostname }} runs {{ facts.kernel.release }}, lb_hash needs 5.11"
  when: version(facts.kernel.release, '<', '5.11')
`,
  returns: {},
  check: 'full',
  diff: 'none',
  plan(a) {
    const msg =
      a.msg === undefined ? 'Failed as requested from task' : typeof a.msg === 'string' ? a.msg : JSON.stringify(a.msg);
    return failedPlan(msg);
  },
});
