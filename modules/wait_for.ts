import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Choice, Default } from '../src/module/args.js';

const seconds = (value: number, description: string, min: 'minimum' | 'exclusiveMinimum') =>
  Default(Type.Number({ [min]: 0, description }), value);
const schema = Type.Object(
  {
    host: Default(
      Type.String({ minLength: 1, description: 'With port: the address to connect to, from the host itself.' }),
      '127.0.0.1',
    ),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'A TCP port to wait for.' })),
    path: Type.Optional(
      Type.String({ pattern: '^/', patternMeans: 'an absolute path', description: 'A file to wait for.' }),
    ),
    state: Type.Optional(
      Choice(['started', 'stopped', 'present', 'absent'], {
        description:
          'With port: started (accepts connections, the default) or stopped (refuses them); with path: present (the default) or absent.',
      }),
    ),
    search_regex: Type.Optional(
      Type.String({ description: 'With path: an extended regular expression a line of the file must match.' }),
    ),
    timeout: seconds(300, 'Seconds to wait at most; then the host fails.', 'minimum'),
    delay: seconds(0, 'Seconds to wait before the first check.', 'minimum'),
    sleep: seconds(1, 'Seconds between checks.', 'exclusiveMinimum'),
    msg: Type.Optional(Type.String({ description: 'The failure message on timeout.' })),
  },
  { oneOf: [{ required: ['port'] }, { required: ['path'] }], additionalProperties: false },
);

export default defineModule({
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for'],
  shell: [shellLib('modules/wait_for.sh')],
  schema,
  description: 'The host waits for a TCP port to accept or refuse connections, or for a file to appear or go.',
  notes: ['Changes nothing. Check mode does not wait: the task is skipped.'],
  examples: `- name: Listener accepting
  wait_for:
    port: 8080
    timeout: 30

- name: Fresh metrics
  wait_for:
    path: /var/lib/prometheus/node-exporter/lbprov_reuseport.prom
    search_regex: "^lbprov_listeners"
    timeout: 10
    sleep: 0.5
`,
  returns: {
    elapsed: { description: 'Seconds waited.', type: 'number', returned: 'after a real run' },
    state: { description: 'The state waited for.', type: 'string', returned: 'after a real run' },
    port: { description: 'The port (with port).', type: 'integer', returned: 'with port' },
    host: { description: 'The address (with port).', type: 'string', returned: 'with port' },
    path: { description: 'The file (with path).', type: 'string', returned: 'with path' },
  },
  check: 'none',
  diff: 'none',
  plan(a, _seen, ctx): Plan {
    const port = a.port !== undefined;
    const state = a.state ?? (port ? 'started' : 'present');
    if (port !== (state === 'started' || state === 'stopped')) {
      return {
        changed: false,
        steps: [],
        failed: `wait_for: state ${state} goes with ${port ? 'path' : 'port'}, not ${port ? 'port' : 'path'}`,
      };
    }
    const what = port
      ? `port ${a.port} on ${a.host} to be ${state}`
      : `${a.path} to be ${state}${a.search_regex ? ` (matching /${a.search_regex}/)` : ''}`;
    const argv = [
      'lbprov_wait_for',
      port ? 'port' : 'path',
      a.host,
      port ? String(a.port) : a.path!,
      state,
      String(Math.round(a.timeout * 1000)),
      String(a.delay),
      String(a.sleep),
      a.search_regex ?? '',
    ];
    return {
      // "changed" only so that the executor runs the wait; the result is never a change
      changed: true,
      steps: [{ op: 'exec', argv, capture: true, what: `waiting for ${what}` }],
      checkSkip: `wait_for does not wait in check mode (${what})`,
      interpret: ([out]: StepOutput[]) => {
        const elapsed = Number(out.stdout.trim()) / 1000;
        const result = { elapsed, state, ...(port ? { port: a.port, host: a.host } : { path: a.path }) };
        if (out.rc === 0) return { changed: false, result, msg: `${what}: after ${elapsed.toFixed(1)} s` };
        const why =
          out.rc === 1
            ? `timeout (${a.timeout} s) waiting for ${what}`
            : `waiting for ${what} failed (rc ${out.rc}): ${out.stderr.trim()}`;
        return { changed: false, result, failed: a.msg ? `${ctx.host}: ${a.msg}` : why };
      },
    };
  },
});
