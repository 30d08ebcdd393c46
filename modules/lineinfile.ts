import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { PyRegexError, pyExpand, pyRegex, readLines, searchLine } from '../src/module/pyre.js';
import { before, editPlan, editProps, editReads, pathOf, pathOneOf, pathProps } from '../src/module/textedit.js';

const schema = Type.Object(
  {
    ...pathProps,
    state: Default(Choice(['present', 'absent'], { description: 'Whether the line should be there.' }), 'present'),
    regexp: Type.Optional(
      Type.String({
        description:
          'A Python regular expression searched in every line: with present, the last matching line (the first with firstmatch) is replaced; with absent, every matching line is removed.',
      }),
    ),
    search_string: Type.Optional(
      Type.String({ description: 'A literal string instead of regexp (not with regexp or backrefs).' }),
    ),
    line: Type.Optional(Type.String({ description: 'The line to insert or replace (required with present).' })),
    insertafter: Type.Optional(
      Type.String({
        description:
          'With no match: insert after the last line matching this regular expression, or EOF (the default) / BOF.',
      }),
    ),
    insertbefore: Type.Optional(
      Type.String({
        description: 'With no match: insert before the last line matching this regular expression, or BOF.',
      }),
    ),
    backrefs: Default(
      Type.Boolean({
        description:
          'line may use regexp groups (\\1, \\g<name>); when regexp matches no line, the file is left unchanged.',
      }),
      false,
    ),
    firstmatch: Default(
      Type.Boolean({ description: 'insertafter/insertbefore (and regexp) use the first matching line, not the last.' }),
      false,
    ),
    create: Default(Type.Boolean({ description: 'Create the file (and its directory) if missing.' }), false),
    ...editProps,
  },
  {
    oneOf: pathOneOf,
    additionalProperties: false,
    allOf: [{ not: { required: ['insertbefore', 'insertafter'] } }, { not: { required: ['regexp', 'search_string'] } }],
  },
);

export default defineModule({
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  schema,
  description: 'Makes sure one line is in a file (or is not), replacing a line matched by a regular expression.',
  notes: [
    "Ansible's semantics line for line: regexp, search_string, insertafter/insertbefore (BOF, EOF, regexps), backrefs, firstmatch, create, backup, validate. Regular expressions are Python's, run with JavaScript's engine: (?P<name>...), (?P=name), leading (?i), \\A and \\Z are translated.",
    'The new text is computed on the controller and written through a temp file renamed over path: no line or regexp passes through a shell.',
  ],
  examples: `- name: Listener port
  lineinfile:
    path: /etc/lb-listener/lb-listener.conf
    regexp: '^port='
    line: port=8080

- name: No legacy option
  lineinfile:
    path: /etc/ssh/sshd_config
    regexp: '^UseDNS'
    state: absent

- name: Keep the value, change the key's spacing
  lineinfile:
    path: /etc/sysctl.conf
    regexp: '^(net\\.core\\.somaxconn)\\s*=\\s*(\\d+)$'
    line: '\\1 = \\2'
    backrefs: true
`,
  returns: {
    backup: { description: 'The backup file, when backup made one ("" otherwise).', type: 'string' },
    found: {
      description: 'With state absent: how many lines were removed.',
      type: 'integer',
      returned: 'state absent',
    },
  },
  check: 'full',
  diff: 'full',
  reads: editReads,
  plan(a, seen): Plan {
    const path = pathOf(a);
    const fail = (failed: string, result: Record<string, unknown> = {}): Plan => failedPlan(failed, result);
    const b = before(path, seen.file);
    if (b.failed) return fail(b.failed, { rc: 256 });
    const warnings: string[] = [];
    if (a.regexp === '' || a.search_string === '') {
      const name = a.regexp === '' ? 'regular expression' : 'search string';
      warnings.push(
        `The ${name} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.` +
          (a.regexp === ''
            ? " If this is desired, use '^' to match every line in the file and avoid this warning."
            : ''),
      );
    }
    let re: RegExp | undefined;
    let ins: RegExp | undefined;
    try {
      re = a.regexp === undefined ? undefined : pyRegex(a.regexp);
      const insPattern =
        a.insertafter !== undefined && !['BOF', 'EOF'].includes(a.insertafter)
          ? a.insertafter
          : a.insertbefore !== undefined && a.insertbefore !== 'BOF'
            ? a.insertbefore
            : undefined;
      ins = insPattern === undefined ? undefined : pyRegex(insPattern);
    } catch (e) {
      if (e instanceof PyRegexError) return fail(`lineinfile: ${e.message}`);
      throw e;
    }
    const plan = a.state === 'present' ? present(a, b.text, re, ins) : absent(a, b.text, re);
    if ('failed' in plan) return { ...fail(plan.failed, plan.result ?? {}), warnings };
    if (plan.noFile) return { changed: false, steps: [], msg: 'file not present', warnings };
    const out = editPlan(a, seen, b.text, plan.after, plan.msg, { backup: '', ...plan.result });
    return { ...out, warnings };
  },
});

type Outcome =
  | { failed: string; result?: Record<string, unknown> }
  | { after: string; msg: string; noFile?: boolean; result?: Record<string, unknown> };

const strip = (l: string): string => l.replace(/[\r\n]+$/, '');

function present(
  a: {
    path?: string;
    dest?: string;
    line?: string;
    regexp?: string;
    search_string?: string;
    insertafter?: string;
    insertbefore?: string;
    backrefs: boolean;
    firstmatch: boolean;
    create: boolean;
  },
  text: string | null,
  re: RegExp | undefined,
  ins: RegExp | undefined,
): Outcome {
  if (a.backrefs && a.regexp === undefined) return { failed: 'regexp is required with backrefs=true' };
  if (a.backrefs && a.search_string !== undefined)
    return { failed: 'parameters are mutually exclusive: backrefs|search_string' };
  if (a.line === undefined) return { failed: 'line is required with state=present' };
  if (text === null && !a.create) return { failed: `Destination ${pathOf(a)} does not exist !`, result: { rc: 257 } };
  const insertbefore = a.insertbefore;
  const insertafter = a.insertafter ?? (insertbefore === undefined ? 'EOF' : undefined);
  const lines = readLines(text ?? '');
  const line = a.line;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  if (re) {
    for (const [i, l] of lines.entries()) {
      const m = searchLine(re, l);
      if (m) {
        index[0] = i;
        match = m;
        if (a.firstmatch) break;
      }
    }
  }
  if (a.search_string !== undefined) {
    for (const [i, l] of lines.entries()) {
      if (l.includes(a.search_string)) {
        index[0] = i;
        match = true;
        if (a.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (const [i, l] of lines.entries()) {
      if (line === strip(l)) {
        index[0] = i;
      } else if (ins && searchLine(ins, l)) {
        if (insertafter) {
          index[1] = i + 1;
          if (a.firstmatch) break;
        }
        if (insertbefore) {
          index[1] = i;
          if (a.firstmatch) break;
        }
      }
    }
  }
  let msg = '';
  const add = (at: number): void => {
    lines.splice(at, 0, `${line}\n`);
    msg = 'line added';
  };
  const endWithNewline = (): void => {
    if (lines.length && !/[\r\n]$/.test(lines[lines.length - 1])) lines[lines.length - 1] += '\n';
  };
  if (index[0] !== -1) {
    let next = a.backrefs && match && typeof match !== 'boolean' ? pyExpand(line, match) : line;
    if (!next.endsWith('\n')) next += '\n';
    if (lines[index[0]] !== next) {
      lines[index[0]] = next;
      msg = 'line replaced';
    }
  } else if (a.backrefs) {
    // backrefs: no match leaves the file alone
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    add(0);
  } else if (insertafter === 'EOF' || index[1] === -1) {
    if (lines.length && !/[\r\n]$/.test(lines[lines.length - 1])) lines.push('\n');
    add(lines.length);
  } else if (insertafter && index[1] !== -1) {
    if (lines.length === index[1]) {
      if (strip(lines[index[1] - 1]) !== line) {
        endWithNewline();
        add(lines.length);
      }
    } else if (line !== strip(lines[index[1]])) add(index[1]);
  } else add(index[1]);
  return { after: lines.join(''), msg };
}

function absent(
  a: { line?: string; regexp?: string; search_string?: string },
  text: string | null,
  re: RegExp | undefined,
): Outcome {
  if (a.regexp === undefined && a.search_string === undefined && a.line === undefined)
    return { failed: 'one of line, search_string, or regexp is required with state=absent' };
  if (text === null) return { after: '', msg: 'file not present', noFile: true };
  let found = 0;
  const kept = readLines(text).filter((l) => {
    const hit = re
      ? searchLine(re, l) !== null
      : a.search_string !== undefined
        ? l.includes(a.search_string)
        : a.line === strip(l);
    if (hit) found++;
    return !hit;
  });
  return { after: kept.join(''), msg: found ? `${found} line(s) removed` : '', result: { found } };
}
