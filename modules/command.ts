import { defineModule } from '../src/module/types.js';
import { runArgProps, runPlan, runReads, splitCommand, type RunArgs } from '../src/module/command.js';

interface Args extends RunArgs {
  cmd?: string;
  argv?: string[];
}

/** Runs a program with arguments, no shell. Not idempotent unless `creates`/`removes` say when to skip. */
export default defineModule<Args>({
  name: 'command',
  aliases: ['ansible.builtin.command'],
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: { cmd: { type: 'string', minLength: 1 }, argv: { type: 'array', items: { type: ['string', 'number'] }, minItems: 1 }, ...runArgProps },
    oneOf: [{ required: ['cmd'] }, { required: ['argv'] }],
    additionalProperties: false,
  },
  reads: runReads,
  plan: (a, seen) => runPlan(a, a.argv ? a.argv.map(String) : splitCommand(a.cmd!), seen),
});
