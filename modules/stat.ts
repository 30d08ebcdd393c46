import { defineModule, noChange, type Plan, failedPlan } from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { checkReads, checkStat, probeArgv } from './stat-check.js';

const ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

const schema = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'The path to look at on the host.' }),
    follow: Default(Type.Boolean({ description: 'Follow a symlink: report what it points to.' }), false),
    get_checksum: Default(
      Type.Boolean({ description: 'Return the checksum of a readable regular file (stat.checksum).' }),
      true,
    ),
    checksum_algorithm: Default(Choice(ALGOS, { description: 'The checksum algorithm.' }), 'sha1'),
    get_mime: Default(
      Type.Boolean({ description: 'Return stat.mimetype and stat.charset (when the host has file(1)).' }),
      true,
    ),
    get_attributes: Default(
      Type.Boolean({ description: "Accepted for Ansible's playbooks; lsattr attributes are not returned." }),
      true,
    ),
  },
  { additionalProperties: false },
);

const KINDS: Record<string, string> = {
  'regular file': 'isreg',
  'regular empty file': 'isreg',
  directory: 'isdir',
  'symbolic link': 'islnk',
  'character special file': 'ischr',
  'block special file': 'isblk',
  fifo: 'isfifo',
  socket: 'issock',
};

/** key=value lines (lbprov_stat_full's, lbprov_stat_known's) as a map. */
export function keyValues(out: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return kv;
}

/** lbprov_stat_full's key=value lines as Ansible's `stat` mapping. */
export function parseStat(path: string, out: string | Map<string, string>): Record<string, unknown> {
  const kv = typeof out === 'string' ? keyValues(out) : out;
  if (kv.get('exists') !== '1') return { exists: false };
  const num = (k: string): number => Number(kv.get(k) ?? 0);
  const b64 = (k: string): string => Buffer.from(kv.get(k) ?? '', 'base64').toString('utf8');
  const bits = parseInt(kv.get('mode') ?? '0', 8);
  const kind = KINDS[kv.get('ftype') ?? ''];
  const st: Record<string, unknown> = {
    exists: true,
    path,
    mode: bits.toString(8).padStart(4, '0'),
    ...Object.fromEntries(Object.values(KINDS).map((k) => [k, k === kind])),
    uid: num('uid'),
    gid: num('gid'),
    size: num('size'),
    inode: num('inode'),
    dev: num('dev'),
    nlink: num('nlink'),
    atime: num('atime'),
    mtime: num('mtime'),
    ctime: num('ctime'),
    wusr: !!(bits & 0o200),
    rusr: !!(bits & 0o400),
    xusr: !!(bits & 0o100),
    wgrp: !!(bits & 0o20),
    rgrp: !!(bits & 0o40),
    xgrp: !!(bits & 0o10),
    woth: !!(bits & 0o2),
    roth: !!(bits & 0o4),
    xoth: !!(bits & 0o1),
    isuid: !!(bits & 0o4000),
    isgid: !!(bits & 0o2000),
    blocks: num('blocks'),
    block_size: num('block_size'),
    device_type:
      kind === 'ischr' || kind === 'isblk'
        ? parseInt(kv.get('devmajor') ?? '0', 16) * 256 + parseInt(kv.get('devminor') ?? '0', 16)
        : 0,
    readable: kv.get('readable') === '1',
    writeable: kv.get('writeable') === '1',
    executable: kv.get('executable') === '1',
    pw_name: b64('pw_name'),
    gr_name: b64('gr_name'),
  };
  if (kv.has('checksum')) st.checksum = kv.get('checksum');
  if (kv.has('mimetype')) {
    st.mimetype = kv.get('mimetype');
    st.charset = kv.get('charset');
  }
  if (kv.has('lnk_target')) {
    st.lnk_target = b64('lnk_target');
    st.lnk_source = b64('lnk_source');
  }
  return st;
}

export default defineModule({
  name: 'stat',
  aliases: ['ansible.builtin.stat'],
  shell: [shellLib('modules/stat.sh')],
  schema,
  description:
    "What is at a path: existence, type, mode, owner, size, times and checksum, as Ansible's stat returns them.",
  notes: [
    'Registers `stat` with Ansible\'s keys (exists, isdir, isreg, islnk, mode as "0644", uid, gid, pw_name, gr_name, size, mtime, checksum, lnk_target, readable...); a missing path is `stat: {exists: false}`. Changes nothing; runs in check mode too.',
    "In check mode, a path an earlier task of the run would have written, linked, made, removed or changed the mode or owner of is reported as the real run will find it: exists, type, mode and its bits, size, owner and group (names and ids, as the host resolves them), the checksum of the content written, readable/writeable/executable for the connecting user, lnk_target/lnk_source, and the mimetype and charset the host's file(1) says of that content; links those tasks would make are followed (follow: true). Inode, device and times stay the host's (0 for a path the host does not have yet). A file made by a command's `creates` has no known content: no checksum or mimetype then.",
  ],
  examples: `- name: Is the listener configured?
  stat:
    path: /etc/lb-listener/lb-listener.conf
  register: conf

- name: The binary's checksum, following the current-release link
  stat:
    path: /opt/app/current/bin/app
    follow: true
    checksum_algorithm: sha256
  register: app
`,
  returns: {
    stat: {
      description: "What is at the path, with Ansible's keys.",
      type: 'mapping',
      sample: { exists: true, isdir: false, isreg: true, mode: '0644', size: 12, pw_name: 'root', checksum: '…' },
    },
  },
  check: 'full',
  diff: 'none',
  reads: (a, ctx) => ({ stat: { kind: 'exec', argv: probeArgv(a, a.path, a.follow) }, ...checkReads(a, ctx) }),
  plan(a, seen, ctx): Plan {
    const s = seen.stat;
    if (s.rc !== 0) return failedPlan(`stat ${a.path}: ${s.stderr.trim() || `rc ${s.rc}`}`);
    const known = ctx.check ? checkStat(a, seen, (p) => ctx.checkKnown(p)) : undefined;
    return noChange(undefined, { stat: parseStat(a.path, known ?? s.stdout.toString('utf8')) });
  },
});
