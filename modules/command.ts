import { defineModule } from '../src/module/types.js';
import { Type, AnyOfTypes } from '../src/module/args.js';
import { runArgProps, runPlan, runReads, runReturns, splitCommand } from '../src/module/command.js';

const schema = Type.Object(
  {
    cmd: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The command line, split into words as a shell would (quotes honoured) but run without one: pipes, redirections and `;` are refused.',
      }),
    ),
    argv: Type.Optional(
      Type.Array(AnyOfTypes(['string', 'number']), {
        minItems: 1,
        description: 'The program and its arguments as a list, no splitting at all.',
      }),
    ),
    ...runArgProps,
  },
  { oneOf: [{ required: ['cmd'] }, { required: ['argv'] }], additionalProperties: false },
);

export default defineModule({
  name: 'command',
  aliases: ['ansible.builtin.command'],
  freeForm: 'cmd',
  schema,
  description: 'Runs a program with arguments, no shell.',
  notes: [
    'Not idempotent: it runs every time and reports changed, unless creates/removes say when to skip (or changed_when says otherwise).',
    'Check mode: with creates/removes it reports what would run; without them it cannot tell and the task is skipped. The registered result then has rc 0 and empty output.',
  ],
  examples: `- name: Kernel release
  command: uname -r
  register: uname

- name: Build once
  command:
    argv: [make, -C, /opt/app]
    creates: /opt/app/app
`,
  returns: runReturns,
  check: 'partial',
  diff: 'none',
  reads: runReads,
  plan: (a, seen) => runPlan(a, a.argv ? a.argv.map(String) : splitCommand(a.cmd!), seen),
});
