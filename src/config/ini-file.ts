import { InputError } from '../util/errors.js';

export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

/**
 * An INI file as Python's configparser reads ansible.cfg: `[section]`, `key = value` or
 * `key: value`, whole-line comments with `#` or `;`, inline comments after ` ;`, and indented
 * continuation lines. Keys are lower-cased, as configparser does. Each entry keeps its line.
 */
export function parseIni(file: string, text: string): IniEntry[] {
  const out: IniEntry[] = [];
  let section: string | undefined;
  let last: IniEntry | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 1; n <= lines.length; n++) {
    const rawLine = lines[n - 1];
    const stripped = rawLine.trim();
    if (!stripped || stripped.startsWith('#') || stripped.startsWith(';')) {
      last = stripped ? last : undefined;
      continue;
    }
    const value = stripInline(stripped);
    if (/^\s/.test(rawLine) && last) {
      last.value += `\n${value}`;
      continue;
    }
    const sec = /^\[([^\]]+)\]$/.exec(value);
    if (sec) {
      section = sec[1].trim();
      last = undefined;
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(value);
    if (!m) throw new InputError(`expected "key = value" or a [section], got: ${stripped}`, { file, line: n, col: 1 });
    if (section === undefined) throw new InputError(`"${m[1]}" comes before any [section]`, { file, line: n, col: 1 });
    last = { section, key: m[1].trim().toLowerCase(), value: m[2], line: n };
    out.push(last);
  }
  return out;
}

/** configparser's inline_comment_prefixes=(';',): a `;` after whitespace starts a comment. */
function stripInline(s: string): string {
  const m = /\s;/.exec(s);
  return (m ? s.slice(0, m.index) : s).trim();
}
