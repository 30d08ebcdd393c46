import { defineModule } from '../src/module/types.js';
import { attrProps, contentPlan, normalizeMode, validateArgv } from '../src/module/files.js';

export { validateArgv };

interface Args {
  src: string;
  dest: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  validate?: string;
  backup: boolean;
}


/** Renders a Handlebars file with the task's variables and puts it at `dest` like `copy`. */
export default defineModule<Args>({
  name: 'template',
  aliases: ['ansible.builtin.template'],
  localSrc: 'templates',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', minLength: 1 },
      dest: { type: 'string', minLength: 1 },
      ...attrProps,
      validate: { type: 'string', pattern: '%s' },
      backup: { type: 'boolean', default: false },
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  reads: (a) => ({ dest: { kind: 'file', path: a.dest } }),
  plan(a, seen, ctx) {
    const content = Buffer.from(ctx.render(ctx.localFile(a.src, 'templates').toString('utf8')));
    const validate = a.validate ? validateArgv(a.validate) : undefined;
    return contentPlan(a.dest, seen.dest, content, { mode: normalizeMode(a.mode), owner: a.owner, group: a.group }, { validate, backup: a.backup });
  },
});
