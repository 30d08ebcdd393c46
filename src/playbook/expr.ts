import jsep from 'jsep';
import {
  callFilter,
  FILTER_NAMES,
  FILTERS,
  FilterError,
  hasFilter,
  UndefinedValue,
  versionCompare,
} from './filters.js';
import { regex } from './filters-regex.js';
import type { Scope } from './scope.js';
import { TemplateError } from './template-error.js';

export { numericVersion, versionCompare } from './filters.js';

/**
 * A safe evaluator for `when`, `changed_when`, `failed_when` and `assert.that`. jsep parses; this
 * walks the tree: no eval, no Function, no prototype access, only the functions of filters.ts
 * (the same ones templates call as helpers). Ansible spellings work: `and or not in`,
 * `x is defined`, `x | length`, `x | default(1, true)`, `to_json(x, indent=2)`, `True/False/None`.
 */
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('in', 7);
jsep.addBinaryOp('is', 7);
jsep.addBinaryOp('|', 11); // filters bind tighter than comparisons: `x | length > 2`
jsep.addBinaryOp('=', 0.5); // only as a keyword argument: f(x, indent=2)
jsep.addUnaryOp('not');
jsep.addLiteral('True', true);
jsep.addLiteral('False', false);
jsep.addLiteral('None', null);
jsep.addLiteral('none', null);

type Node = jsep.Expression;

export class ExprError extends Error {
  override name = 'ExprError';
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

const PY_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
};

/**
 * A string literal read as Jinja (Python) reads it: `\n` and friends, `\x41`, `\u00e9`, octal `\101`;
 * an unknown escape such as `\d` keeps its backslash (jsep would drop it, and break `search('\d+')`).
 */
function pyString(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (m, e: string) => {
    if (/^[xuU]/.test(e) && e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCodePoint(parseInt(e, 8));
    return Object.hasOwn(PY_ESCAPES, e) ? PY_ESCAPES[e] : m;
  });
}

const BINARY_OPS = new Set([
  'is',
  '|',
  '&&',
  'and',
  '||',
  'or',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '>',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'in',
]);
const UNARY_OPS = new Set(['!', 'not', '-', '+']);
const TESTS = new Set(['defined', 'undefined', 'none', 'changed', 'failed', 'skipped', 'succeeded', 'success']);
const REGEX_FUNCTIONS = new Set(['match', 'search', 'regex_search', 'regex_replace']);
/** Ansible's tests that take arguments: `x is search('re')`, `x is version('5.11', '>=')`. */
const TEST_CALLS = new Set(['match', 'search', 'regex', 'version', 'contains', 'startswith', 'endswith']);

const literalValue = (l: jsep.Literal): unknown => (typeof l.value === 'string' ? pyString(l.raw) : l.value);

/**
 * What the evaluator would refuse only when it runs, refused when the playbook is loaded: node
 * kinds it does not evaluate (`this`, `a; b`), unsupported operators, unknown functions and
 * tests, and literal regexes that RE2 cannot compile. Throws ExprError.
 */
export function checkExpr(n: Node): void {
  const known = (name: string): void => {
    if (name !== 'defined' && !hasFilter(name))
      throw new ExprError(`unknown function "${name}" (known: ${FILTER_NAMES.join(', ')})`);
  };
  // `reAt`: which argument is the pattern: match(x, re), x | match(re), x.match(re)
  const call = (name: string, args: Node[], reAt: number): void => {
    known(name);
    const re = args[reAt];
    if (REGEX_FUNCTIONS.has(name) && re?.type === 'Literal') {
      try {
        regex(literalValue(re as jsep.Literal));
      } catch (e) {
        throw new ExprError((e as Error).message);
      }
    }
    for (const a of args) {
      // keyword arguments: f(x, indent=2)
      if (a.type === 'BinaryExpression' && (a as jsep.BinaryExpression).operator === '=') {
        if ((a as jsep.BinaryExpression).left.type !== 'Identifier')
          throw new ExprError('a keyword argument is name=value');
        checkExpr((a as jsep.BinaryExpression).right);
      } else checkExpr(a);
    }
  };
  switch (n.type) {
    case 'Literal':
    case 'Identifier':
      return;
    case 'ArrayExpression':
      for (const e of (n as jsep.ArrayExpression).elements) if (e) checkExpr(e);
      return;
    case 'MemberExpression': {
      const m = n as jsep.MemberExpression;
      checkExpr(m.object);
      if (m.computed) checkExpr(m.property);
      return;
    }
    case 'UnaryExpression': {
      const u = n as jsep.UnaryExpression;
      if (!UNARY_OPS.has(u.operator)) throw new ExprError(`operator "${u.operator}" is not supported`);
      checkExpr(u.argument);
      return;
    }
    case 'BinaryExpression': {
      const b = n as jsep.BinaryExpression;
      if (!BINARY_OPS.has(b.operator)) throw new ExprError(`operator "${b.operator}" is not supported`);
      checkExpr(b.left);
      if (b.operator === 'is' && b.right.type === 'CallExpression') {
        const c = b.right as jsep.CallExpression;
        if (c.callee.type !== 'Identifier' || !TEST_CALLS.has((c.callee as jsep.Identifier).name))
          throw new ExprError(`"is" with arguments needs one of: ${[...TEST_CALLS].join(', ')}`);
        call(
          (c.callee as jsep.Identifier).name === 'regex' ? 'search' : (c.callee as jsep.Identifier).name,
          c.arguments,
          0,
        );
      } else if (b.operator === 'is') {
        let r = b.right;
        if (r.type === 'UnaryExpression' && ['not', '!'].includes((r as jsep.UnaryExpression).operator))
          r = (r as jsep.UnaryExpression).argument;
        if (r.type !== 'Identifier' || !TESTS.has((r as jsep.Identifier).name))
          throw new ExprError(`"is" needs a test name (${[...TESTS].join(', ')})`);
      } else if (b.operator === '|') {
        const r = b.right;
        if (r.type === 'Identifier') known((r as jsep.Identifier).name);
        else if (r.type === 'CallExpression' && (r as jsep.CallExpression).callee.type === 'Identifier') {
          const c = r as jsep.CallExpression;
          call((c.callee as jsep.Identifier).name, c.arguments, 0);
        } else throw new ExprError('a filter after "|" must be a function name');
      } else checkExpr(b.right);
      return;
    }
    case 'ConditionalExpression': {
      const c = n as jsep.ConditionalExpression;
      checkExpr(c.test);
      checkExpr(c.consequent);
      checkExpr(c.alternate);
      return;
    }
    case 'CallExpression': {
      const c = n as jsep.CallExpression;
      if (c.callee.type === 'Identifier') {
        call((c.callee as jsep.Identifier).name, c.arguments, 1);
      } else if (c.callee.type === 'MemberExpression' && !(c.callee as jsep.MemberExpression).computed) {
        // method style: `x.match('re')`
        const m = c.callee as jsep.MemberExpression;
        call((m.property as jsep.Identifier).name, c.arguments, 0);
        checkExpr(m.object);
      } else throw new ExprError('only the listed functions can be called');
      return;
    }
    case 'Compound':
      throw new ExprError('one expression expected (found several, separated by ";" or spaces)');
    default:
      throw new ExprError(`${n.type === 'ThisExpression' ? '"this"' : n.type} is not allowed in an expression`);
  }
}

const parsed = new Map<string, Node>();

export function parseExpr(src: string): Node {
  let n = parsed.get(src);
  if (!n) {
    try {
      n = jsep(src);
    } catch (e) {
      throw new ExprError(`cannot parse expression "${src}": ${(e as Error).message}`);
    }
    checkDepth(n);
    parsed.set(src, n);
  }
  return n;
}

/** Checking and evaluating recurse once per level: a 20,000-term `a or a or ...` is refused, not a stack overflow. */
export const MAX_EXPR_DEPTH = 100;

function checkDepth(root: Node): void {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > MAX_EXPR_DEPTH) throw new ExprError(`the expression is nested more than ${MAX_EXPR_DEPTH} levels deep`);
    for (const v of Object.values(n as object)) {
      if (Array.isArray(v))
        for (const x of v) {
          if (x && typeof x === 'object') stack.push([x, d + 1]);
        }
      else if (v && typeof v === 'object' && 'type' in v) stack.push([v, d + 1]);
    }
  }
}

/** Evaluates an expression (a string), a literal bool, or a list of them (all must hold). */
export function evaluate(expr: unknown, scope: Scope): unknown {
  if (typeof expr === 'boolean' || typeof expr === 'number') return expr;
  if (Array.isArray(expr)) return expr.every((e) => truthy(evaluate(e, scope)));
  const src = String(expr).trim();
  // Ansible users sometimes wrap a condition in {{ }}: the inside is the expression.
  const inner = /^\{\{([\s\S]*)\}\}$/.exec(src);
  const node = parseExpr(inner ? inner[1] : src);
  try {
    return new Evaluator(scope).eval(node);
  } catch (e) {
    if (e instanceof TemplateError || e instanceof ExprError || e instanceof FilterError)
      throw new ExprError(`${e.message} (in "${src}")`);
    throw e;
  }
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

class Evaluator {
  constructor(private readonly scope: Scope) {}

  eval(n: Node): unknown {
    switch (n.type) {
      case 'Literal':
        return literalValue(n as jsep.Literal);
      case 'Identifier':
        return this.scope.get((n as jsep.Identifier).name);
      case 'ArrayExpression':
        return (n as jsep.ArrayExpression).elements.map((e) => (e ? this.eval(e) : null));
      case 'MemberExpression':
        return this.member(n as jsep.MemberExpression);
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        const v = this.eval(u.argument);
        if (u.operator === '!' || u.operator === 'not') return !truthy(v);
        if (u.operator === '-') return -Number(v);
        if (u.operator === '+') return Number(v);
        throw new ExprError(`operator "${u.operator}" is not supported`);
      }
      case 'BinaryExpression':
        return this.binary(n as jsep.BinaryExpression);
      case 'ConditionalExpression': {
        const c = n as jsep.ConditionalExpression;
        return truthy(this.eval(c.test)) ? this.eval(c.consequent) : this.eval(c.alternate);
      }
      case 'CallExpression':
        return this.call(n as jsep.CallExpression);
      default:
        throw new ExprError(`${n.type} is not allowed in an expression`);
    }
  }

  private member(m: jsep.MemberExpression): unknown {
    const obj = this.eval(m.object);
    const key = m.computed ? this.eval(m.property) : (m.property as jsep.Identifier).name;
    return property(obj, key);
  }

  private defined(n: Node): boolean {
    try {
      return this.eval(n) !== undefined;
    } catch (e) {
      if (e instanceof TemplateError || e instanceof ExprError || e instanceof UndefinedValue) return false;
      throw e;
    }
  }

  private binary(b: jsep.BinaryExpression): unknown {
    const op = b.operator;
    if (op === 'is') return this.test(b.left, b.right);
    if (op === '|') return this.filter(b.left, b.right);
    if (op === '&&' || op === 'and') return truthy(this.eval(b.left)) ? this.eval(b.right) : false;
    if (op === '||' || op === 'or') {
      const l = this.eval(b.left);
      return truthy(l) ? l : this.eval(b.right);
    }
    const l = this.eval(b.left);
    const r = this.eval(b.right);
    switch (op) {
      case '==':
      case '===':
        return looseEqual(l, r);
      case '!=':
      case '!==':
        return !looseEqual(l, r);
      case '<':
        return (l as number) < (r as number);
      case '>':
        return (l as number) > (r as number);
      case '<=':
        return (l as number) <= (r as number);
      case '>=':
        return (l as number) >= (r as number);
      case '+':
        return typeof l === 'number' && typeof r === 'number'
          ? l + r
          : Array.isArray(l) && Array.isArray(r)
            ? [...(l as unknown[]), ...(r as unknown[])]
            : str(l) + str(r);
      case '-':
        return Number(l) - Number(r);
      case '*':
        return Number(l) * Number(r);
      case '/':
        return Number(l) / Number(r);
      case '%':
        return Number(l) % Number(r);
      case 'in':
        return Array.isArray(r)
          ? r.some((x) => looseEqual(x, l))
          : typeof r === 'string'
            ? r.includes(str(l))
            : r && typeof r === 'object'
              ? Object.hasOwn(r, str(l))
              : false;
      default:
        throw new ExprError(`operator "${op}" is not supported`);
    }
  }

  /** `x is defined`, `x is not defined`, `x is none`, `r is changed|failed|skipped|succeeded`. */
  private test(left: Node, right: Node): boolean {
    let negate = false;
    if (right.type === 'UnaryExpression' && ['not', '!'].includes((right as jsep.UnaryExpression).operator)) {
      negate = true;
      right = (right as jsep.UnaryExpression).argument;
    }
    if (right.type === 'CallExpression' && (right as jsep.CallExpression).callee.type === 'Identifier') {
      const c = right as jsep.CallExpression;
      const name = (c.callee as jsep.Identifier).name;
      if (!TEST_CALLS.has(name)) throw new ExprError(`"is" with arguments needs one of: ${[...TEST_CALLS].join(', ')}`);
      let out: boolean;
      if (name === 'version') {
        // Ansible's test: `x is version('5.11', '>=')` (operator default '==')
        const [ver, op] = c.arguments.map((a) => this.eval(a));
        out = versionCompare(this.eval(left), op === undefined ? '==' : String(op), ver);
      } else out = Boolean(this.apply(name === 'regex' ? 'search' : name, left, c.arguments));
      return negate ? !out : out;
    }
    if (right.type !== 'Identifier')
      throw new ExprError('"is" needs a test name (defined, none, changed, failed, skipped, succeeded)');
    const name = (right as jsep.Identifier).name;
    let out: boolean;
    if (name === 'defined' || name === 'undefined') out = this.defined(left) === (name === 'defined');
    else {
      const v = this.eval(left) as Record<string, unknown> | null;
      switch (name) {
        case 'none':
          out = v === null;
          break;
        case 'changed':
          out = Boolean(v?.changed);
          break;
        case 'failed':
          out = Boolean(v?.failed);
          break;
        case 'skipped':
          out = Boolean(v?.skipped);
          break;
        case 'succeeded':
        case 'success':
          out = !v?.failed;
          break;
        default:
          throw new ExprError(`unknown test "${name}"`);
      }
    }
    return negate ? !out : out;
  }

  private filter(left: Node, right: Node): unknown {
    if (right.type === 'Identifier') return this.apply((right as jsep.Identifier).name, left, []);
    if (right.type === 'CallExpression' && (right as jsep.CallExpression).callee.type === 'Identifier') {
      const c = right as jsep.CallExpression;
      return this.apply((c.callee as jsep.Identifier).name, left, c.arguments);
    }
    throw new ExprError('a filter after "|" must be a function name');
  }

  private call(c: jsep.CallExpression): unknown {
    if (c.callee.type === 'Identifier') {
      const name = (c.callee as jsep.Identifier).name;
      if (name === 'defined') return c.arguments.length === 1 && this.defined(c.arguments[0]);
      if (!c.arguments.length) throw new ExprError(`${name}() needs a value`);
      return this.apply(name, c.arguments[0], c.arguments.slice(1));
    }
    if (c.callee.type === 'MemberExpression' && !(c.callee as jsep.MemberExpression).computed) {
      // method style: `x.startswith('a')` is startswith(x, 'a')
      const m = c.callee as jsep.MemberExpression;
      return this.apply((m.property as jsep.Identifier).name, m.object, c.arguments);
    }
    throw new ExprError('only the listed functions can be called');
  }

  /** Calls a function of filters.ts on `value` (undefined allowed for `default`) with positional and keyword arguments. */
  private apply(name: string, valueNode: Node, argNodes: Node[]): unknown {
    if (!hasFilter(name)) throw new ExprError(`unknown function "${name}" (known: ${FILTER_NAMES.join(', ')})`);
    const value = FILTERS[name].undefinedOk ? this.orUndefined(valueNode) : this.eval(valueNode);
    const args: unknown[] = [];
    const kw: Record<string, unknown> = {};
    for (const a of argNodes) {
      if (a.type === 'BinaryExpression' && (a as jsep.BinaryExpression).operator === '=') {
        const b = a as jsep.BinaryExpression;
        if (b.left.type !== 'Identifier') throw new ExprError('a keyword argument is name=value');
        kw[(b.left as jsep.Identifier).name] = this.eval(b.right);
      } else args.push(this.eval(a));
    }
    return callFilter(name, value, args, kw);
  }

  /** The value, or undefined where Jinja has an undefined one: a missing variable or key, `[] | first`. */
  private orUndefined(n: Node): unknown {
    try {
      return this.eval(n);
    } catch (e) {
      if (e instanceof TemplateError || e instanceof ExprError || e instanceof UndefinedValue) return undefined;
      throw e;
    }
  }
}

function property(obj: unknown, key: unknown): unknown {
  if (typeof obj === 'string' || Array.isArray(obj)) {
    if (key === 'length') return obj.length;
    if (typeof key === 'number') return obj.at(key);
  }
  if (obj === null || typeof obj !== 'object')
    throw new ExprError(`cannot read "${str(key)}" of ${obj === null ? 'null' : typeof obj}`);
  const k = str(key);
  if (!Object.hasOwn(obj, k)) throw new ExprError(`no "${k}" in the value`);
  return (obj as Record<string, unknown>)[k];
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof b === 'number' && typeof a === 'string') return String(b) === a;
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
