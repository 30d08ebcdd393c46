import { Type } from '../src/module/args.js';
import { defineModule } from '../src/module/types.js';
import { runArgProps, runPlan, runReads, runReturns } from '../src/module/command.js';

const schema = Type.Object(
  {
    cmd: Type.String({
      minLength: 1,
      description: 'The script, run by /bin/sh -c (also the free form, `shell: ...`).',
    }),
    ...runArgProps,
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  freeForm: 'cmd',
  schema,
  description: 'Runs a command line through /bin/sh -c: pipes and redirections work.',
  notes: [
    'The line is shell syntax: quote what you interpolate into it, or use command.',
    'Not idempotent unless creates/removes say when to skip; check mode as for command.',
  ],
  examples: `- name: Count listeners
  shell: ss -Hltn | wc -l
  register: listeners

- name: Seed a file once
  shell:
    cmd: printf 'seeded\\n' > seed.txt
    chdir: /var/lib/app
    creates: seed.txt
`,
  returns: runReturns,
  check: 'partial',
  diff: 'none',
  reads: runReads,
  plan: (a, seen) => runPlan(a, ['/bin/sh', '-c', a.cmd], seen),
});
