import type { Problems } from '../util/errors.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { LOOP_CONTROL_KEYS, LOOP_LOOKUPS, type LoopLookup } from './loop-keys.js';
import { checkTemplates } from './syntax.js';
import type { Task } from './types.js';

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const withKeys = (raw: Raw): string[] => Object.keys(raw).filter((k) => k.startsWith('with_'));

/** A task's loop keywords: the source (`loop:` or the `with_<lookup>:` value), the lookup, loop_control. */
export function loopKeywords(raw: Raw): Pick<Task, 'loop' | 'loopWith' | 'loopControl' | 'loopFlatten'> {
  const w = withKeys(raw).find((k) => (LOOP_LOOKUPS as readonly string[]).includes(k.slice(5)));
  const loopWith = raw.loop === undefined && w ? (w.slice(5) as LoopLookup) : undefined;
  return {
    loop: raw.loop ?? (w ? raw[w] : undefined),
    loopWith,
    loopFlatten: loopWith === 'items',
    loopControl: isMap(raw.loop_control) ? raw.loop_control : undefined,
  };
}

/**
 * Load-time checks of the loop keywords, as Ansible refuses them before running: an unknown
 * `with_<name>` (Ansible: "'with_x' is not a valid attribute for a Task"), two loops on one task
 * ("duplicate loop in task"), an unknown loop_control key ("not a valid attribute for a LoopControl").
 */
export function checkLoop(doc: SourceDoc, problems: Problems, path: PathSeg[], raw: Raw): void {
  const loops = withKeys(raw);
  for (const k of loops)
    if (!(LOOP_LOOKUPS as readonly string[]).includes(k.slice(5)))
      problems.add(
        `'${k}' is not a valid attribute for a Task: no lookup "${k.slice(5)}" (loops: loop, ${LOOP_LOOKUPS.map((l) => `with_${l}`).join(', ')})`,
        doc.pos([...path, k], 'key'),
      );
  if (raw.loop !== undefined) loops.unshift('loop');
  if (loops.length > 1)
    problems.add(
      `duplicate loop in task: ${loops.join(', ')} (a task has one loop)`,
      doc.pos([...path, loops[1]], 'key'),
    );
  for (const k of loops) checkTemplates(doc, problems, [...path, k], raw[k]);
  const lc = raw.loop_control;
  if (lc === undefined) return;
  if (!isMap(lc)) {
    problems.add('loop_control must be a mapping', doc.pos([...path, 'loop_control']));
    return;
  }
  for (const k of Object.keys(lc))
    if (!(LOOP_CONTROL_KEYS as readonly string[]).includes(k))
      problems.add(
        `'${k}' is not a valid attribute for a LoopControl (${LOOP_CONTROL_KEYS.join(', ')})`,
        doc.pos([...path, 'loop_control', k], 'key'),
      );
  for (const k of ['loop_var', 'index_var'] as const) {
    const v = lc[k];
    if (v !== undefined && (typeof v !== 'string' || !/^([A-Za-z_]\w*|.*\{\{.*)$/s.test(v)))
      problems.add(
        `loop_control.${k} must be a variable name, got ${JSON.stringify(v)}`,
        doc.pos([...path, 'loop_control', k]),
      );
  }
  const pause = lc.pause;
  if (
    pause !== undefined &&
    !(typeof pause === 'number' && pause >= 0) &&
    !(typeof pause === 'string' && /\{\{|^\s*\d+(\.\d*)?\s*$/.test(pause))
  )
    problems.add(
      `loop_control.pause must be a number of seconds >= 0, got ${JSON.stringify(pause)}`,
      doc.pos([...path, 'loop_control', 'pause']),
    );
  checkTemplates(doc, problems, [...path, 'loop_control'], lc);
}
