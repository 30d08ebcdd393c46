import { Type } from '@sinclair/typebox';
import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { Choice, Default } from '../src/module/args.js';

const schema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', patternMeans: 'an http:// or https:// URL', description: 'The URL, requested from the host itself.' }),
    method: Default(Choice(['GET', 'HEAD'], { description: 'The HTTP method.' }), 'GET'),
    status_code: Default(Type.Union([Type.Integer(), Type.Array(Type.Integer(), { minItems: 1 })], { description: 'The status, or list of statuses, that pass.' }), [200]),
    body_contains: Type.Optional(Type.String({ description: 'Text the body must contain.' })),
    body_regex: Type.Optional(Type.String({ description: 'A regular expression (multiline) the body must match.' })),
    timeout: Default(Type.Number({ exclusiveMinimum: 0, description: 'Seconds to wait for the answer.' }), 30),
    client: Default(Choice(['auto', 'curl', 'bash'], { description: "auto: curl when the host has it, else bash's /dev/tcp (an HTTP/1.0 client, http:// only)." }), 'auto'),
  },
  { additionalProperties: false },
);

/**
 * An HTTP request from the host (typically to its own listener): curl when the host has it, else a
 * bash /dev/tcp HTTP/1.0 client for http:// URLs. The script is fixed; URL, method and timeout are
 * positional arguments. It prints the body, then `@@STATUS code` on a last line of its own.
 */
const SCRIPT = `url=$1 method=$2 t=$3 client=$4
if [ "$client" != bash ] && command -v curl >/dev/null 2>&1; then
  if [ "$method" = HEAD ]; then m=--head; else m=--get; fi
  curl -sS "$m" --max-time "$t" -o - -w '\\n@@STATUS %{http_code}\\n' -- "$url"
  exit
fi
case $url in http://*) ;; *) echo "no curl on this host, and only http:// URLs work without it" >&2; exit 2 ;; esac
rest=\${url#http://}; hp=\${rest%%/*}; path=/\${rest#"$hp"}; path=/\${path#/}
host=\${hp%%:*}; port=80; case $hp in *:*) port=\${hp##*:} ;; esac
exec 3<>"/dev/tcp/$host/$port" || exit 7
printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' "$method" "$path" "$hp" >&3
resp=$(timeout "$t" cat <&3) || true
status=$(printf '%s\\n' "$resp" | head -n 1 | awk '{ print $2 }')
printf '%s' "$resp" | awk 'body { print } /^\\r?$/ { body = 1 }'
printf '\\n@@STATUS %s\\n' "\${status:-000}"`;

export function parseAnswer(stdout: string): { status: number; content: string } {
  const i = stdout.lastIndexOf('\n@@STATUS ');
  if (i < 0) return { status: 0, content: stdout };
  return { status: Number(stdout.slice(i + 10).trim()) || 0, content: stdout.slice(0, i) };
}

export default defineModule({
  name: 'uri',
  aliases: ['ansible.builtin.uri'],
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
      return { changed: false, steps: [], failed: `uri: body_regex: ${(e as Error).message}` };
    }
    return {
      changed: true,
      steps: [{ op: 'exec', argv: ['bash', '-c', SCRIPT, 'lbprov_uri', a.url, a.method, String(a.timeout), a.client], capture: true, what: `${a.method} ${a.url}` }],
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
