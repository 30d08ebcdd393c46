import { basename } from 'node:path';
import { defineModule } from '../src/module/types.js';
import { Type, type ArgsOf } from '../src/module/args.js';
import { attrProps, backupProp, contentPlan, normalizeMode, validateArgv } from '../src/module/files.js';

const schema = Type.Object(
  {
    dest: Type.String({
      minLength: 1,
      description: 'Where the file goes on the host. Ending in "/" with src: the directory, the file keeps its name.',
    }),
    src: Type.Optional(
      Type.String({
        minLength: 1,
        description: "A local file: absolute, or relative to the playbook's directory or its files/ directory.",
      }),
    ),
    content: Type.Optional(Type.String({ description: 'The file content itself, instead of src.' })),
    ...attrProps,
    backup: backupProp,
    validate: Type.Optional(
      Type.String({
        pattern: '%s',
        description:
          'A command that checks the new file before it replaces dest; %s is the temp file (e.g. "visudo -cf %s"). No shell: pipes and redirections are refused.',
      }),
    ),
  },
  { oneOf: [{ required: ['src'] }, { required: ['content'] }], additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

const dest = (a: Args): string => (a.dest.endsWith('/') && a.src ? a.dest + basename(a.src) : a.dest);

export default defineModule({
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  localSrc: 'files',
  schema,
  description: 'Puts a local file (src) or literal content at dest, atomically, with mode and owner.',
  notes: [
    'The file is written to a temp file beside dest, given its mode and owner, validated, then renamed over dest: dest is never half-written.',
  ],
  examples: `- name: Listener config
  copy:
    src: lb-listener.conf
    dest: /etc/lb-listener/lb-listener.conf
    mode: "0644"
    owner: root

- name: sudoers entry, checked before it is installed
  copy:
    content: "deploy ALL=(ALL) NOPASSWD: ALL\\n"
    dest: /etc/sudoers.d/deploy
    mode: "0440"
    validate: visudo -cf %s
`,
  returns: {},
  check: 'full',
  diff: 'full',
  reads: (a) => ({ dest: { kind: 'file', path: dest(a) } }),
  plan(a, seen, ctx) {
    const content = a.src !== undefined ? ctx.localFile(a.src, 'files') : Buffer.from(a.content ?? '');
    return contentPlan(
      dest(a),
      seen.dest,
      content,
      { mode: normalizeMode(a.mode), owner: a.owner, group: a.group },
      { backup: a.backup, validate: a.validate ? validateArgv(a.validate) : undefined },
    );
  },
});
