import { defineModule, noChange, type Plan, failedPlan } from '../src/module/types.js';
import { Type, Choice, Default } from '../src/module/args.js';
import { attrPlan, attrProps, chownArgv, normalizeMode } from '../src/module/files.js';

const schema = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'The path on the host.' }),
    state: Default(
      Choice(['directory', 'file', 'absent', 'link', 'touch'], {
        description:
          'directory: created with its parents; file: must exist (only its attributes are set); absent: removed, recursively; link: a symlink to src; touch: an empty file created if missing.',
      }),
      'file',
    ),
    ...attrProps,
    src: Type.Optional(
      Type.String({ minLength: 1, description: 'Where the link points (state: link, where it is required).' }),
    ),
  },
  {
    additionalProperties: false,
    if: { properties: { state: { const: 'link' } }, required: ['state'] },
    then: { required: ['src'] },
  },
);

export default defineModule({
  name: 'file',
  aliases: ['ansible.builtin.file'],
  schema,
  description: 'Directories, links, empty files, removal, and the mode/owner/group of what is there.',
  notes: [
    'The owner is set before the mode: chown clears setuid/setgid bits.',
    'A directory is never replaced by a link.',
  ],
  examples: `- name: BPF sources directory
  file:
    path: /opt/lbprov/bpf
    state: directory
    mode: "0755"

- name: Current release
  file:
    path: /opt/app/current
    state: link
    src: /opt/app/releases/42

- name: No stale config
  file:
    path: /etc/lb-listener/old.conf
    state: absent
`,
  returns: {},
  check: 'full',
  diff: 'full',
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
        return {
          changed: true,
          steps: [{ op: 'exec', argv: ['rm', '-rf', '--', p] }],
          diff: [{ path: p, before: `state: ${stat.type}\n`, after: 'state: absent\n' }],
          msg: `${p} removed`,
        };
      case 'directory':
        if (!stat) return created([{ op: 'exec', argv: ['mkdir', '-p', '--', p] }, ...attrsOf()], 'directory');
        if (stat.type !== 'directory') return failedPlan(`${p} exists and is a ${stat.type}, not a directory`);
        break;
      case 'touch':
        if (!stat) return created([{ op: 'exec', argv: ['touch', '--', p] }, ...attrsOf()], 'file');
        break;
      case 'file':
        if (!stat) return failedPlan(`${p} does not exist (use state: touch to create it)`);
        break;
      case 'link': {
        const src = a.src!;
        if (stat?.type === 'link' && stat.target === src) return noChange(`${p} -> ${src}`);
        if (stat && stat.type === 'directory')
          return failedPlan(`${p} is a directory; refusing to replace it with a link`);
        return {
          changed: true,
          steps: [{ op: 'exec', argv: ['ln', '-sfn', '--', src, p] }],
          diff: [
            {
              path: p,
              before: stat
                ? stat.type === 'link'
                  ? `link: ${stat.target}\n`
                  : `state: ${stat.type}\n`
                : 'state: absent\n',
              after: `link: ${src}\n`,
            },
          ],
          msg: `${p} -> ${src}`,
        };
      }
    }
    const { steps, diff } = attrPlan(p, stat, attrs);
    return { changed: steps.length > 0, steps, diff };
  },
});
