import type { Problems } from '../util/errors.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { checkExpr, parseExpr } from './expr.js';
import { isTemplate, TemplateError, templateSyntax } from './template.js';

/**
 * Load-time syntax checks shared by the playbook and inventory loaders: every template string and
 * every condition is parsed before any host is contacted, so a typo is reported with its
 * file:line:col (exit 5) instead of failing a host halfway through a run.
 */
export function checkTemplates(doc: SourceDoc, problems: Problems, path: PathSeg[], value: unknown): void {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return;
    try {
      templateSyntax(value);
    } catch (e) {
      if (e instanceof TemplateError) problems.add(e.message, doc.pos(path));
      else throw e;
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplates(doc, problems, [...path, i], v));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkTemplates(doc, problems, [...path, k], v);
}

/** A condition (`when`, `changed_when`, `failed_when`, `assert.that`): a string, a bool, or a list of them. */
export function checkExpressions(doc: SourceDoc, problems: Problems, path: PathSeg[], value: unknown): void {
  if (typeof value === 'string') {
    try {
      checkExpr(parseExpr(value.trim().replace(/^\{\{([\s\S]*)\}\}$/, '$1')));
    } catch (e) {
      problems.add((e as Error).message, doc.pos(path));
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkExpressions(doc, problems, [...path, i], v));
}
