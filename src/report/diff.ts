import { createTwoFilesPatch } from 'diff';
import type { DiffItem } from '../module/types.js';

/** A unified diff of one changed file or value, `--- before` / `+++ after` like `diff -u`. */
export function unifiedDiff(d: DiffItem): string {
  return createTwoFilesPatch(`before: ${d.path}`, `after: ${d.path}`, d.before, d.after, undefined, undefined, {
    context: 3,
  })
    .split('\n')
    .filter((l) => !l.startsWith('====='))
    .join('\n');
}
