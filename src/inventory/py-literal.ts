/**
 * The two bits of Python an Ansible INI inventory is read with, so that values come out typed the
 * same way: `shlex.split(line, comments=True)` (POSIX mode) for host lines, and
 * `ast.literal_eval` for values (`5` is 5, `True` is true, `'x'` is x, `[1, 2]` a list; anything
 * that is not a Python literal stays the string it was).
 */

/** Python's shlex.split(s, comments=True): quotes, backslash escapes, `#` starts a comment even inside a word. */
export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let tok = '';
  let inTok = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inTok) out.push(tok);
      tok = '';
      inTok = false;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error('No escaped character');
      tok += s[i + 1];
      inTok = true;
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      tok += s.slice(i + 1, end);
      inTok = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('No closing quotation');
        const d = s[i];
        if (d === '"') break;
        // inside double quotes a backslash escapes only `"` and `\`
        if (d === '\\' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) {
          tok += s[i + 1];
          i += 2;
        } else {
          tok += d;
          i++;
        }
      }
      inTok = true;
      i++;
    } else {
      tok += c;
      inTok = true;
      i++;
    }
  }
  if (inTok) out.push(tok);
  return out;
}

class NotLiteral extends Error {}

/** ast.literal_eval(v) when v is a Python literal, else v unchanged (Ansible's INI _parse_value). */
export function pyValue(v: string): unknown {
  try {
    const p = new LiteralParser(v);
    const value = p.parse();
    return value;
  } catch (e) {
    if (e instanceof NotLiteral) return v;
    throw e;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): unknown {
    // literal_eval refuses leading whitespace (an indentation error) but allows trailing
    if (/^\s/.test(this.s)) throw new NotLiteral();
    const v = this.expr();
    this.ws();
    if (this.i !== this.s.length) throw new NotLiteral();
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /[ \t]/.test(this.s[this.i])) this.i++;
  }

  private peek(): string {
    return this.s[this.i] ?? '';
  }

  private expr(): unknown {
    this.ws();
    const c = this.peek();
    if (c === '[') return this.seq('[', ']');
    if (c === '(') return this.seq('(', ')');
    if (c === '{') return this.braces();
    if (c === '"' || c === "'") return this.strings();
    if (/[rRuU]/.test(c) && /["']/.test(this.s[this.i + 1] ?? '')) return this.strings();
    if (c === '-' || c === '+' || /[0-9.]/.test(c)) return this.number();
    const m = /^(True|False|None)\b/.exec(this.s.slice(this.i));
    if (m) {
      this.i += m[1].length;
      return m[1] === 'True' ? true : m[1] === 'False' ? false : null;
    }
    throw new NotLiteral();
  }

  private number(): number {
    const rest = this.s.slice(this.i);
    const m =
      /^([-+]\s*)*(0[xX][0-9a-fA-F](_?[0-9a-fA-F])*|0[oO][0-7](_?[0-7])*|0[bB][01](_?[01])*|((\d(_?\d)*)?\.\d(_?\d)*|\d(_?\d)*\.?)([eE][-+]?\d(_?\d)*)?)(?![\w.])/.exec(
        rest,
      );
    if (!m) throw new NotLiteral();
    const sign =
      (m[1] ? m[0].slice(0, m[0].length - m[2].length).replace(/\s/g, '') : '').split('').filter((x) => x === '-')
        .length % 2
        ? -1
        : 1;
    const body = m[2].replace(/_/g, '');
    // 08 is a syntax error in Python 3 (leading zeros in a decimal integer)
    if (/^0\d/.test(body) && !/[.eE]/.test(body)) throw new NotLiteral();
    this.i += m[0].length;
    const n = /^0[xXoObB]/.test(body) ? Number(body.toLowerCase()) : Number(body);
    return sign * n;
  }

  private strings(): string {
    // adjacent literals concatenate: 'a' "b" is 'ab'
    let out = this.string();
    for (;;) {
      const save = this.i;
      this.ws();
      const c = this.peek();
      if (c === '"' || c === "'" || (/[rRuU]/.test(c) && /["']/.test(this.s[this.i + 1] ?? ''))) out += this.string();
      else {
        this.i = save;
        return out;
      }
    }
  }

  private string(): string {
    let raw = false;
    if (/[rRuU]/.test(this.peek())) {
      raw = /[rR]/.test(this.peek());
      this.i++;
    }
    const q = this.peek();
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const close = triple ? q.repeat(3) : q;
    this.i += close.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(close, this.i)) {
        this.i += close.length;
        return out;
      }
      const c = this.s[this.i];
      if (c === '\\' && !raw) {
        const n = this.s[this.i + 1] ?? '';
        const simple: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          "'": "'",
          '"': '"',
          a: '\x07',
          b: '\b',
          f: '\f',
          v: '\v',
          '0': '\0',
          '\n': '',
        };
        if (n in simple) {
          out += simple[n];
          this.i += 2;
        } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(this.s.slice(this.i + 2, this.i + 4))) {
          out += String.fromCharCode(parseInt(this.s.slice(this.i + 2, this.i + 4), 16));
          this.i += 4;
        } else {
          out += c;
          this.i++;
        }
      } else {
        if (!triple && c === '\n') throw new NotLiteral();
        out += c;
        this.i++;
      }
    }
  }

  private seq(open: string, close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.peek() === close) {
        this.i++;
        return out;
      }
      out.push(this.expr());
      this.ws();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== close) throw new NotLiteral();
      else if (open === '(' && out.length === 1 && this.s[this.i - 1] !== ',') {
        // (x) is x, not a tuple
        this.i++;
        return out[0] as unknown[];
      }
    }
  }

  /** A dict ({} or {k: v}) or a set ({a, b}, as a list). */
  private braces(): unknown {
    this.i++;
    const dict: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    for (;;) {
      this.ws();
      if (this.peek() === '}') {
        this.i++;
        return kind === 'set' ? set : dict;
      }
      const k = this.expr();
      this.ws();
      if (this.peek() === ':') {
        if (kind === 'set') throw new NotLiteral();
        kind = 'dict';
        this.i++;
        if (typeof k === 'object' && k !== null) throw new NotLiteral();
        dict[String(k)] = this.expr();
      } else {
        if (kind === 'dict') throw new NotLiteral();
        kind = 'set';
        set.push(k);
      }
      this.ws();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') throw new NotLiteral();
    }
  }
}
