import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';

interface Args {
  url: string;
  method: 'GET' | 'HEAD';
  status_code: number[];
  body_contains?: string;
  body_regex?: string;
  timeout: number;
  client: 'auto' | 'curl' | 'bash';
}

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

export default defineModule<Args>({
  name: 'uri',
  aliases: ['ansible.builtin.uri'],
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
