import { isUtf8 } from 'node:buffer';
import { InputError } from './errors.js';

/**
 * The text of a file that must be UTF-8. Node's decoder turns a bad byte into U+FFFD without a
 * word; a config file with one is corrupt or not text, so it is refused with the byte's place.
 */
export function checkUtf8(file: string, bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const bad = Math.min(firstInvalid(bytes), bytes.length - 1);
  const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const col = bytes.subarray(lineStart, bad).toString('utf8').length + 1;
  throw new InputError(`invalid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')}); files must be UTF-8 text`, {
    file,
    line,
    col,
  });
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalid(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
