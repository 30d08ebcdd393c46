import { defineModule, type Plan, failedPlan } from '../src/module/types.js';
import { Type } from '../src/module/args.js';
import { PyRegexError, pyRegex, pySubn } from '../src/module/pyre.js';
import { before, editPlan, editProps, editReads, pathOf, pathOneOf, pathProps } from '../src/module/textedit.js';

const schema = Type.Object(
  {
    ...pathProps,
    regexp: Type.String({
      description: 'A Python regular expression, MULTILINE (^ and $ match at every line); every match is replaced.',
    }),
    replace: Type.Optional(
      Type.String({
        description: 'What each match becomes; \\1 and \\g<name> are its groups. Empty or unset removes the matches.',
      }),
    ),
    after: Type.Optional(
      Type.String({ description: 'Only the text after the first match of this expression (DOTALL) is changed.' }),
    ),
    before: Type.Optional(
      Type.String({ description: 'Only the text before the last match of this expression (DOTALL) is changed.' }),
    ),
    ...editProps,
  },
  { oneOf: pathOneOf, additionalProperties: false },
);

export default defineModule({
  name: 'replace',
  aliases: ['ansible.builtin.replace'],
  schema,
  description: 'Replaces every match of a regular expression in a file, optionally only between after and before.',
  notes: [
    "Ansible's semantics: re.subn over the file (or the section between after and before), MULTILINE; the file must exist. Regular expressions are Python's, run with JavaScript's engine ((?P<name>...) and \\g<name> are translated).",
    'The new text is computed on the controller and written through a temp file renamed over path.',
  ],
  examples: `- name: Listen on every address
  replace:
    path: /etc/lb-listener/lb-listener.conf
    regexp: '^bind=127\\.0\\.0\\.1$'
    replace: bind=0.0.0.0

- name: Comment out the old servers, in their section only
  replace:
    path: /etc/app.ini
    after: '\\[upstream\\]'
    before: '\\[logging\\]'
    regexp: '^(server=.*)$'
    replace: '# \\1'
`,
  returns: {},
  check: 'full',
  diff: 'full',
  reads: editReads,
  plan(a, seen): Plan {
    const path = pathOf(a);
    const b = before(path, seen.file);
    if (b.failed) return failedPlan(b.failed, { rc: 256 });
    if (b.text === null) return failedPlan(`Path ${path} does not exist !`, { rc: 257 });
    const contents = b.text;
    let section = contents;
    let indices: [number, number] | undefined;
    try {
      if (a.after || a.before) {
        const pattern =
          a.after && a.before
            ? `${a.after}(?P<subsection>.*?)${a.before}`
            : a.after
              ? `${a.after}(?P<subsection>.*)`
              : `(?P<subsection>.*)${a.before}`;
        const m = pyRegex(pattern, 'sd').exec(contents);
        if (!m) {
          return {
            changed: false,
            steps: [],
            msg: `Pattern for before/after params did not match the given file: ${pattern}`,
            result: { rc: 0 },
          };
        }
        const at = (m as RegExpExecArray & { indices: { groups: Record<string, [number, number]> } }).indices.groups
          .subsection;
        indices = at;
        section = m.groups!.subsection;
      }
      const [replaced, n] = pySubn(pyRegex(a.regexp, 'm'), a.replace ?? '', section);
      if (n === 0 || replaced === section) return editPlan(a, seen, contents, contents, '', { rc: 0 });
      const after = indices ? contents.slice(0, indices[0]) + replaced + contents.slice(indices[1]) : replaced;
      return editPlan(a, seen, contents, after, `${n} replacements made`, { rc: 0 });
    } catch (e) {
      if (e instanceof PyRegexError) return failedPlan(`replace: ${e.message}`);
      throw e;
    }
  },
});
