import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { CheckKnown, FileStat, ModuleContext, Read, Seen } from '../src/module/types.js';
import { access, followKnown } from '../src/module/check-known.js';

/**
 * stat in check mode: what an earlier task of the check run would have left at the path (written,
 * linked, made, removed, its mode or owner changed) is what stat reports, as the real run's stat
 * would find it; the host's own values stay for what no task changes (inode, device, times).
 */

interface Args {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: string;
  get_mime: boolean;
}

/** The largest content sent to the host for file(1) to judge (it goes base64 in the read's script). */
const MIME_MAX = 1 << 20;

/** lbprov_stat_full's argv for a path. */
export const probeArgv = (a: Args, path: string, follow: boolean): string[] => [
  'lbprov_stat_full',
  path,
  follow ? '1' : '0',
  a.get_checksum ? a.checksum_algorithm : '',
  a.get_mime ? '1' : '0',
];

/**
 * The reads a check run adds when it knows the path: `known` (lbprov_stat_known: the owner's and
 * group's ids and names, the connecting user, what file(1) says of the content) and, when the
 * links it knows lead to a path it does not know, `target` (the host's stat of where they lead).
 */
export function checkReads(a: Args, ctx: Pick<ModuleContext, 'check' | 'checkKnown'>): Record<string, Read> {
  if (!ctx.check) return {};
  const own = ctx.checkKnown(a.path);
  // a folder only implied (made on the way by mkdir -p): the host's, or root's 0755 when it has none
  if (!own?.stat || own.implied) return {};
  const end = followKnown(a.path, (p) => ctx.checkKnown(p));
  const reads: Record<string, Read> = {};
  if (!end.known) reads.target = { kind: 'exec', argv: probeArgv(a, end.path, true) };
  const subject = a.follow ? end.known?.stat : own.stat;
  if (!subject && !end.known?.stat) return reads;
  // file(1) is run on the path itself, never following it (Ansible runs `file` without -L); a
  // content past MIME_MAX is not sent in the script: no mimetype predicted then
  const kind = !a.get_mime
    ? ''
    : own.stat.type === 'file'
      ? own.content && own.content.length <= MIME_MAX
        ? 'file'
        : ''
      : own.stat.type === 'other'
        ? ''
        : own.stat.type;
  const acc = end.known?.stat ?? subject!;
  reads.known = {
    kind: 'exec',
    argv: [
      'lbprov_stat_known',
      (subject ?? acc).owner,
      (subject ?? acc).group,
      kind,
      kind === 'file' ? own.content!.toString('base64') : '',
      acc.owner,
      acc.group,
    ],
  };
  return reads;
}

const FTYPE: Record<FileStat['type'], string> = {
  file: 'regular file',
  directory: 'directory',
  link: 'symbolic link',
  other: 'fifo',
};

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * The key=value map (lbprov_stat_full's) of what the check run knows, over the host's: undefined
 * when the run knows nothing of the path (the host's answer stands).
 */
export function checkStat(
  a: Args,
  seen: Record<string, Seen>,
  checkKnown: ModuleContext['checkKnown'],
): Map<string, string> | undefined {
  const own = checkKnown(a.path);
  if (own === undefined) return undefined;
  const host = keyValuesOf(seen.stat);
  if (!own.stat) return new Map([['exists', '0']]);
  // a folder only known to hold what a task would make: the host's own account, when it has one
  if (own.implied && host.get('exists') === '1') return undefined;
  const end = followKnown(a.path, checkKnown);
  const target = seen.target ? keyValuesOf(seen.target) : undefined;
  if (a.follow && !end.known) {
    // the links lead to a path no task changes: the host's stat of it, file(1) of the link itself
    if (!target || target.get('exists') !== '1') return new Map([['exists', '0']]);
    if (target.has('mimetype') && own.stat.type === 'link') {
      target.set('mimetype', 'inode/symlink');
      target.set('charset', 'binary');
    }
    return target;
  }
  const subject: CheckKnown | undefined = a.follow ? end.known : own;
  if (!subject?.stat) return new Map([['exists', '0']]);
  const st = subject.stat;
  const known = keyValuesOf(seen.known);
  const kv = host.get('exists') === '1' ? host : new Map<string, string>();
  const hostType = kv.get('ftype');
  kv.set('exists', '1');
  kv.set('ftype', st.type === 'other' && hostType ? hostType : FTYPE[st.type]);
  kv.set('mode', st.mode);
  kv.set('uid', known.get('uid') ?? '0');
  kv.set('gid', known.get('gid') ?? '0');
  kv.set('pw_name', known.get('pw_name') ?? b64(st.owner));
  kv.set('gr_name', known.get('gr_name') ?? b64(st.group));
  kv.set('devmajor', '0');
  kv.set('devminor', '0');
  const size =
    subject.content?.length ??
    (st.type === 'link'
      ? Buffer.byteLength(st.target ?? '')
      : kv.has('size')
        ? Number(kv.get('size'))
        : st.type === 'directory'
          ? 4096 // a new directory's, on ext4 and xfs alike
          : st.size);
  kv.set('size', String(size));
  // what the connecting user may do: access(2) follows links, so it is the last path's
  const who = { uid: Number(known.get('me') ?? 0), groups: (known.get('groups') ?? '').split(' ').map(Number) };
  const perms = end.known?.stat
    ? access(who, {
        ...end.known.stat,
        uid: Number(known.get('auid') ?? known.get('uid') ?? 0),
        gid: Number(known.get('agid') ?? known.get('gid') ?? 0),
      })
    : end.known
      ? { readable: false, writeable: false, executable: false }
      : {
          readable: target?.get('readable') === '1',
          writeable: target?.get('writeable') === '1',
          executable: target?.get('executable') === '1',
        };
  kv.set('readable', perms.readable ? '1' : '0');
  kv.set('writeable', perms.writeable ? '1' : '0');
  kv.set('executable', perms.executable ? '1' : '0');
  // a file whose content the run does not know (made by a command's creates, or only its mode
  // changed): the host's checksum and mime type, if the host has it
  if (subject.content !== undefined || st.type !== 'file' || !perms.readable) kv.delete('checksum');
  if (a.get_checksum && st.type === 'file' && perms.readable && subject.content !== undefined)
    kv.set('checksum', createHash(a.checksum_algorithm).update(subject.content).digest('hex'));
  if (known.has('mimetype')) {
    kv.set('mimetype', known.get('mimetype')!);
    kv.set('charset', known.get('charset') ?? '');
  } else if (own.stat.type !== 'file' || own.content !== undefined) {
    kv.delete('mimetype');
    kv.delete('charset');
  }
  kv.delete('lnk_target');
  kv.delete('lnk_source');
  if (!a.follow && own.stat.type === 'link') {
    kv.set('lnk_target', b64(own.stat.target ?? ''));
    kv.set('lnk_source', b64(posix.normalize(end.path)));
  }
  return kv;
}

function keyValuesOf(s: Seen | undefined): Map<string, string> {
  const kv = new Map<string, string>();
  if (!s || s.rc !== 0) return kv;
  for (const line of s.stdout.toString('utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return kv;
}
