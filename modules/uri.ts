import { defineModule, type Plan, type StepOutput, failedPlan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Choice, Default } from '../src/module/args.js';

const schema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      patternMeans: 'an http:// or https:// URL',
      description: 'The URL, requested from the host itself.',
    }),
    method: Default(Choice(['GET', 'HEAD'], { description: 'The HTTP method.' }), 'GET'),
    status_code: Default(
      Type.Union([Type.Integer(), Type.Array(Type.Integer(), { minItems: 1 })], {
        description: 'The status, or list of statuses, that pass.',
      }),
      [200],
    ),
    body_contains: Type.Optional(Type.String({ description: 'Text the body must contain.' })),
    body_regex: Type.Optional(Type.String({ description: 'A regular expression (multiline) the body must match.' })),
    timeout: Default(Type.Number({ exclusiveMinimum: 0, description: 'Seconds to wait for the answer.' }), 30),
    client: Default(
      Choice(['auto', 'curl', 'bash'], {
        description: "auto: curl when the host has it, else bash's /dev/tcp (an HTTP/1.0 client, http:// only).",
      }),
      'auto',
    ),
  },
  { additionalProperties: false },
);

export function parseAnswer(stdout: string): { status: number; content: string } {
  const i = stdout.lastIndexOf('\n@@STATUS ');
  if (i < 0) return { status: 0, content: stdout };
  return { status: Number(stdout.slice(i + 10).trim()) || 0, content: stdout.slice(0, i) };
}

export default defineModule({
  name: 'uri',
  aliases: ['ansible.builtin.uri'],
  shell: [shellLib('modules/uri.sh')],
  schema,
  description: 'An HTTP request from the host (typically to its own listener); fails unless the answer is as expected.',
  notes: ['Changes nothing. Check mode sends no request: the task is skipped.'],
  examples: `- name: The listener answers
  uri:
    url: http://127.0.0.1:8080/
    body_regex: "^worker [0-9]+$"
    timeout: 5
  register: answer
  until: answer is succeeded
  retries: 5
  delay: 1
`,
  returns: {
    status: { description: 'The HTTP status (0: no answer).', type: 'integer', returned: 'after a real run' },
    url: { description: 'The URL requested.', type: 'string', returned: 'after a real run' },
    content: { description: 'The body (its first 64 KiB).', type: 'string', returned: 'after a real run' },
  },
  check: 'none',
  diff: 'none',
  plan(a): Plan {
    const codes = Array.isArray(a.status_code) ? a.status_code : [a.status_code];
    let re: RegExp | undefined;
    try {
      re = a.body_regex === undefined ? undefined : new RegExp(a.body_regex, 'm');
    } catch (e) {
      return failedPlan(`uri: body_regex: ${(e as Error).message}`);
    }
    return {
      changed: true,
      steps: [
        {
          op: 'exec',
          argv: ['lbprov_uri', a.url, a.method, String(a.timeout), a.client],
          capture: true,
          what: `${a.method} ${a.url}`,
        },
      ],
      checkSkip: `uri does not send requests in check mode (${a.method} ${a.url})`,
      interpret: ([out]: StepOutput[]) => {
        const { status, content } = parseAnswer(out.stdout);
        const result = { status, url: a.url, content: content.slice(0, 65536) };
        const fail = (why: string) => ({ changed: false, result, failed: `${a.method} ${a.url}: ${why}` });
        if (!status) return fail(`no HTTP answer (rc ${out.rc})${out.stderr.trim() ? `: ${out.stderr.trim()}` : ''}`);
        if (!codes.includes(status)) return fail(`status ${status}, expected ${codes.join(' or ')}`);
        if (a.body_contains !== undefined && !content.includes(a.body_contains))
          return fail(`the body does not contain "${a.body_contains}"`);
        if (re && !re.test(content)) return fail(`the body does not match /${a.body_regex}/`);
        return { changed: false, result, msg: `${a.method} ${a.url}: ${status}` };
      },
    };
  },
});
