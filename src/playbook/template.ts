import Handlebars from 'handlebars';
import type { Scope } from './scope.js';

/** A template that cannot be rendered: a missing variable, a syntax error, a bad helper call. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  /** For a syntax error: where in the template text (1-based), when Handlebars says. */
  loc?: { line: number; col: number };
}

const hb = Handlebars.create();
// Handlebars' built-in `log` prints its arguments to the console: a secret would reach stdout past
// no_log (and break --json). It is removed, and a template that calls it is refused when parsed.
hb.unregisterHelper('log');
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : String(list)));
hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
hb.registerHelper('not', (a: unknown) => !a);
hb.registerHelper('upper', (a: unknown) => String(a).toUpperCase());
hb.registerHelper('lower', (a: unknown) => String(a).toLowerCase());
hb.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
hb.registerHelper('octal', (a: unknown) => (typeof a === 'number' ? a.toString(8) : String(a)));

type Compiled = { kind: 'path'; parts: string[] } | { kind: 'text'; fn: HandlebarsTemplateDelegate };
const compiled = new Map<string, Compiled>();

/** True when a string holds template syntax. */
export function isTemplate(s: string): boolean {
  return s.includes('{{');
}

function compile(src: string): Compiled {
  let c = compiled.get(src);
  if (c) return c;
  let ast: hbs.AST.Program;
  const depth = blockDepth(src);
  if (depth > MAX_BLOCK_DEPTH) throw new TemplateError(`template syntax: blocks ({{#if}}, {{#each}}, ...) nested more than ${MAX_BLOCK_DEPTH} deep`);
  try {
    ast = hb.parse(src);
  } catch (e) {
    // a parse error's first line is only "Parse error on line N:"; its last says what was expected
    const lines = (e as Error).message.split('\n');
    const err = new TemplateError(`template syntax: ${lines[0].startsWith('Parse error') ? `${lines[0].replace(/:$/, '')}: ${lines.at(-1)}` : lines[0]}`);
    const { lineNumber, column } = e as { lineNumber?: number; column?: number };
    const line = lineNumber ?? Number(/on line (\d+)/.exec((e as Error).message)?.[1] ?? 0);
    if (line) err.loc = { line, col: (column ?? 0) + 1 };
    throw err;
  }
  const partial = findPartial(ast);
  if (partial) {
    const err = new TemplateError('template syntax: partials and decorators ({{> name}}, {{* name}}) are not supported');
    err.loc = { line: partial.loc.start.line, col: partial.loc.start.column + 1 };
    throw err;
  }
  if (callsLog(ast)) throw new TemplateError('template syntax: the "log" helper is not available (it would print values, no_log secrets included, to the terminal)');
  const only = ast.body.length === 1 ? ast.body[0] : undefined;
  const m = only?.type === 'MustacheStatement' ? (only as hbs.AST.MustacheStatement) : undefined;
  if (m && m.path.type === 'PathExpression' && m.params.length === 0 && !m.hash && !(m.path as hbs.AST.PathExpression).data && !hb.helpers[(m.path as hbs.AST.PathExpression).original]) {
    // exactly `{{ x.y }}`: the value keeps its type (number, list, bool)
    c = { kind: 'path', parts: (m.path as hbs.AST.PathExpression).parts };
  } else {
    c = { kind: 'text', fn: hb.compile(src, { strict: true, noEscape: true }) };
  }
  compiled.set(src, c);
  return c;
}

/** Handlebars' parser slows down sharply with nesting (2,000 nested blocks took seconds, 20,000 did not finish). */
const MAX_BLOCK_DEPTH = 100;

/** How deep `{{#...}}` blocks nest, by counting openings and closings (an upper bound: comments count too). */
function blockDepth(src: string): number {
  let depth = 0;
  let max = 0;
  for (const m of src.matchAll(/\{\{~?\s*(#|\^\s*[^\s}~]|\/)/g)) {
    depth += m[1] === '/' ? -1 : 1;
    if (depth > max) max = depth;
  }
  return max;
}

/** Parses a template without rendering it: throws TemplateError("template syntax: ...") when it cannot be parsed. */
export function templateSyntax(src: string): void {
  if (isTemplate(src)) compile(src);
}

/** The first partial or decorator in a template: lbprov registers none, so they can only fail when rendered. */
function findPartial(program: hbs.AST.Program | undefined): hbs.AST.Node | undefined {
  for (const st of program?.body ?? []) {
    if (/^(Partial|Decorator)/.test(st.type)) return st;
    if (st.type === 'BlockStatement') {
      const b = st as hbs.AST.BlockStatement;
      const found = findPartial(b.program) ?? findPartial(b.inverse);
      if (found) return found;
    }
  }
  return undefined;
}

/** True when a template calls `log` as a helper (`{{log x}}`, `{{#log}}`, `(log x)`) anywhere. */
function callsLog(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(callsLog);
  if (node === null || typeof node !== 'object') return false;
  const n = node as { type?: string; path?: { type?: string; original?: unknown }; params?: unknown[]; hash?: unknown };
  const isCall = n.type === 'BlockStatement' || n.type === 'SubExpression' || (n.type === 'MustacheStatement' && ((n.params?.length ?? 0) > 0 || !!n.hash));
  if (isCall && n.path?.type === 'PathExpression' && n.path.original === 'log') return true;
  return Object.entries(node).some(([k, v]) => k !== 'loc' && typeof v === 'object' && callsLog(v));
}

/** Renders one template string against a scope; a missing variable is an error, never ''. */
export function renderString(src: string, scope: Scope): unknown {
  if (!isTemplate(src)) return src;
  const c = compile(src);
  if (c.kind === 'path') return lookupPath(scope.view, c.parts, src);
  try {
    return c.fn(scope.view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const msg = (e as Error).message;
    const missing = /^"([^"]+)" not defined in/.exec(msg);
    throw new TemplateError(missing ? `undefined variable "${missing[1]}" in "${src}"${e && /\[variables\]/.test(msg) ? '' : ' (a field of a value)'}` : `template "${src}": ${msg.split('\n')[0]}`);
  }
}

function lookupPath(root: Record<string, unknown>, parts: string[], src: string): unknown {
  let cur: unknown = root;
  let walked = '';
  for (const p of parts) {
    const ok = cur !== null && typeof cur === 'object' && p in cur && (Object.hasOwn(cur, p) || cur === root);
    if (!ok) throw new TemplateError(walked ? `"${walked}" has no "${p}" (in "${src}")` : `undefined variable "${p}" in "${src}"`);
    cur = (cur as Record<string, unknown>)[p];
    walked = walked ? `${walked}.${p}` : p;
  }
  return cur;
}

/** Renders every string inside a value (lists and mappings included), keeping non-strings as they are. */
export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, scope);
    return out;
  }
  return value;
}

/** Renders a whole template file (the `template` module's source). */
export function renderFile(src: string, scope: Scope): string {
  const out = renderString(src, scope);
  return typeof out === 'string' ? out : String(out);
}

/**
 * Renders a module's own template with exactly these values. The values are data: unlike a
 * Scope's variables they are never rendered again, so a `{{` in an already quoted argument
 * reaches the output as it is.
 */
export function renderWith(text: string, vars: Record<string, unknown>): string {
  const c = compile(text);
  if (c.kind === 'path') return String(lookupPath(vars, c.parts, text));
  try {
    return c.fn(vars, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (e) {
    throw new TemplateError(`template: ${(e as Error).message.split('\n')[0]}`);
  }
}
