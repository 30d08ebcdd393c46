import { createHash } from 'node:crypto';
import type { ModuleContext } from '../src/module/types.js';
import { followKnown } from '../src/module/check-known.js';

/**
 * get_url in check mode: the host's probe (lbprov_get_url_probe's key=value map) corrected by what
 * earlier tasks of the check run would have left (ModuleContext.checkKnown): a file:// source they
 * would write, a dest they would make a directory (the file goes in it), write or remove, a folder
 * they would make for dest. What they leave unknown (a file made by a command's creates, whose
 * content no one knows) stays as the host has it.
 */
export function checkProbe(
  kv: Map<string, string>,
  a: { url: string; dest: string; algo?: string; filename: string; inline: number },
  checkKnown: ModuleContext['checkKnown'],
): Map<string, string> {
  const out = new Map(kv);
  const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
  const sum = (algo: string, b: Buffer): string => createHash(algo).update(b).digest('hex');

  // where the file goes: in dest when dest would be a directory
  const given = checkKnown(a.dest);
  let dest = kv.has('dest') ? Buffer.from(kv.get('dest')!, 'base64').toString('utf8') : a.dest;
  if (given?.stat?.type === 'directory') dest = `${a.dest.replace(/\/+$/, '')}/${a.filename}`;
  else if (given !== undefined) dest = a.dest;
  out.set('dest', b64(dest));
  const d = followKnown(dest, checkKnown).known;
  if (d !== undefined) {
    for (const k of ['type', 'mode', 'owner', 'group', 'sha1', 'sum', 'dest_body', 'dir']) out.delete(k);
    if (!d.stat) {
      out.set('type', 'absent');
      const slash = dest.lastIndexOf('/');
      const dir = checkKnown(slash > 0 ? dest.slice(0, slash) : '/');
      out.set('dir', dir === undefined ? (kv.get('dir') ?? '0') : dir.stat?.type === 'directory' ? '1' : '0');
    } else if (d.stat.type !== 'file') out.set('type', 'other');
    else {
      out.set('type', 'file');
      out.set('mode', d.stat.mode.replace(/^0+(?=.)/, ''));
      out.set('owner', b64(d.stat.owner));
      out.set('group', b64(d.stat.group));
      if (d.content !== undefined) {
        out.set('sha1', sum('sha1', d.content));
        if (a.algo) out.set('sum', sum(a.algo, d.content));
        if (d.content.length <= a.inline) out.set('dest_body', b64(d.content));
      }
    }
  } else if (kv.get('type') === 'absent') {
    const slash = dest.lastIndexOf('/');
    const dir = checkKnown(slash > 0 ? dest.slice(0, slash) : '/');
    if (dir !== undefined) out.set('dir', dir.stat?.type === 'directory' ? '1' : '0');
  }

  // the source, when a file:// URL names a path those tasks would write or remove
  if (!a.url.startsWith('file://')) return out;
  const path = a.url.slice('file://'.length);
  const s = followKnown(path, checkKnown).known;
  if (s === undefined || (s.stat?.type === 'file' && s.content === undefined)) return out;
  if (s.stat && s.stat.type !== 'file' && s.stat.type !== 'directory') return out;
  for (const k of ['src_error', 'src_sha1', 'src_sum', 'src_size', 'src_body']) out.delete(k);
  if (!s.stat) out.set('src_error', b64(`cat: ${path}: No such file or directory\n`));
  else if (s.stat.type === 'directory') out.set('src_error', b64(`cat: ${path}: Is a directory\n`));
  else if (s.content !== undefined) {
    out.set('src_sha1', sum('sha1', s.content));
    if (a.algo) out.set('src_sum', sum(a.algo, s.content));
    out.set('src_size', String(s.content.length));
    if (s.content.length <= a.inline) out.set('src_body', b64(s.content));
  }
  return out;
}
