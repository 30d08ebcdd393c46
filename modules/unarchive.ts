import {
  defineModule,
  failedPlan,
  noChange,
  type CheckKnown,
  type ModuleContext,
  type Plan,
} from '../src/module/types.js';
import { followKnown } from '../src/module/check-known.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Default } from '../src/module/args.js';
import { attrProps, normalizeMode } from '../src/module/files.js';

const schema = Type.Object(
  {
    src: Type.String({
      minLength: 1,
      description:
        "The archive: a file on the controller (absolute, or beside the playbook or in its files/), or with remote_src a path on the host. tar (gz, bz2, xz, zstd as the host's tar reads them) or zip (the host needs unzip).",
    }),
    dest: Type.String({
      pattern: '^/',
      patternMeans: 'an absolute path',
      description: 'The existing directory to unpack into.',
    }),
    remote_src: Default(Type.Boolean({ description: 'src is already on the host.' }), false),
    creates: Type.Optional(
      Type.String({ minLength: 1, description: 'When this path exists on the host, nothing is done.' }),
    ),
    list_files: Default(Type.Boolean({ description: "Register the archive's entries as `files`." }), false),
    ...attrProps,
  },
  { additionalProperties: false },
);

/** A mode as `stat -c %a` prints it (no leading zeros), for the host-side comparison. */
const statMode = (m: string | undefined): string => (m ? m.replace(/^0+(?=.)/, '') : '');

export interface Probe {
  handler?: string;
  entries: string[];
  differ: Array<{ code: string; path: string }>;
}

export function parseProbe(out: string): Probe {
  const p: Probe = { entries: [], differ: [] };
  const dec = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  for (const line of out.split('\n')) {
    if (line.startsWith('handler=')) p.handler = line.slice(8);
    else if (line.startsWith('E ')) p.entries.push(dec(line.slice(2)));
    else if (line.startsWith('D ')) {
      const [, code, path] = line.split(' ');
      p.differ.push({ code, path: dec(path) });
    }
  }
  return p;
}

/**
 * In check mode, what earlier tasks of the run would have left (ModuleContext.checkKnown) at dest
 * (a directory they make: a missing dest compares as an empty one), at a remote src (an archive
 * they write is sent as its content) and at creates.
 */
function checkKnown(
  a: { src: string; dest: string; remote_src: boolean; creates?: string },
  ctx: Pick<ModuleContext, 'check' | 'checkKnown'>,
): { dest?: CheckKnown; src?: Buffer; creates?: CheckKnown } {
  if (!ctx.check) return {};
  const src = a.remote_src ? followKnown(a.src, (p) => ctx.checkKnown(p)).known : undefined;
  return {
    // a link an earlier task would make to a folder: where it leads
    dest: followKnown(a.dest, (p) => ctx.checkKnown(p)).known,
    src: src?.stat?.type === 'file' ? src.content : undefined,
    creates: a.creates === undefined ? undefined : ctx.checkKnown(a.creates),
  };
}

const WHAT: Record<string, string> = {
  absent: 'created',
  type: 'replaced (another type)',
  content: 'content changed',
  mode: 'mode changed',
  owner: 'owner changed',
};

export default defineModule({
  name: 'unarchive',
  aliases: ['ansible.builtin.unarchive'],
  shell: [shellLib('modules/unarchive.sh')],
  schema,
  description: 'Unpacks a tar or zip archive (from the controller, or already on the host) into a directory.',
  notes: [
    "Idempotent as Ansible's: the host unpacks the archive into a temp directory and compares every entry with dest (type, content, link target, mode, owner); only a difference unpacks it. Check mode and --diff list exactly the entries that would change.",
    'Unpacking goes into a temp directory inside dest, then each file is renamed into place: no file is ever half-written.',
    'A local archive travels to the host inside the script (base64): fine for release tarballs, not for gigabytes. With `creates` present the task is ok with "skipped, since PATH exists" (Ansible reports it skipped).',
    'In check mode, what earlier tasks of the run would have left counts: a dest they would make compares as an empty directory (every entry would be created), a remote_src archive they would write is compared as written, and a creates path they would make or remove decides.',
  ],
  examples: `- name: The listener release
  unarchive:
    src: lb-listener-1.4.tar.gz
    dest: /opt/lb-listener
    owner: root
    mode: "0755"

- name: An archive already on the host, once
  unarchive:
    src: /var/cache/lbprov/tools.zip
    dest: /opt/tools
    remote_src: true
    creates: /opt/tools/bin
`,
  returns: {
    dest: { description: 'The directory.', type: 'string' },
    src: { description: 'The archive.', type: 'string' },
    handler: {
      description: 'TgzArchive, TarArchive, TarBzipArchive, TarXzArchive, TarZstdArchive or ZipArchive.',
      type: 'string',
    },
    files: { description: 'The archive\'s entries (directories end in "/").', type: 'list', returned: 'list_files' },
  },
  check: 'full',
  diff: 'full',
  localSrc: 'files',
  reads(a, ctx) {
    const mode = statMode(normalizeMode(a.mode));
    const known = checkKnown(a, ctx);
    const src = a.remote_src
      ? known.src
        ? ['b64', known.src.toString('base64')]
        : ['path', a.src]
      : ['b64', ctx.localFile(a.src, 'files').toString('base64')];
    // what the check run decides about creates itself is not asked of the host
    const creates = known.creates === undefined ? (a.creates ?? '') : '';
    return {
      probe: {
        kind: 'exec',
        argv: [
          'lbprov_unarchive_probe',
          ...src,
          a.dest,
          a.owner ?? '',
          a.group ?? '',
          mode,
          creates,
          ...(known.dest?.stat?.type === 'directory' ? ['1'] : []),
        ],
      },
    };
  },
  plan(a, seen, ctx): Plan {
    const base = { dest: a.dest, src: a.src };
    const known = checkKnown(a, ctx);
    if (known.creates?.stat) return noChange(`skipped, since ${a.creates} exists`);
    if (known.dest && known.dest.stat?.type !== 'directory')
      return failedPlan(`dest '${a.dest}' must be an existing dir`, base);
    const pr = seen.probe;
    if (pr.rc === 0 && /^creates=1$/m.test(pr.stdout.toString())) return noChange(`skipped, since ${a.creates} exists`);
    if (pr.rc !== 0) {
      const why = pr.stderr.trim() || `rc ${pr.rc}`;
      return {
        changed: false,
        steps: [],
        failed: pr.rc === 5 ? `failed to unpack ${a.src} to ${a.dest}: ${why}` : why,
        result: base,
      };
    }
    const p = parseProbe(pr.stdout.toString('utf8'));
    const result: Record<string, unknown> = {
      ...base,
      handler: p.handler,
      ...(a.list_files ? { files: p.entries } : {}),
    };
    if (!p.differ.length) return noChange(undefined, result);
    const mode = statMode(normalizeMode(a.mode));
    const src = a.remote_src ? ['path', a.src] : ['b64', ctx.localFile(a.src, 'files').toString('base64')];
    return {
      changed: true,
      steps: [
        {
          op: 'exec',
          argv: ['lbprov_unarchive', ...src, a.dest, a.owner ?? '', a.group ?? '', mode],
          what: `unpacking ${a.src} into ${a.dest}`,
        },
      ],
      diff: [
        {
          path: a.dest,
          before: '',
          after: p.differ.map((d) => `${d.path}: ${WHAT[d.code] ?? d.code}\n`).join(''),
        },
      ],
      msg: `${p.differ.length} entries of ${a.src} unpacked into ${a.dest}`,
      result,
    };
  },
});
