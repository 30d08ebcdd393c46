import Handlebars from 'handlebars';
import { callFilter, FILTER_NAMES, FilterError, hasFilter, UndefinedValue } from './filters.js';
import { findJinja, jinjaMessage } from './jinja.js';
import { type Scope } from './scope.js';
import { TemplateError } from './template-error.js';

export { TemplateError };

const hb = Handlebars.create();
// Handlebars' built-in `log` prints its arguments to the console: a secret would reach stdout past
// no_log (and break --json). It is removed, and a template that calls it is refused when parsed.
hb.unregisterHelper('log');
const BUILTIN_HELPERS = new Set(Object.keys(hb.helpers));
// every filter of filters.ts is a helper: `{{to_json x indent=2}}` is `x | to_json(indent=2)`
for (const name of FILTER_NAMES) {
  hb.registerHelper(name, function (this: unknown, ...params: unknown[]) {
    const options = params.pop() as Handlebars.HelperOptions;
    const kw = options.hash as Record<string, unknown>;
    // `{{ first }}` with nothing after it names a variable (as in Ansible), not a call
    if (!params.length && !Object.keys(kw).length) return variable(this, name);
    return callFilter(name, params[0], params.slice(1), kw);
  });
}
// `{{{{raw}}}} text with {{ or {% {{{{/raw}}}}`: the text as it is
hb.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
// a lone `{{helper ...}}` keeps the type of what the helper returns: rendered as {{__value (helper ...)}}
hb.registerHelper('__value', (value: unknown, options: Handlebars.HelperOptions) => {
  (options.data as { box: { value?: unknown } }).box.value = value;
  return '';
});

// `{{default a.b 1}}`: `a.b` read by __maybe, which gives undefined where a or a.b is missing or cannot be rendered
hb.registerHelper('__maybe', function (this: unknown, path: string) {
  // eslint-disable-next-line @typescript-eslint/no-this-alias -- Handlebars gives the context as `this`: the walk starts there
  let cur: unknown = this;
  try {
    for (const p of path.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(p in cur)) return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
  } catch (e) {
    if (e instanceof TemplateError || e instanceof FilterError) return undefined;
    throw e;
  }
  return cur;
});

/**
 * Handlebars reads a helper's argument before the helper runs, so `default` could never see a
 * missing `a.b` (or a var whose own template fails): its first argument, when a plain path of
 * the context, is rewritten to (__maybe "a.b"). Paths naming block params or parents stay as they are.
 */
function tolerantDefaults(node: unknown, blockParams: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => tolerantDefaults(n, blockParams));
  if (node === null || typeof node !== 'object') return;
  const n = node as {
    type?: string;
    path?: hbs.AST.PathExpression;
    params?: hbs.AST.Expression[];
    program?: hbs.AST.Program;
    blockParams?: string[];
  };
  const isCall = n.type === 'MustacheStatement' || n.type === 'SubExpression' || n.type === 'BlockStatement';
  const first = n.params?.[0] as hbs.AST.PathExpression | undefined;
  if (
    isCall &&
    n.path?.type === 'PathExpression' &&
    ['default', 'd'].includes(n.path.original) &&
    first?.type === 'PathExpression' &&
    !first.data &&
    first.depth === 0 &&
    first.parts.length &&
    !/^(this|\.)/.test(first.original) &&
    !blockParams.has(first.parts[0])
  ) {
    const maybe: hbs.AST.PathExpression = {
      type: 'PathExpression',
      data: false,
      depth: 0,
      parts: ['__maybe'],
      original: '__maybe',
      loc: first.loc,
    };
    const lit: hbs.AST.StringLiteral = {
      type: 'StringLiteral',
      value: first.parts.join('.'),
      original: first.parts.join('.'),
      loc: first.loc,
    };
    n.params![0] = {
      type: 'SubExpression',
      path: maybe,
      params: [lit],
      hash: undefined as unknown as hbs.AST.Hash,
      loc: first.loc,
    } as hbs.AST.SubExpression;
  }
  // `{{default (first l) 3}}`: an undefined result of the inner helper (`[] | first`) is the default's business
  const sub = n.params?.[0] as hbs.AST.SubExpression | undefined;
  if (
    isCall &&
    n.path?.type === 'PathExpression' &&
    ['default', 'd'].includes(n.path.original) &&
    sub?.type === 'SubExpression' &&
    sub.path.type === 'PathExpression' &&
    hasFilter(sub.path.original)
  ) {
    const name = sub.path.original;
    const lit: hbs.AST.StringLiteral = { type: 'StringLiteral', value: name, original: name, loc: sub.loc };
    sub.params = [lit, ...sub.params];
    sub.path = {
      ...sub.path,
      parts: ['__try'],
      original: '__try',
      head: '__try',
    } as hbs.AST.PathExpression;
  }
  const inner =
    n.type === 'BlockStatement' && n.program?.blockParams?.length
      ? new Set([...blockParams, ...n.program.blockParams])
      : blockParams;
  for (const [k, v] of Object.entries(node))
    if (k !== 'loc' && typeof v === 'object') tolerantDefaults(v, k === 'program' ? inner : blockParams);
}

hb.registerHelper('__try', (name: string, ...params: unknown[]) => {
  const options = params.pop() as Handlebars.HelperOptions;
  try {
    return callFilter(name, params[0], params.slice(1), options.hash as Record<string, unknown>);
  } catch (e) {
    if (e instanceof UndefinedValue) return undefined;
    throw e;
  }
});

function variable(ctx: unknown, name: string): unknown {
  if (ctx !== null && typeof ctx === 'object' && name in ctx) return (ctx as Record<string, unknown>)[name];
  throw new TemplateError(`undefined variable "${name}"`);
}

type Compiled =
  | { kind: 'path'; parts: string[] }
  | { kind: 'text'; fn: HandlebarsTemplateDelegate }
  | { kind: 'value'; fn: HandlebarsTemplateDelegate };
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
  if (depth > MAX_BLOCK_DEPTH)
    throw new TemplateError(
      `template syntax: blocks ({{#if}}, {{#each}}, ...) nested more than ${MAX_BLOCK_DEPTH} deep`,
    );
  try {
    ast = hb.parse(src);
  } catch (e) {
    // a parse error's first line is only "Parse error on line N:"; its last says what was expected
    const lines = (e as Error).message.split('\n');
    const err = new TemplateError(
      `template syntax: ${lines[0].startsWith('Parse error') ? `${lines[0].replace(/:$/, '')}: ${lines.at(-1)}` : lines[0]}`,
    );
    const { lineNumber, column } = e as { lineNumber?: number; column?: number };
    const line = lineNumber ?? Number(/on line (\d+)/.exec((e as Error).message)?.[1] ?? 0);
    if (line) err.loc = { line, col: (column ?? 0) + 1 };
    throw err;
  }
  const partial = findPartial(ast);
  if (partial) {
    const err = new TemplateError(
      'template syntax: partials and decorators ({{> name}}, {{* name}}) are not supported',
    );
    err.loc = { line: partial.loc.start.line, col: partial.loc.start.column + 1 };
    throw err;
  }
  if (callsLog(ast))
    throw new TemplateError(
      'template syntax: the "log" helper is not available (it would print values, no_log secrets included, to the terminal)',
    );
  tolerantDefaults(ast, new Set());
  const only = ast.body.length === 1 ? ast.body[0] : undefined;
  const m = only?.type === 'MustacheStatement' ? (only as hbs.AST.MustacheStatement) : undefined;
  const path = m?.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression) : undefined;
  const opts = { strict: true, noEscape: true };
  if (m && path && !path.data && m.params.length === 0 && !m.hash && !BUILTIN_HELPERS.has(path.original)) {
    // exactly `{{ x.y }}`: the value keeps its type (number, list, bool)
    c = { kind: 'path', parts: path.parts };
  } else if (m && path && !path.data && path.parts.length === 1 && hasFilter(path.original)) {
    // exactly `{{to_json x}}`: the helper's value, with its type
    const sub: hbs.AST.SubExpression = {
      type: 'SubExpression',
      path: path,
      params: m.params,
      hash: m.hash,
      loc: m.loc,
    };
    const wrapped: hbs.AST.MustacheStatement = {
      ...m,
      path: { ...path, parts: ['__value'], original: '__value', head: '__value' } as hbs.AST.PathExpression,
      params: [sub],
      hash: undefined as unknown as hbs.AST.Hash,
    };
    c = { kind: 'value', fn: hb.compile({ ...ast, body: [wrapped] }, opts) };
  } else {
    c = { kind: 'text', fn: hb.compile(ast, opts) };
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
  refuseJinja(src);
  if (isTemplate(src)) compile(src);
}

const jinjaChecked = new Set<string>();

/** Jinja in a user's template or value is an error (with the Handlebars to write), never text for a host. */
function refuseJinja(src: string): void {
  if (jinjaChecked.has(src)) return;
  const found = findJinja(src);
  if (found.length) {
    const err = new TemplateError(
      found.length > 1
        ? `${jinjaMessage(found[0])} (and ${found.length - 1} more Jinja use${found.length > 2 ? 's' : ''})`
        : jinjaMessage(found[0]),
    );
    err.loc = { line: found[0].line, col: found[0].col };
    throw err;
  }
  if (jinjaChecked.size > 10_000) jinjaChecked.clear();
  jinjaChecked.add(src);
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
  const isCall =
    n.type === 'BlockStatement' ||
    n.type === 'SubExpression' ||
    (n.type === 'MustacheStatement' && ((n.params?.length ?? 0) > 0 || !!n.hash));
  if (isCall && n.path?.type === 'PathExpression' && n.path.original === 'log') return true;
  return Object.entries(node).some(([k, v]) => k !== 'loc' && typeof v === 'object' && callsLog(v));
}

/** Renders one template string against a scope; a missing variable is an error, never ''. */
export function renderString(src: string, scope: Scope): unknown {
  if (!isTemplate(src)) {
    if (src.includes('{%') || src.includes('{#')) refuseJinja(src);
    return src;
  }
  refuseJinja(src);
  const c = compile(src);
  if (c.kind === 'path') return lookupPath(scope.view, c.parts, src);
  const box: { value?: unknown } = {};
  try {
    const text = c.fn(scope.view, {
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
      data: { box },
    });
    return c.kind === 'value' ? box.value : text;
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const msg = (e as Error).message;
    if (e instanceof FilterError) throw new TemplateError(`${msg} (in "${src}")`);
    const missing = /^"([^"]+)" not defined in/.exec(msg);
    // Handlebars reads a helper's argument `a.b` without checks: a missing `a` is a TypeError
    const field = /^Cannot read properties of (undefined|null) \(reading '([^']*)'\)/.exec(msg);
    if (field)
      throw new TemplateError(`undefined variable in "${src}": something before ".${field[2]}" is ${field[1]}`);
    throw new TemplateError(
      missing
        ? `undefined variable "${missing[1]}" in "${src}"${e && /\[variables\]/.test(msg) ? '' : ' (a field of a value)'}`
        : `template "${src}": ${msg.split('\n')[0]}`,
    );
  }
}

function lookupPath(root: Record<string, unknown>, parts: string[], src: string): unknown {
  let cur: unknown = root;
  let walked = '';
  for (const p of parts) {
    const ok = cur !== null && typeof cur === 'object' && p in cur && (Object.hasOwn(cur, p) || cur === root);
    if (!ok)
      throw new TemplateError(
        walked ? `"${walked}" has no "${p}" (in "${src}")` : `undefined variable "${p}" in "${src}"`,
      );
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
