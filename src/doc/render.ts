import type { ModuleDef, Support } from '../module/types.js';
import { argDocs, argRules, showValue } from './args.js';

/** `lbprov doc` output, laid out as ansible-doc's so that Ansible users read it without learning. */

const INDENT = '        ';
const WIDTH = 100;

/** Words filled into lines of at most WIDTH columns, each line indented. */
function wrap(text: string, indent = INDENT): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

const CHECK: Record<Support, string> = {
  full: 'full: runs in check mode, predicting its changes without making them',
  partial: 'partial: see above',
  none: 'none: the task is skipped in check mode',
};
const DIFF: Record<Support, string> = {
  full: 'full: a before/after diff of what changes',
  partial: 'partial: see above',
  none: 'none',
};

/** `lbprov doc --list`: one line per module, names aligned. */
export function listText(mods: readonly ModuleDef[]): string {
  const w = Math.max(...mods.map((m) => m.name.length));
  return mods.map((m) => `${m.name.padEnd(w)}  ${m.description}\n`).join('');
}

export function listJson(mods: readonly ModuleDef[]): Record<string, string> {
  return Object.fromEntries(mods.map((m) => [m.name, m.description]));
}

/** `lbprov doc MODULE`. */
export function moduleText(m: ModuleDef): string {
  const out: string[] = [`> ${m.name.toUpperCase()}    (modules/${m.name}.ts)`, ''];
  out.push(...wrap(m.description));
  for (const p of [...argRules(m), ...(m.notes ?? [])]) out.push('', ...wrap(p));
  out.push('');
  if (m.aliases?.length) out.push(`ALIASES: ${m.aliases.join(', ')}`, '');
  if (m.freeForm)
    out.push(
      `FREE FORM: a string argument (\`${m.name}: TEXT\`) is ${m.freeForm}; k=v pairs of its arguments also work.`,
      '',
    );
  out.push('ARGUMENTS (= is required):', '');
  for (const a of argDocs(m)) {
    out.push(`${a.required ? '=' : '-'} ${a.name}`);
    out.push(...wrap(a.description || '(no description)'));
    if (a.choices) out.push(`${INDENT}choices: ${showValue(a.choices)}`);
    if (a.default !== undefined) out.push(`${INDENT}default: ${showValue(a.default)}`);
    out.push(`${INDENT}type: ${a.type}`, '');
  }
  out.push('ATTRIBUTES:', `${INDENT}check_mode: ${CHECK[m.check]}`, `${INDENT}diff_mode: ${DIFF[m.diff]}`, '');
  out.push('EXAMPLES:', '', m.examples.trimEnd(), '');
  const returns = Object.entries(m.returns);
  out.push('RETURN VALUES:', '');
  if (!returns.length) out.push(`${INDENT}(none besides changed, failed and msg)`, '');
  for (const [name, r] of returns) {
    out.push(`- ${name}`, ...wrap(r.description));
    if (r.returned) out.push(`${INDENT}returned: ${r.returned}`);
    out.push(`${INDENT}type: ${r.type}`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** `lbprov doc MODULE --json`: the same facts as data. */
export function moduleJson(m: ModuleDef): Record<string, unknown> {
  return {
    name: m.name,
    aliases: m.aliases ?? [],
    description: m.description,
    notes: [...argRules(m), ...(m.notes ?? [])],
    free_form: m.freeForm ?? null,
    arguments: Object.fromEntries(argDocs(m).map(({ name, ...a }) => [name, a])),
    check_mode: m.check,
    diff_mode: m.diff,
    examples: m.examples,
    returns: m.returns,
  };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown): string => `\`${showValue(v)}\``;

/** The README's module table: a row per module, its arguments (required ones bold) with choices and defaults. */
export function markdownTable(mods: readonly ModuleDef[]): string {
  const rows = mods.map((m) => {
    const args = argDocs(m).map((a) => {
      const name = a.required ? `**\`${a.name}\`**` : `\`${a.name}\``;
      const extra = [
        a.choices ? a.choices.map(code).join(' ') : '',
        a.default !== undefined ? `default ${code(a.default)}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return extra ? `${name} (${extra})` : name;
    });
    const rules = argRules(m)
      .map((r) => ` ${r}`)
      .join('');
    return `| \`${m.name}\` | ${cell(m.description)} | ${cell(args.join(', ') + (rules ? `.${rules}` : ''))} | ${m.check} / ${m.diff} |`;
  });
  return (
    ['| module | what it does | arguments (**required**) | check / diff |', '|---|---|---|---|', ...rows].join('\n') +
    '\n'
  );
}
