import { readFileSync, statSync } from 'node:fs';
import type { ModuleDef } from '../module/types.js';
import { normalizeMode } from '../module/files.js';
import { errorMessage, InputError, type Problems } from '../util/errors.js';
import { checkUtf8 } from '../util/utf8.js';
import type { PathSeg, SourceDoc } from '../util/yaml.js';
import { localPath } from './local-file.js';
import { findJinja, jinjaMessage } from './jinja.js';
import { isTemplate, TemplateError, templateSyntax } from './template.js';

const literal = (v: unknown): v is string => typeof v === 'string' && !isTemplate(v);

/**
 * Checks of a task's arguments that the JSON schema cannot express, done at load time so that a
 * bad value is an input error with its place (exit 5) rather than a host failure mid-run: a file
 * mode that is not octal, and a local `src` that is missing or (from templates/) not a valid
 * template. Values that are templates are checked once rendered, on each host.
 */
export function checkTaskArgs(
  doc: SourceDoc,
  problems: Problems,
  path: PathSeg[],
  def: ModuleDef,
  args: Record<string, unknown>,
  dir: string | readonly string[],
): void {
  const props = (def.schema as { properties?: Record<string, unknown> }).properties ?? {};
  if ('mode' in props && args.mode !== undefined && !(typeof args.mode === 'string' && isTemplate(args.mode))) {
    if (typeof args.mode === 'string' || typeof args.mode === 'number') {
      try {
        normalizeMode(args.mode);
      } catch (e) {
        problems.add(`${def.name}: ${errorMessage(e)}`, doc.pos([...path, 'mode']));
      }
    }
  }
  const kind = def.localSrc;
  // a host path (unarchive's remote_src) is not looked for on the controller
  if (!kind || !literal(args.src) || args.remote_src === true) return;
  let file: string;
  try {
    file = localPath(dir, args.src, kind);
    if (!statSync(file).isFile()) throw new Error(`"${args.src}" is not a file`);
  } catch (e) {
    problems.add(`${def.name}: src ${errorMessage(e).replace(/^local file /, '')}`, doc.pos([...path, 'src']));
    return;
  }
  if (kind !== 'templates') return;
  try {
    const text = checkUtf8(file, readFileSync(file));
    const where = doc.pos([...path, 'src']);
    // every Jinja use in the file, each at its place, with the Handlebars to write
    const jinja = findJinja(text);
    for (const u of jinja)
      problems.add(`${jinjaMessage(u)} (the template of the task at ${where.file}:${where.line}:${where.col})`, {
        file,
        line: u.line,
        col: u.col,
      });
    if (!jinja.length) templateSyntax(text);
  } catch (e) {
    if (e instanceof InputError) problems.list.push(...e.problems);
    else if (e instanceof TemplateError) {
      const where = doc.pos([...path, 'src']);
      problems.add(`${e.message} (the template of the task at ${where.file}:${where.line}:${where.col})`, {
        file,
        line: e.loc?.line ?? 1,
        col: e.loc?.col ?? 1,
      });
    } else throw e;
  }
}
