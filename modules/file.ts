import { defineModule, noChange, type Plan } from '../src/module/types.js';
import { attrPlan, attrProps, chownArgv, normalizeMode } from '../src/module/files.js';

interface Args {
  path: string;
  state: 'directory' | 'file' | 'absent' | 'link' | 'touch';
  mode?: string | number;
  owner?: string;
  group?: string;
  src?: string;
}

/** Directories, links, empty files, removal, and the mode/owner/group of what is there. */
export default defineModule<Args>({
  name: 'file',
  aliases: ['ansible.builtin.file'],
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      state: { enum: ['directory', 'file', 'absent', 'link', 'touch'], default: 'file' },
      ...attrProps,
      src: { type: 'string', minLength: 1 },
    },
    required: ['path'],
    additionalProperties: false,
    if: { properties: { state: { const: 'link' } }, required: ['state'] },
    then: { required: ['src'] },
  },
  reads: (a) => ({ path: { kind: 'stat', path: a.path } }),
  plan(a, seen): Plan {
    const stat = seen.path.stat ?? null;
    const p = a.path;
    const attrs = { mode: normalizeMode(a.mode), owner: a.owner, group: a.group };
    const created = (steps: Plan['steps'], what: string): Plan => ({
      changed: true,
      steps,
      diff: [{ path: p, before: 'state: absent\n', after: `state: ${what}\n` }],
      msg: `${p} ${what} created`,
    });
    // owner before mode: chown clears setuid/setgid bits
    const attrsOf = (): Plan['steps'] => [
      ...(attrs.owner || attrs.group ? [{ op: 'exec' as const, argv: chownArgv(p, attrs.owner, attrs.group) }] : []),
      ...(attrs.mode ? [{ op: 'exec' as const, argv: ['chmod', attrs.mode, '--', p] }] : []),
    ];
    switch (a.state) {
      case 'absent':
        if (!stat) return noChange(`${p} is absent`);
        return { changed: true, steps: [{ op: 'exec', argv: ['rm', '-rf', '--', p] }], diff: [{ path: p, before: `state: ${stat.type}\n`, after: 'state: absent\n' }], msg: `${p} removed` };
      case 'directory':
        if (!stat) return created([{ op: 'exec', argv: ['mkdir', '-p', '--', p] }, ...attrsOf()], 'directory');
        if (stat.type !== 'directory') return { changed: false, steps: [], failed: `${p} exists and is a ${stat.type}, not a directory` };
        break;
      case 'touch':
        if (!stat) return created([{ op: 'exec', argv: ['touch', '--', p] }, ...attrsOf()], 'file');
        break;
      case 'file':
        if (!stat) return { changed: false, steps: [], failed: `${p} does not exist (use state: touch to create it)` };
        break;
      case 'link': {
        const src = a.src!;
        if (stat?.type === 'link' && stat.target === src) return noChange(`${p} -> ${src}`);
        if (stat && stat.type === 'directory') return { changed: false, steps: [], failed: `${p} is a directory; refusing to replace it with a link` };
        return {
          changed: true,
          steps: [{ op: 'exec', argv: ['ln', '-sfn', '--', src, p] }],
          diff: [{ path: p, before: stat ? (stat.type === 'link' ? `link: ${stat.target}\n` : `state: ${stat.type}\n`) : 'state: absent\n', after: `link: ${src}\n` }],
          msg: `${p} -> ${src}`,
        };
      }
    }
    const { steps, diff } = attrPlan(p, stat, attrs);
    return { changed: steps.length > 0, steps, diff };
  },
});
