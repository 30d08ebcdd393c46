import type { Problems } from '../util/errors.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { ENV_NAME } from './exec-keywords.js';
import { checkTemplates } from './syntax.js';
import { isTemplate } from './template.js';

type Raw = Record<string, unknown>;

/** Load-time checks beyond the schema: templates parse, literal variable names are names. */
export function checkExecKeywords(doc: SourceDoc, problems: Problems, path: PathSeg[], raw: Raw): void {
  checkTemplates(doc, problems, [...path, 'delegate_to'], raw.delegate_to);
  checkTemplates(doc, problems, [...path, 'run_once'], raw.run_once);
  checkTemplates(doc, problems, [...path, 'throttle'], raw.throttle);
  const env = raw.environment;
  if (env == null) return;
  checkTemplates(doc, problems, [...path, 'environment'], env);
  const entries: Array<[unknown, PathSeg[]]> = Array.isArray(env)
    ? env.map((e, i) => [e, [...path, 'environment', i]])
    : [[env, [...path, 'environment']]];
  for (const [e, at] of entries) {
    if (typeof e === 'string' && !isTemplate(e))
      problems.add(`environment: "${e}" is neither a mapping nor a template of one`, doc.pos(at));
    if (e === null || typeof e !== 'object' || Array.isArray(e)) continue;
    for (const k of Object.keys(e))
      if (!ENV_NAME.test(k))
        problems.add(`environment: "${k}" is not a variable name (letters, digits, _)`, doc.pos([...at, k], 'key'));
  }
}
