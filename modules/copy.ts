import { basename } from 'node:path';
import { defineModule } from '../src/module/types.js';
import { attrProps, contentPlan, normalizeMode, validateArgv } from '../src/module/files.js';

interface Args {
  dest: string;
  src?: string;
  content?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
}

const dest = (a: Args): string => (a.dest.endsWith('/') && a.src ? a.dest + basename(a.src) : a.dest);

/** Puts a local file (`src`) or literal `content` at `dest`, atomically, with mode and owner. */
export default defineModule<Args>({
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  localSrc: 'files',
  schema: {
    type: 'object',
    properties: {
      dest: { type: 'string', minLength: 1 },
      src: { type: 'string', minLength: 1 },
      content: { type: 'string' },
      ...attrProps,
      backup: { type: 'boolean', default: false },
      validate: { type: 'string', pattern: '%s' },
    },
    required: ['dest'],
    oneOf: [{ required: ['src'] }, { required: ['content'] }],
    additionalProperties: false,
  },
  reads: (a) => ({ dest: { kind: 'file', path: dest(a) } }),
  plan(a, seen, ctx) {
    const content = a.src !== undefined ? ctx.localFile(a.src, 'files') : Buffer.from(a.content ?? '');
    return contentPlan(dest(a), seen.dest, content, { mode: normalizeMode(a.mode), owner: a.owner, group: a.group }, { backup: a.backup, validate: a.validate ? validateArgv(a.validate) : undefined });
  },
});
