import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';

interface Args {
  url: string;
  method: 'GET' | 'HEAD';
  status_code: number[];
  body_contains?: string;
  body_regex?: string;
  timeout: number;
  client: 'auto' | 'curl' | 'bash';
}

export function parseAnswer(stdout: string): { status: number; content: string } {
  const i = stdout.lastIndexOf('\n@@STATUS ');
  if (i < 0) return { status: 0, content: stdout };
  return { status: Number(stdout.slice(i + 10).trim()) || 0, content: stdout.slice(0, i) };
}

/**
 * An HTTP request from the host (typically to its own listener): curl when the host has it, else a
 * bash /dev/tcp HTTP/1.0 client for http:// URLs. The script (lbprov_uri in uri.sh) is fixed; URL,
 * method and timeout are positional arguments. It prints the body, then `@@STATUS code` on a last
 * line of its own.
 */
export default defineModule<Args>({
  name: 'uri',
  aliases: ['ansible.builtin.uri'],
  shell: [shellLib('modules/uri.sh')],
  schema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^https?://' },
      method: { enum: ['GET', 'HEAD'], default: 'GET' },
      status_code: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' }, minItems: 1 }], default: [200] },
      body_contains: { type: 'string' },
      body_regex: { type: 'string' },
      timeout: { type: 'number', exclusiveMinimum: 0, default: 30 },
      // auto: curl when the host has it, else bash's /dev/tcp (http:// only)
      client: { enum: ['auto', 'curl', 'bash'], default: 'auto' },
    },
    required: ['url'],
    additionalProperties: false,
  },
  plan(a): Plan {
    const codes = Array.isArray(a.status_code) ? a.status_code : [a.status_code as unknown as number];
    let re: RegExp | undefined;
    try {
      re = a.body_regex === undefined ? undefined : new RegExp(a.body_regex, 'm');
    } catch (e) {
      return { changed: false, steps: [], failed: `uri: body_regex: ${(e as Error).message}` };
    }
    return {
      changed: true,
      steps: [{ op: 'exec', argv: ['lbprov_uri', a.url, a.method, String(a.timeout), a.client], capture: true, what: `${a.method} ${a.url}` }],
      checkSkip: `uri does not send requests in check mode (${a.method} ${a.url})`,
      interpret: ([out]: StepOutput[]) => {
        const { status, content } = parseAnswer(out.stdout);
        const result = { status, url: a.url, content: content.slice(0, 65536) };
        const fail = (why: string) => ({ changed: false, result, failed: `${a.method} ${a.url}: ${why}` });
        if (!status) return fail(`no HTTP answer (rc ${out.rc})${out.stderr.trim() ? `: ${out.stderr.trim()}` : ''}`);
        if (!codes.includes(status)) return fail(`status ${status}, expected ${codes.join(' or ')}`);
        if (a.body_contains !== undefined && !content.includes(a.body_contains)) return fail(`the body does not contain "${a.body_contains}"`);
        if (re && !re.test(content)) return fail(`the body does not match /${a.body_regex}/`);
        return { changed: false, result, msg: `${a.method} ${a.url}: ${status}` };
      },
    };
  },
});
