import { defineModule } from '../src/module/types.js';
import { runArgProps, runPlan, runReads, type RunArgs } from '../src/module/command.js';

interface Args extends RunArgs {
  cmd: string;
}

/** Runs `cmd` through /bin/sh -c: pipes and redirections work; quote what you interpolate. */
export default defineModule<Args>({
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: { cmd: { type: 'string', minLength: 1 }, ...runArgProps },
    required: ['cmd'],
    additionalProperties: false,
  },
  reads: runReads,
  plan: (a, seen) => runPlan(a, ['/bin/sh', '-c', a.cmd], seen),
});
