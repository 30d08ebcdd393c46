import { posix } from 'node:path';
import type { CheckKnown, ModuleContext } from './types.js';

/**
 * Where a path leads after the links an earlier task of a check run would have made
 * (ModuleContext.checkKnown): the last path, and what the run knows of it (undefined: nothing, the
 * host has the answer). A relative target is taken from the link's folder, as the kernel does.
 */
export function followKnown(
  path: string,
  checkKnown: ModuleContext['checkKnown'],
): { path: string; known: CheckKnown | undefined } {
  let p = path;
  let k = checkKnown(p);
  // 40: the kernel's limit of links in one lookup (beyond it, ELOOP): a loop ends here too
  for (let hops = 0; hops < 40 && k?.stat?.type === 'link' && k.stat.target !== undefined; hops++) {
    const t = k.stat.target;
    p = posix.normalize(t.startsWith('/') ? t : posix.join(posix.dirname(p), t));
    k = checkKnown(p);
  }
  return { path: p, known: k };
}

/** The connecting user, as `id -u` and `id -G` print them. */
export interface Who {
  uid: number;
  groups: number[];
}

/**
 * access(2) for R_OK, W_OK, X_OK as `who` would be answered on a path with these mode bits and
 * owner: root may read and write anything and execute a directory, or a file with any x bit.
 */
export function access(
  who: Who,
  st: { mode: string; type: string; uid: number; gid: number },
): { readable: boolean; writeable: boolean; executable: boolean } {
  const bits = parseInt(st.mode, 8);
  if (who.uid === 0)
    return { readable: true, writeable: true, executable: st.type === 'directory' || !!(bits & 0o111) };
  const shift = who.uid === st.uid ? 6 : who.groups.includes(st.gid) ? 3 : 0;
  const own = (bits >> shift) & 7;
  return { readable: !!(own & 4), writeable: !!(own & 2), executable: !!(own & 1) };
}
