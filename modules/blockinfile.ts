import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { PyRegexError, pyRegex, readLines, searchLine } from '../src/module/pyre.js';
import { before, editPlan, editProps, editReads, pathOf, pathOneOf, pathProps } from '../src/module/textedit.js';

const schema = Type.Object(
  {
    ...pathProps,
    state: Default(Choice(['present', 'absent'], { description: 'Whether the block should be there.' }), 'present'),
    block: Type.Optional(
      Type.String({ description: 'The text between the markers; empty or unset removes the block (alias: content).' }),
    ),
    content: Type.Optional(Type.String({ description: 'Same as block.' })),
    marker: Default(
      Type.String({ description: 'The marker line template; {mark} becomes marker_begin or marker_end.' }),
      '# {mark} ANSIBLE MANAGED BLOCK',
    ),
    marker_begin: Default(Type.String({ description: 'What {mark} is in the first marker.' }), 'BEGIN'),
    marker_end: Default(Type.String({ description: 'What {mark} is in the last marker.' }), 'END'),
    insertafter: Type.Optional(
      Type.String({
        description:
          'Without markers in the file: insert after the last line matching this regular expression, or EOF (the default).',
      }),
    ),
    insertbefore: Type.Optional(
      Type.String({
        description:
          'Without markers in the file: insert before the last line matching this regular expression, or BOF.',
      }),
    ),
    create: Default(Type.Boolean({ description: 'Create the file (and its directory) if missing.' }), false),
    ...editProps,
  },
  {
    oneOf: pathOneOf,
    additionalProperties: false,
    allOf: [{ not: { required: ['insertbefore', 'insertafter'] } }, { not: { required: ['block', 'content'] } }],
  },
);

export default defineModule({
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile'],
  schema,
  description: 'Keeps a block of lines between two marker lines in a file: inserted, updated or removed.',
  notes: [
    "Ansible's semantics: an existing marker pair is replaced in place; otherwise the block goes after insertafter / before insertbefore (the last matching line, or a (?m) pattern over the whole file), or at the end. An empty block or state absent removes the markers and what is between them.",
    'The new text is computed on the controller and written through a temp file renamed over path.',
  ],
  examples: `- name: Hosts of the lab
  blockinfile:
    path: /etc/hosts
    marker: "# {mark} lbprov lab"
    block: |
      198.18.0.11 h1
      198.18.0.12 h2

- name: No lab hosts any more
  blockinfile:
    path: /etc/hosts
    marker: "# {mark} lbprov lab"
    state: absent
`,
  returns: {},
  check: 'full',
  diff: 'full',
  reads: editReads,
  plan(a, seen): Plan {
    const path = pathOf(a);
    const b = before(path, seen.file);
    if (b.failed) return failedPlan(b.failed, { rc: 256 });
    const present = a.state === 'present';
    if (b.text === null) {
      if (!a.create) return failedPlan(`Path ${path} does not exist !`, { rc: 257 });
      if (!present) return { changed: false, steps: [], msg: `File ${path} not present` };
    }
    const original = b.text;
    const lines = readLines(original ?? '');
    const insertbefore = a.insertbefore;
    const insertafter = a.insertafter ?? (insertbefore === undefined ? 'EOF' : undefined);
    let insertre: RegExp | undefined;
    try {
      if (insertafter !== undefined && insertafter !== 'EOF') insertre = pyRegex(insertafter);
      else if (insertbefore !== undefined && insertbefore !== 'BOF') insertre = pyRegex(insertbefore);
    } catch (e) {
      if (e instanceof PyRegexError) return failedPlan(`blockinfile: ${e.message}`);
      throw e;
    }
    const marker0 = `${a.marker.replaceAll('{mark}', a.marker_begin)}\n`;
    const marker1 = `${a.marker.replaceAll('{mark}', a.marker_end)}\n`;
    let block = a.content ?? a.block ?? '';
    let blocklines: string[] = [];
    if (present && block) {
      if (!block.endsWith('\n')) block += '\n';
      blocklines = [marker0, ...readLines(block), marker1];
    }
    let n0: number | undefined;
    let n1: number | undefined;
    lines.forEach((l, i) => {
      if (l === marker0) n0 = i;
      if (l === marker1) n1 = i;
    });
    if (n0 === undefined || n1 === undefined) {
      n0 = undefined;
      if (insertre) {
        if (insertre.flags.includes('m')) {
          // a (?m) pattern is searched in the whole file; the block goes at the line it starts or ends on
          const m = insertre.exec(original ?? '');
          if (m) {
            const text = original ?? '';
            n0 = (insertafter ? text.slice(0, m.index + m[0].length) : text.slice(0, m.index)).split('\n').length - 1;
          }
        } else lines.forEach((l, i) => (searchLine(insertre, l) ? (n0 = i) : undefined));
        if (n0 === undefined) n0 = lines.length;
        else if (insertafter !== undefined) n0 += 1;
      } else if (insertbefore !== undefined) n0 = 0;
      else n0 = lines.length;
    } else if (n0 < n1) lines.splice(n0, n1 + 1 - n0);
    else {
      lines.splice(n1, n0 + 1 - n1);
      n0 = n1;
    }
    if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
    lines.splice(n0, 0, ...blocklines);
    const result = lines.join('');
    const msg =
      original === result
        ? ''
        : original === null
          ? 'File created'
          : !blocklines.length
            ? 'Block removed'
            : 'Block inserted';
    return editPlan(a, seen, original, result, msg);
  },
});
