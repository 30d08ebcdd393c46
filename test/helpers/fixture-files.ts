import { createHash } from 'node:crypto';
import type { StepOutput } from '../../src/module/types.js';
import type { HostState } from './fixture-host.js';

/**
 * The fixture host's answers to the file modules' own reads (modules/get_url.sh's probe), computed
 * from its files as the shell function computes them on a real host. Only file:// URLs: the
 * http(s) path runs against the lab's server in test/integration/file-modules.test.ts.
 */
export function fileModulesQuery(state: HostState, argv: string[]): StepOutput | undefined {
  const [cmd, ...a] = argv;
  if (cmd === 'lbprov_get_url_probe') return getUrlProbe(state, a);
  return undefined;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const sum = (algo: string, s: string): string => createHash(algo).update(s).digest('hex');

function getUrlProbe(state: HostState, [url, dest0, name, algo, want, , max]: string[]): StepOutput {
  const f = state.files;
  const dest = f[dest0.replace(/(.)\/$/, '$1')]?.type === 'directory' ? `${dest0.replace(/\/$/, '')}/${name}` : dest0;
  const lines = [`dest=${b64(dest)}`];
  const d = f[dest];
  const done = (): StepOutput => ({ rc: 0, stdout: lines.join('\n') + '\n', stderr: '' });
  if (d?.type === 'file') {
    const c = d.content ?? '';
    lines.push('type=file', `mode=${Number(d.mode).toString()}`, `owner=${b64(d.owner)}`, `group=${b64(d.group)}`);
    lines.push(`sha1=${sum('sha1', c)}`);
    if (algo) lines.push(`sum=${sum(algo, c)}`);
    if (Buffer.byteLength(c) <= Number(max)) lines.push(`dest_body=${b64(c)}`);
    if (want && sum(algo, c) === want) return done();
  } else if (d) {
    lines.push('type=other');
    return done();
  } else {
    const dir = dest.slice(0, dest.lastIndexOf('/')) || '/';
    lines.push('type=absent', `dir=${f[dir]?.type === 'directory' ? 1 : 0}`);
  }
  const src = url.startsWith('file://') ? f[url.slice(7)] : undefined;
  if (src?.type !== 'file') {
    lines.push(`src_error=${b64(`cat: ${url.slice(7)}: No such file or directory\n`)}`);
    return done();
  }
  const c = src.content ?? '';
  lines.push(`src_sha1=${sum('sha1', c)}`);
  if (algo) lines.push(`src_sum=${sum(algo, c)}`);
  lines.push(`src_size=${Buffer.byteLength(c)}`);
  if (Buffer.byteLength(c) <= Number(max)) lines.push(`src_body=${b64(c)}`);
  return done();
}
