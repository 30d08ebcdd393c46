import { defineModule } from '../src/module/types.js';
import { Type } from '../src/module/args.js';
import { attrProps, backupProp, contentPlan, normalizeMode, validateArgv } from '../src/module/files.js';

export { validateArgv };

const schema = Type.Object(
  {
    src: Type.String({
      minLength: 1,
      description:
        "A local Handlebars template: absolute, or relative to the playbook's directory or its templates/ directory.",
    }),
    dest: Type.String({ minLength: 1, description: 'Where the rendered file goes on the host.' }),
    ...attrProps,
    validate: Type.Optional(
      Type.String({
        pattern: '%s',
        description: 'A command that checks the rendered file before it replaces dest; %s is the temp file. No shell.',
      }),
    ),
    backup: backupProp,
  },
  { additionalProperties: false },
);

export default defineModule({
  name: 'template',
  aliases: ['ansible.builtin.template'],
  localSrc: 'templates',
  schema,
  description: "Renders a Handlebars template with the task's variables and puts it at dest like copy.",
  notes: [
    "The template is checked when the playbook loads (syntax errors name the file, line and column); it is rendered per host, with that host's variables and facts.",
  ],
  examples: `- name: Listener unit
  template:
    src: lb-listener.service.hbs
    dest: /etc/systemd/system/lb-listener.service
    mode: "0644"
  notify: restart listener
`,
  returns: {},
  check: 'full',
  diff: 'full',
  reads: (a) => ({ dest: { kind: 'file', path: a.dest } }),
  plan(a, seen, ctx) {
    const content = Buffer.from(ctx.render(ctx.localFile(a.src, 'templates').toString('utf8')));
    const validate = a.validate ? validateArgv(a.validate) : undefined;
    return contentPlan(
      a.dest,
      seen.dest,
      content,
      { mode: normalizeMode(a.mode), owner: a.owner, group: a.group },
      { validate, backup: a.backup },
    );
  },
});
