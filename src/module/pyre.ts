/**
 * Python regular expressions as Ansible's lineinfile/blockinfile/replace take them, run with
 * JavaScript's RegExp: the two dialects agree on what playbooks write (classes, anchors, groups,
 * quantifiers), and the few Python spellings are translated here — named groups `(?P<n>...)` and
 * `(?P=n)`, leading inline flags `(?i)`, `\A` and `\Z`. Replacement templates are expanded as
 * Python's `match.expand` does (`\1`, `\g<1>`, `\g<name>`, `\n`, `\\`), never as JS's `$1`.
 */

export class PyRegexError extends Error {}

/** Compiles a Python pattern; `flags` are JS flags added to the pattern's own inline ones. */
export function pyRegex(pattern: string, flags = ''): RegExp {
  let src = pattern;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(src);
  let own = '';
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i' || f === 'm' || f === 's') own += f;
      else if (f === 'x' || f === 'L') throw new PyRegexError(`the inline flag (?${f}) is not supported`);
    }
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2(?<![\\s\\S])')
    .replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2(?![\\s\\S])');
  const all = [...new Set(own + flags)].join('');
  try {
    return new RegExp(src, all);
  } catch (e) {
    throw new PyRegexError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/** Python's `match.expand(template)`: group references and the usual escapes; an unmatched group is empty. */
export function pyExpand(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '\\' || i === template.length - 1) {
      out += c;
      continue;
    }
    const n = template[++i];
    const escapes: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      f: '\f',
      v: '\v',
      a: '\x07',
      b: '\b',
      '\\': '\\',
    };
    if (n in escapes) out += escapes[n];
    else if (/[0-9]/.test(n)) {
      const d = /^[0-9]{1,2}/.exec(template.slice(i))![0];
      const g = Number(d);
      if (g >= m.length) throw new PyRegexError(`invalid group reference ${g}`);
      out += m[g] ?? '';
      i += d.length - 1;
    } else if (n === 'g') {
      const ref = /^g<([^>]+)>/.exec(template.slice(i));
      if (!ref) throw new PyRegexError('missing group name after \\g');
      const name = ref[1];
      if (/^[0-9]+$/.test(name)) {
        if (Number(name) >= m.length) throw new PyRegexError(`invalid group reference ${name}`);
        out += m[Number(name)] ?? '';
      } else {
        if (!m.groups || !(name in m.groups)) throw new PyRegexError(`unknown group name '${name}'`);
        out += m.groups[name] ?? '';
      }
      i += ref[0].length - 1;
    } else out += `\\${n}`;
  }
  return out;
}

/**
 * `re.search` on one line of a file as Python runs it on `readlines()` items: Python's `$` also
 * matches before a final newline, so the line is searched without its `\n`.
 */
export function searchLine(re: RegExp, line: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(line.endsWith('\n') ? line.slice(0, -1) : line);
}

/** Python's `readlines()`: lines keeping their `\n` (a last line without one stays as it is). */
export function readLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Python's `re.subn` over the whole text, with Python's template expansion. */
export function pySubn(re: RegExp, template: string, text: string): [string, number] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let out = '';
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(g)) {
    const at = m.index;
    out += text.slice(last, at) + pyExpand(template, m);
    last = at + m[0].length;
    n++;
  }
  return [out + text.slice(last), n];
}
