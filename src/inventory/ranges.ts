import { InputError } from '../util/errors.js';

/**
 * The most hosts one range pattern may name. `web[01:99999999]` is a typo, not a fleet: it is
 * refused before anything is built. 250,000 leaves room for the largest fleets we know of while
 * keeping a whole inventory in memory (a few hundred bytes a host) and loading in seconds.
 */
export const MAX_RANGE_HOSTS = 250_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RANGE = /\[([0-9A-Za-z]*):([0-9A-Za-z]+)(?::([0-9]+))?\]/;

/**
 * Ansible's host ranges: `web[01:03]` is web01, web02, web03; `[1:9:2]` steps; `[a:c]` letters;
 * several ranges multiply (`n[1:2]-[a:b]`). Unlike Ansible, a range that runs backwards is an
 * error rather than no hosts, and the count is checked before expansion. Throws InputError
 * (without a place: the caller knows where the pattern is).
 */
export function expandHostRange(pattern: string): string[] {
  // split into literal text and ranges: text0 range0 text1 range1 ... textN
  const texts: string[] = [];
  const ranges: string[][] = [];
  let rest = pattern;
  for (let m = RANGE.exec(rest); m; m = RANGE.exec(rest)) {
    texts.push(rest.slice(0, m.index));
    ranges.push(rangeValues(pattern, m[0], m[1], m[2], m[3]));
    rest = rest.slice(m.index + m[0].length);
  }
  texts.push(rest);
  if (!ranges.length) return [pattern];
  const count = ranges.reduce((n, r) => n * r.length, 1);
  if (count > MAX_RANGE_HOSTS) {
    throw new InputError(
      `host range "${pattern}" names ${count} hosts; at most ${MAX_RANGE_HOSTS} are allowed in one pattern`,
    );
  }
  // the product, built left to right: linear in the number of hosts
  let out = [texts[0]];
  ranges.forEach((values, i) => {
    const next: string[] = [];
    for (const head of out) for (const v of values) next.push(head + v + texts[i + 1]);
    out = next;
  });
  return out;
}

function rangeValues(
  pattern: string,
  whole: string,
  begin: string,
  end: string,
  stepText: string | undefined,
): string[] {
  const bad = (why: string): never => {
    throw new InputError(`host range "${whole}" in "${pattern}": ${why}`);
  };
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isSafeInteger(step) || step < 1) bad('the step must be a whole number >= 1');
  const alpha = /^[A-Za-z]$/;
  if (alpha.test(end) || alpha.test(begin)) {
    if (!alpha.test(begin) || !alpha.test(end)) bad('a letter range is one letter to one letter, like [a:f]');
    const from = LETTERS.indexOf(begin);
    const to = LETTERS.indexOf(end);
    if (from > to) bad(`it runs backwards (${begin} comes after ${end})`);
    const out: string[] = [];
    for (let i = from; i <= to; i += step) out.push(LETTERS[i]);
    return out;
  }
  if (!/^\d*$/.test(begin) || !/^\d+$/.test(end)) bad('expected [begin:end] with numbers or single letters');
  const from = begin === '' ? 0 : Number(begin);
  const to = Number(end);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) bad('the numbers are too large');
  if (from > to) bad(`it runs backwards (${from} > ${to})`);
  const n = Math.floor((to - from) / step) + 1;
  if (n > MAX_RANGE_HOSTS) {
    throw new InputError(
      `host range "${pattern}" names ${n} hosts; at most ${MAX_RANGE_HOSTS} are allowed in one pattern`,
    );
  }
  // a leading zero fixes the width (web[01:10]): as Ansible, begin and end must then be equally wide
  const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
  if (width && end.length !== width) bad('with a leading zero, begin and end must have the same number of digits');
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = String(from + k * step).padStart(width, '0');
  return out;
}
