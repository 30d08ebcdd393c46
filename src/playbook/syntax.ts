import type { Problems } from '../util/errors.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { checkExpr, parseExpr } from './expr.js';
import { findJinja, jinjaMessage } from './jinja.js';
import { isTemplate, TemplateError, templateSyntax } from './template.js';

/**
 * Load-time syntax checks shared by the playbook and inventory loaders: every template string and
 * every condition is parsed before any host is contacted, so a typo is reported with its
 * file:line:col (exit 5) instead of failing a host halfway through a run.
 */
export function checkTemplates(doc: SourceDoc, problems: Problems, path: PathSeg[], value: unknown): void {
  if (typeof value === 'string') {
    // Jinja is reported with the Handlebars to write, instead of Handlebars' "Parse error"
    const jinja = findJinja(value);
    for (const u of jinja)
      problems.add(`${jinjaMessage(u)}${value.includes('\n') ? ` (line ${u.line} of the value)` : ''}`, doc.pos(path));
    if (jinja.length || !isTemplate(value)) return;
    try {
      templateSyntax(value);
    } catch (e) {
      if (e instanceof TemplateError) problems.add(e.message, doc.pos(path));
      else throw e;
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplates(doc, problems, [...path, i], v));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) checkTemplates(doc, problems, [...path, k], v);
}

/** Ansible's warning for a condition wrapped in {{ }} (playbook/conditional.py), word for word. */
export const CONDITIONAL_DELIMITERS =
  'conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}.';

/**
 * A condition (`when`, `changed_when`, `failed_when`, `assert.that`): a string, a bool, or a list of
 * them. One wrapped in `{{ }}` still works (the inside is the expression) but is warned about, as
 * Ansible does.
 */
export function checkExpressions(doc: SourceDoc, problems: Problems, path: PathSeg[], value: unknown): void {
  if (typeof value === 'string') {
    if (/\{\{|\{%/.test(value)) problems.warn(`${CONDITIONAL_DELIMITERS} Found: ${value}`, doc.pos(path));
    try {
      checkExpr(parseExpr(value.trim().replace(/^\{\{([\s\S]*)\}\}$/, '$1')));
    } catch (e) {
      problems.add((e as Error).message, doc.pos(path));
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkExpressions(doc, problems, [...path, i], v));
}
