import type jsep from 'jsep';
import { parseExpr } from './expr.js';

/**
 * Jinja in a template or a value, found before anything is rendered. lbprov's templates are
 * Handlebars: `{% if %}` and `{# #}` would otherwise reach the host as text, and `{{ x | f }}`
 * would fail as a bare "Parse error". Each use is reported where it is, with the Handlebars way to
 * write it (`{{ x | default(80) }}` -> `{{default x 80}}`).
 */
export interface JinjaUse {
  /** Offset in the text, and its 1-based line and column. */
  index: number;
  line: number;
  col: number;
  /** The Jinja as written (shortened when long). */
  text: string;
  /** The Handlebars to write instead, or advice when there is no one-to-one spelling. */
  hint: string;
}

/**
 * Spans from `open` to the next `close`, found with indexOf: linear in the text (a regex with a lazy
 * body costs quadratic time on hostile input, e.g. many `{%` and no `%}`). No close: no more spans.
 */
function* spans(text: string, open: string, close: string): Generator<[number, number]> {
  let i = text.indexOf(open);
  while (i >= 0) {
    const j = text.indexOf(close, i + open.length);
    if (j < 0) return;
    yield [i, j + close.length];
    i = text.indexOf(open, j + close.length);
  }
}

/** Handlebars' own spans, which hold no Jinja: comments, raw blocks, escaped mustaches `\{{`. */
const HANDLEBARS_SPANS: Array<[string, string]> = [
  ['{{!--', '--}}'],
  ['{{{{raw}}}}', '{{{{/raw}}}}'],
  ['{{!', '}}'],
  ['\\{{', '}}'],
];

export function findJinja(src: string): JinjaUse[] {
  if (!src.includes('{%') && !src.includes('{#') && !src.includes('{{')) return [];
  // blank out Handlebars' own spans, keeping offsets
  let text = src;
  for (const [open, close] of HANDLEBARS_SPANS) {
    const chars = text.split('');
    for (const [i, j] of spans(text, open, close)) chars.fill(' ', i, j);
    text = chars.join('');
  }
  const found: Array<{ index: number; end: number; hint: string }> = [];
  for (const [i, j] of spans(text, '{%', '%}')) {
    const inner = text.slice(i + 2, j - 2);
    const body = inner.replace(/^[-+]/, '').replace(/[-+]$/, '');
    const kw = /^\s*([A-Za-z_]\w*)/.exec(body);
    if (kw)
      found.push({
        index: i,
        end: j,
        hint: statementHint(kw[1], body.slice(kw[0].length).trim(), inner.startsWith('-'), inner.endsWith('-')),
      });
  }
  for (const [i, j] of spans(text, '{#', '#}'))
    if (text[i - 1] !== '{') found.push({ index: i, end: j, hint: `write {{!--${text.slice(i + 2, j - 2)}--}}` });
  for (const [i0, j] of spans(text, '{{', '}}')) {
    let i = i0;
    while (text[i + 2] === '{') i++;
    const inner = text.slice(i + 2, j - 2);
    if (isJinjaExpression(inner)) found.push({ index: i, end: j, hint: expressionHint(inner) });
  }
  return found
    .sort((x, y) => x.index - y.index)
    .map(({ index, end, hint }) => {
      const before = src.slice(0, index);
      const line = before.split('\n').length;
      const col = index - before.lastIndexOf('\n');
      const written = src.slice(index, end);
      return { index, line, col, text: written.length > 60 ? `${written.slice(0, 57)}...` : written, hint };
    });
}

/** The message for one use: what was found and what to write. */
export function jinjaMessage(u: JinjaUse): string {
  return `Jinja syntax "${u.text}" (lbprov templates are Handlebars): ${u.hint}`;
}

/** Inside `{{ }}`: what Jinja reads as an expression but Handlebars cannot (filters, calls, operators, indexing). */
function isJinjaExpression(inner: string): boolean {
  // string literals can hold anything; Handlebars' block params `as |a b|` are its own pipes
  const bare = inner
    .replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""')
    .replace(/\bas\s+\|[^|]*\|/g, '')
    .replace(/^~|~$/g, '');
  const words = bare
    .trim()
    .replace(/^[#^/]\s*\w+|^else\b/, '')
    .trim();
  return (
    /\||[=!<>]=|[\w\])]\s*~|~\s*[\w"'(]|[\w\])]\[|[A-Za-z_]\w*\(|\s[<>+*%]\s/.test(bare) ||
    /\s(and|or|not|in|is|if)\s/.test(` ${words.split(/\s+/).slice(1).join(' ')} `)
  );
}

function expressionHint(inner: string): string {
  const trimmed = inner.replace(/^[-+~]|[-+~]$/g, '').trim();
  // `a if c else b`: Jinja's conditional expression
  const cond = /^([\s\S]+?)\s+if\s+([\s\S]+?)\s+else\s+([\s\S]+)$/.exec(trimmed);
  const parts = cond && [cond[2], cond[1], cond[3]].map((p) => handlebars(p, false));
  const hbs = parts?.every(Boolean) ? `ternary ${parts.join(' ')}` : handlebars(trimmed, true);
  const tildeL = /^-/.test(inner) ? '~' : '';
  const tildeR = /-$/.test(inner) ? '~' : '';
  if (hbs) return `write {{${tildeL}${hbs}${tildeR}}}`;
  return 'write it with helpers, e.g. {{default x 80}} for {{ x | default(80) }}, {{#if (eq a b)}} for a comparison (see "Templates" in the README)';
}

function statementHint(kw: string, rest: string, trimL: boolean, trimR: boolean): string {
  const open = trimL ? '{{~' : '{{';
  const close = trimR ? '~}}' : '}}';
  const cond = (e: string): string | undefined => {
    const n = tryParse(e);
    if (n?.type === 'UnaryExpression' && (n as jsep.UnaryExpression).operator === 'not') return undefined;
    const h = n && toHbs(n, false);
    return h;
  };
  switch (kw) {
    case 'if': {
      const n = tryParse(rest);
      if (n?.type === 'UnaryExpression' && ['not', '!'].includes((n as jsep.UnaryExpression).operator)) {
        const inner = toHbs((n as jsep.UnaryExpression).argument, false);
        if (inner) return `write ${open}#unless ${inner}${close} ... {{/unless}}`;
      }
      const c = cond(rest);
      return c
        ? `write ${open}#if ${c}${close} ... {{/if}}`
        : 'write {{#if x}} ... {{/if}}, with (eq a b), (ne a b), (not x) for comparisons';
    }
    case 'elif': {
      const c = cond(rest);
      return `write ${open}else if ${c ?? 'x'}${close}`;
    }
    case 'else':
      return `write ${open}else${close}`;
    case 'endif':
      return `write ${open}/if${close}`;
    case 'for': {
      const m = /^(\w+)(?:\s*,\s*(\w+))?\s+in\s+([\s\S]+)$/.exec(rest);
      if (m) {
        const items = m[3].replace(/\.items\(\)\s*$|\|\s*dict2items\s*$/, '').trim();
        const list = ((n) => (n ? toHbs(n, false) : undefined))(tryParse(items)) ?? items;
        // a pair loop over a mapping: Handlebars' block params are |value key|
        return m[2]
          ? `write ${open}#each ${list} as |${m[2]} ${m[1]}|${close} ... {{/each}}`
          : `write ${open}#each ${list} as |${m[1]}|${close} ... {{/each}} (or {{this}} inside {{#each ${list}}})`;
      }
      return 'write {{#each list as |item|}} ... {{/each}}';
    }
    case 'endfor':
      return `write ${open}/each${close}`;
    case 'set':
      return 'a template cannot assign: set the value under vars: (play, task or inventory) and use {{name}}';
    case 'raw':
      return 'write {{{{raw}}}} ... {{{{/raw}}}} (or \\{{ for one mustache)';
    case 'endraw':
      return 'write {{{{/raw}}}}';
    default:
      return `"${kw}" has no Handlebars equivalent: a template is one Handlebars text (no include, import, macro, block or extends)`;
  }
}

function tryParse(src: string): jsep.Expression | undefined {
  try {
    return parseExpr(src);
  } catch {
    return undefined;
  }
}

/** `x | f(a, k=v)` -> `f x a k=v`; `top` leaves out the parentheses of the outermost call. */
function handlebars(src: string, top: boolean): string | undefined {
  const n = tryParse(src);
  return n && toHbs(n, top);
}

function toHbs(n: jsep.Expression, top: boolean): string | undefined {
  const call = (name: string, args: Array<string | undefined>): string | undefined =>
    args.every((a) => a !== undefined)
      ? top
        ? `${name} ${args.join(' ')}`
        : `(${name} ${args.join(' ')})`
      : undefined;
  const args = (list: jsep.Expression[]): Array<string | undefined> =>
    list.map((a) => {
      if (
        a.type === 'BinaryExpression' &&
        (a as jsep.BinaryExpression).operator === '=' &&
        (a as jsep.BinaryExpression).left.type === 'Identifier'
      ) {
        const v = toHbs((a as jsep.BinaryExpression).right, false);
        return v === undefined ? undefined : `${((a as jsep.BinaryExpression).left as jsep.Identifier).name}=${v}`;
      }
      return toHbs(a, false);
    });
  switch (n.type) {
    case 'Identifier':
      return (n as jsep.Identifier).name;
    case 'Literal': {
      const v = (n as jsep.Literal).value;
      return typeof v === 'string' ? `"${v.replace(/"/g, '\\"')}"` : v === null ? 'null' : String(v);
    }
    case 'MemberExpression': {
      const m = n as jsep.MemberExpression;
      const obj = toHbs(m.object, false);
      if (!obj || obj.startsWith('(')) return undefined;
      if (!m.computed) return `${obj}.${(m.property as jsep.Identifier).name}`;
      const p = m.property;
      if (p.type === 'Literal') return `${obj}.[${String((p as jsep.Literal).value)}]`;
      return undefined;
    }
    case 'BinaryExpression': {
      const b = n as jsep.BinaryExpression;
      if (b.operator === '|') {
        const left = toHbs(b.left, false);
        if (b.right.type === 'Identifier') return call((b.right as jsep.Identifier).name, [left]);
        if (b.right.type === 'CallExpression' && (b.right as jsep.CallExpression).callee.type === 'Identifier') {
          const c = b.right as jsep.CallExpression;
          return call((c.callee as jsep.Identifier).name, [left, ...args(c.arguments)]);
        }
        return undefined;
      }
      if (b.operator === '==') return call('eq', [toHbs(b.left, false), toHbs(b.right, false)]);
      if (b.operator === '!=') return call('ne', [toHbs(b.left, false), toHbs(b.right, false)]);
      return undefined;
    }
    case 'UnaryExpression': {
      const u = n as jsep.UnaryExpression;
      return u.operator === 'not' || u.operator === '!' ? call('not', [toHbs(u.argument, false)]) : undefined;
    }
    case 'CallExpression': {
      const c = n as jsep.CallExpression;
      return c.callee.type === 'Identifier' ? call((c.callee as jsep.Identifier).name, args(c.arguments)) : undefined;
    }
    default:
      return undefined;
  }
}
