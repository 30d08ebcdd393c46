import { Default, Type } from '../src/module/args.js';
import { defineModule, type Plan } from '../src/module/types.js';

const schema = Type.Object(
  {
    seconds: Type.Optional(Type.Number({ description: 'How long to wait, in seconds (whole; less than 1 waits 1).' })),
    minutes: Type.Optional(Type.Number({ description: 'How long to wait, in minutes (whole; not with seconds).' })),
    prompt: Type.Optional(
      Type.String({ description: 'The text Ansible would show when asking; lbprov never waits for an answer.' }),
    ),
    echo: Default(Type.Boolean({ description: "Ansible's: show what is typed (lbprov reads nothing)." }), true),
  },
  { not: { required: ['seconds', 'minutes'] }, additionalProperties: false },
);

export const NOT_INTERACTIVE = 'Not waiting for response to prompt as stdin is not interactive';

export default defineModule({
  name: 'pause',
  aliases: ['ansible.builtin.pause'],
  once: true,
  schema,
  description: 'Waits some seconds or minutes, once for the whole batch. Never waits for input.',
  notes: [
    "Runs once per batch, on its first host, as Ansible's pause: every host of the batch has reached it (the play moves task by task) and waits for it; only that host reports it, and only there is it registered.",
    'Without seconds or minutes it would wait for an answer: lbprov runs as Ansible does when stdin is not a terminal, with the warning "Not waiting for response to prompt as stdin is not interactive", and goes on at once.',
    'Runs in check mode too, and reports ok.',
  ],
  examples: `- name: Let the listeners drain
  pause:
    seconds: 10

- name: Give the operator a minute
  pause:
    minutes: 1
`,
  returns: {
    stdout: { description: 'What was waited ("Paused for 10 seconds").', type: 'string' },
    delta: { description: 'Seconds waited.', type: 'integer' },
    user_input: { description: 'What was typed: always empty.', type: 'string' },
    echo: { description: 'The echo argument.', type: 'boolean' },
  },
  check: 'full',
  diff: 'none',
  plan(a): Plan {
    const result = { echo: a.echo, rc: 0, stderr: '', user_input: '' };
    if (a.seconds === undefined && a.minutes === undefined)
      return {
        changed: false,
        steps: [],
        warnings: [NOT_INTERACTIVE],
        result: { ...result, delta: 0, stdout: 'Paused for 0.0 minutes' },
      };
    // Ansible's int() of the argument, then at least one second (its SIGALRM timer)
    const seconds = Math.max(1, a.minutes !== undefined ? Math.trunc(a.minutes) * 60 : Math.trunc(a.seconds!));
    // as Python prints the float Ansible measured (1 -> "1.0")
    const py = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));
    const stdout =
      a.minutes !== undefined
        ? `Paused for ${py(Math.round((seconds / 60) * 100) / 100)} minutes`
        : `Paused for ${py(seconds)} seconds`;
    return { changed: false, steps: [], waitMs: seconds * 1000, result: { ...result, delta: seconds, stdout } };
  },
});
