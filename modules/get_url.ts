import { posix } from 'node:path';
import { defineModule, type Plan, type Step } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Default } from '../src/module/args.js';
import { checkProbe } from './get_url-check.js';
import { attrPlan, attrProps, backupProp, diffText, isBinary, normalizeMode } from '../src/module/files.js';

const ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
/** Bodies up to this size come back with the probe: written by the ordinary write step, and diffed. */
const INLINE = 65536;

const schema = Type.Object(
  {
    url: Type.String({
      pattern: '^(https?|file)://',
      patternMeans: 'an http://, https:// or file:// URL',
      description: 'What to download, fetched by the host itself (file:// is a path on the host).',
    }),
    dest: Type.String({
      pattern: '^/',
      patternMeans: 'an absolute path',
      description: "Where the file goes; a directory: the URL's file name in it.",
    }),
    checksum: Type.Optional(
      Type.String({
        description:
          'ALGORITHM:HEX (md5, sha1, sha224, sha256, sha384, sha512): the download must have it; a dest that has it already is not downloaded again (unless force).',
      }),
    ),
    force: Default(Type.Boolean({ description: 'Download even when dest already has the checksum given.' }), false),
    backup: backupProp,
    timeout: Default(Type.Integer({ minimum: 1, description: 'Seconds the request may take.' }), 10),
    ...attrProps,
  },
  { additionalProperties: false },
);

/** Ansible's url_filename: the last path segment of the URL, or index.html. */
export function urlFilename(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/, '').replace(/[?#].*$/, '');
  return decodeURIComponent(posix.basename(path)) || 'index.html';
}

function parseProbe(out: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return kv;
}

export default defineModule({
  name: 'get_url',
  aliases: ['ansible.builtin.get_url'],
  shell: [shellLib('modules/get_url.sh')],
  schema,
  description: 'Downloads a file:// or http(s) URL on the host to dest, atomically, with checksum, mode and owner.',
  notes: [
    'The host fetches the URL (file:// directly, http(s) with curl or wget) and compares it with dest before anything changes: an identical file is not rewritten, so a second run reports no change; check mode predicts exactly. As Ansible, force=no still downloads to compare unless a checksum is given that dest already has.',
    'A body up to 64 KiB is written by the same temp-file-and-rename step as copy, with a content diff; larger ones are downloaded again into a temp file beside dest, checked against the checksum and renamed over it.',
    'A wrong checksum fails the task before dest is touched (Ansible replaces dest, then removes it).',
    'In check mode, what earlier tasks of the run would have left counts: a file:// source they would write (its checksum, size and body), a dest they would make a directory, write or remove, and the folder they would make for dest.',
  ],
  examples: `- name: The release tarball from the lab's file server
  get_url:
    url: http://198.18.0.1:8000/lb-listener-1.4.tar.gz
    dest: /opt/lbprov/
    checksum: sha256:0f3a...
    mode: "0644"

- name: A file shipped on the host
  get_url:
    url: file:///usr/share/doc/lbprov/example.conf
    dest: /etc/lb-listener/example.conf
`,
  returns: {
    dest: { description: 'The file written (dest, or the file in the dest directory).', type: 'string' },
    url: { description: 'The URL.', type: 'string' },
    checksum_src: { description: 'sha1 of the download.', type: 'string' },
    checksum_dest: { description: 'sha1 of dest before the run (null when it did not exist).', type: 'string' },
    size: { description: 'Bytes downloaded.', type: 'integer' },
    status_code: { description: '200 after a download.', type: 'integer' },
  },
  check: 'full',
  diff: 'full',
  reads(a) {
    const [algo, value] = splitChecksum(a.checksum ?? '');
    return {
      probe: {
        kind: 'exec',
        argv: [
          'lbprov_get_url_probe',
          a.url,
          a.dest,
          urlFilename(a.url),
          algo ?? '',
          !a.force && value ? value : '',
          String(a.timeout),
          String(INLINE),
        ],
      },
    };
  },
  plan(a, seen, ctx): Plan {
    const fail = (failed: string, result: Record<string, unknown> = {}): Plan => ({
      changed: false,
      steps: [],
      failed,
      result: { dest: a.dest, url: a.url, ...result },
    });
    let algo: string | undefined;
    let want: string | undefined;
    if (a.checksum) {
      if (!a.checksum.includes(':')) return fail('The checksum parameter has to be in format <algorithm>:<checksum>');
      if (/^[a-z0-9]+:[a-z]+:\/\//i.test(a.checksum)) return fail('get_url: a checksum from a URL is not supported');
      [algo, want] = splitChecksum(a.checksum);
      if (!ALGOS.includes(algo!))
        return fail(`get_url: unsupported checksum algorithm ${algo} (one of ${ALGOS.join(', ')})`);
      if (!/^[0-9a-f]+$/.test(want!)) return fail('The checksum format is invalid');
    }
    if (seen.probe.rc !== 0) return fail(`get_url: probing ${a.dest} failed: ${seen.probe.stderr.trim()}`);
    const probed = parseProbe(seen.probe.stdout.toString('utf8'));
    const kv = ctx.check
      ? checkProbe(probed, { url: a.url, dest: a.dest, algo, filename: urlFilename(a.url), inline: INLINE }, (p) =>
          ctx.checkKnown(p),
        )
      : probed;
    const b64 = (k: string): string | undefined =>
      kv.has(k) ? Buffer.from(kv.get(k)!, 'base64').toString('utf8') : undefined;
    const dest = b64('dest') ?? a.dest;
    const type = kv.get('type');
    const attrs = { mode: normalizeMode(a.mode), owner: a.owner, group: a.group };
    const stat =
      type === 'file'
        ? {
            type: 'file' as const,
            mode: (kv.get('mode') ?? '').padStart(4, '0'),
            owner: b64('owner') ?? '',
            group: b64('group') ?? '',
            size: 0,
          }
        : null;
    const result: Record<string, unknown> = {
      dest,
      url: a.url,
      checksum_dest: kv.get('sha1') ?? null,
      elapsed: 0,
    };
    const attrsOnly = (msg: string): Plan => {
      const { steps, diff } = stat ? attrPlan(dest, stat, attrs) : { steps: [], diff: [] };
      return {
        changed: steps.length > 0,
        steps,
        diff,
        msg: steps.length && msg === 'file already exists' ? 'file already exists but file attributes changed' : msg,
        result: { ...result, checksum_src: kv.get('src_sha1') ?? kv.get('sha1') },
      };
    };
    if (type === 'other') return fail(`Destination ${dest} is not a regular file`);
    if (type === 'file' && !a.force && want && kv.get('sum') === want) return attrsOnly('file already exists');
    if (kv.has('src_error')) return fail(`Request failed: ${b64('src_error')!.trim()}`, result);
    if (type === 'absent' && kv.get('dir') !== '1')
      return fail(`Destination ${posix.dirname(dest)} does not exist`, result);
    const size = Number(kv.get('src_size') ?? 0);
    result.checksum_src = kv.get('src_sha1');
    result.size = size;
    result.status_code = 200;
    if (want && kv.get('src_sum') !== want)
      return fail(`The checksum for ${dest} did not match ${want}; it was ${kv.get('src_sum')}.`, result);
    const msg = `OK (${size} bytes)`;
    if (type === 'file' && kv.get('sha1') === kv.get('src_sha1')) return attrsOnly(msg);
    const body = kv.has('src_body') ? Buffer.from(kv.get('src_body')!, 'base64') : undefined;
    const old = kv.has('dest_body') ? Buffer.from(kv.get('dest_body')!, 'base64') : undefined;
    const step: Step = body
      ? { op: 'write', path: dest, content: body, ...attrs, backup: a.backup }
      : {
          op: 'exec',
          argv: [
            'lbprov_get_url',
            a.url,
            String(a.timeout),
            algo ?? '',
            want ?? '',
            dest,
            attrs.mode ?? '',
            attrs.owner ?? '',
            attrs.group ?? '',
            a.backup ? '1' : '0',
          ],
          what: `downloading ${a.url} to ${dest}`,
        };
    const summary = (sha1: string | undefined, n: number | string): string => `sha1: ${sha1}\nsize: ${n}\n`;
    const textual = body && !isBinary(body) && (type === 'absent' || (old && !isBinary(old)));
    return {
      changed: true,
      steps: [step],
      diff: [
        textual
          ? { path: dest, before: old ? diffText(old) : '', after: diffText(body) }
          : {
              path: dest,
              before: type === 'absent' ? '' : summary(kv.get('sha1'), old ? old.length : 'more than 64 KiB'),
              after: summary(kv.get('src_sha1'), size),
            },
      ],
      msg,
      result,
    };
  },
});

function splitChecksum(c: string): [string | undefined, string | undefined] {
  const i = c.indexOf(':');
  if (i < 0) return [undefined, undefined];
  return [
    c.slice(0, i).toLowerCase(),
    c
      .slice(i + 1)
      .replace(/\W+/g, '')
      .toLowerCase(),
  ];
}
