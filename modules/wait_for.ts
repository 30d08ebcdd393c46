import { defineModule, type Plan, type StepOutput } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';

interface Args {
  host: string;
  port?: number;
  path?: string;
  state?: 'started' | 'stopped' | 'present' | 'absent';
  search_regex?: string;
  timeout: number;
  delay: number;
  sleep: number;
  msg?: string;
}

/**
 * The host waits for a condition (lbprov_wait_for in wait_for.sh; every value a positional argument): a TCP port
 * that accepts (started) or refuses (stopped) connections, from the host itself (bash /dev/tcp), or
 * a path that is present (optionally with a line matching search_regex) or absent. Prints the
 * milliseconds it took; rc 1 on timeout.
 */
export default defineModule<Args>({
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for'],
  shell: [shellLib('modules/wait_for.sh')],
  schema: {
    type: 'object',
    properties: {
      host: { type: 'string', minLength: 1, default: '127.0.0.1' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      path: { type: 'string', pattern: '^/' },
      state: { enum: ['started', 'stopped', 'present', 'absent'] },
      search_regex: { type: 'string' },
      timeout: { type: 'number', minimum: 0, default: 300 },
      delay: { type: 'number', minimum: 0, default: 0 },
      sleep: { type: 'number', exclusiveMinimum: 0, default: 1 },
      msg: { type: 'string' },
    },
    oneOf: [{ required: ['port'] }, { required: ['path'] }],
    additionalProperties: false,
  },
  plan(a, _seen, ctx): Plan {
    const port = a.port !== undefined;
    const state = a.state ?? (port ? 'started' : 'present');
    if (port !== (state === 'started' || state === 'stopped')) {
      return { changed: false, steps: [], failed: `wait_for: state ${state} goes with ${port ? 'path' : 'port'}, not ${port ? 'port' : 'path'}` };
    }
    const what = port ? `port ${a.port} on ${a.host} to be ${state}` : `${a.path} to be ${state}${a.search_regex ? ` (matching /${a.search_regex}/)` : ''}`;
    const argv = ['lbprov_wait_for', port ? 'port' : 'path', a.host, port ? String(a.port) : a.path!, state, String(Math.round(a.timeout * 1000)), String(a.delay), String(a.sleep), a.search_regex ?? ''];
    return {
      // "changed" only so that the executor runs the wait; the result is never a change
      changed: true,
      steps: [{ op: 'exec', argv, capture: true, what: `waiting for ${what}` }],
      checkSkip: `wait_for does not wait in check mode (${what})`,
      interpret: ([out]: StepOutput[]) => {
        const elapsed = Number(out.stdout.trim()) / 1000;
        const result = { elapsed, state, ...(port ? { port: a.port, host: a.host } : { path: a.path }) };
        if (out.rc === 0) return { changed: false, result, msg: `${what}: after ${elapsed.toFixed(1)} s` };
        const why = out.rc === 1 ? `timeout (${a.timeout} s) waiting for ${what}` : `waiting for ${what} failed (rc ${out.rc}): ${out.stderr.trim()}`;
        return { changed: false, result, failed: a.msg ? `${ctx.host}: ${a.msg}` : why };
      },
    };
  },
});
