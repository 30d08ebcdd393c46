import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../util/errors.js';

/** A file's bytes, or stdin's for "-"; an unreadable file is an input error naming it. */
export function readInput(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    throw new InputError(
      `${file === '-' ? 'stdin' : file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** The file a path names, symlinks followed (in-place operations replace the target, not the link). */
export function realFile(file: string): string {
  if (file === '-') return file;
  try {
    return realpathSync(file);
  } catch (e) {
    throw new InputError(
      `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
}

/**
 * Writes data to a file atomically: a new file (O_EXCL, `mode`) beside it, synced, then renamed
 * over it, so that a reader sees the old content or the new, never half of either. "-" is stdout.
 * `keep` keeps the permissions and owner of the file it replaces.
 */
export function writeOutput(file: string, data: Buffer | string, opts: { mode?: number; keep?: boolean } = {}): void {
  if (file === '-') {
    process.stdout.write(data);
    return;
  }
  let prev: { mode: number; uid: number; gid: number } | undefined;
  if (opts.keep) {
    try {
      prev = statSync(file);
    } catch {
      // a new file: nothing to keep
    }
  }
  const tmp = join(dirname(file), `.${basename(file)}.lbprov-${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', opts.mode ?? 0o600);
  } catch (e) {
    throw new InputError(
      `${file}: cannot write beside it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (prev) {
      chmodSync(tmp, prev.mode & 0o7777);
      if (prev.uid !== process.getuid?.() || prev.gid !== process.getgid?.()) {
        try {
          chownSync(tmp, prev.uid, prev.gid);
        } catch {
          // only root may give a file away; the new file is then the caller's
        }
      }
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
