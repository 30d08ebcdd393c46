import {
  defineModule,
  type DiffItem,
  type Plan,
  type Seen,
  type Step,
  type StepOutput,
  failedPlan,
} from '../src/module/types.js';
import { shellLib } from '../src/module/shell-lib.js';
import { Type, Choice, Default, type ArgsOf } from '../src/module/args.js';

/**
 * An account or group name as shadow's tools take it: no option-looking or all-digit name (getent
 * would read that as an id), no `:`/`,`/space that would break /etc/passwd or a -G list.
 */
export const ACCOUNT_NAME = '^(?![0-9]+$)[A-Za-z0-9_.][A-Za-z0-9_.-]*[$]?$';

/** Ansible's `password` value in a result: the hash is never returned. */
export const NOT_LOGGING_PASSWORD = 'NOT_LOGGING_PASSWORD';

const schema = Type.Object(
  {
    name: Type.String({ pattern: ACCOUNT_NAME, patternMeans: 'a user name', description: 'The user name.' }),
    state: Default(
      Choice(['present', 'absent'], { description: 'present: the account exists as described; absent: removed.' }),
      'present',
    ),
    uid: Type.Optional(Type.Integer({ minimum: 0, description: 'The user id.' })),
    non_unique: Default(Type.Boolean({ description: 'With uid: allow a uid another user has (-o).' }), false),
    group: Type.Optional(
      Type.String({ minLength: 1, description: 'The primary group, by name or gid; it must exist.' }),
    ),
    groups: Type.Optional(
      Type.Unsafe<string | string[]>({
        type: ['array', 'string'],
        items: { type: 'string' },
        description:
          'Supplementary groups (a list, or names separated by commas); they must exist. An empty list removes every supplementary group (unless append).',
      }),
    ),
    append: Default(
      Type.Boolean({ description: 'true: add to groups and leave the others; false: groups is the whole list.' }),
      false,
    ),
    comment: Type.Optional(Type.String({ description: 'The GECOS field.' })),
    home: Type.Optional(
      Type.String({ pattern: '^/', patternMeans: 'an absolute path', description: 'The home directory.' }),
    ),
    move_home: Default(
      Type.Boolean({ description: 'When home changes: move the old home there (usermod -m).' }),
      false,
    ),
    shell: Type.Optional(Type.String({ minLength: 1, description: 'The login shell.' })),
    create_home: Default(
      Type.Boolean({
        description: 'Create the home directory (useradd -m), also later when it is missing.',
      }),
      true,
    ),
    system: Default(
      Type.Boolean({ description: 'A system account (useradd -r); only when the user is created.' }),
      false,
    ),
    password: Type.Optional(
      Type.String({
        noLog: true,
        description:
          'The password as a crypt hash (e.g. from mkpasswd -m sha-512), set through chpasswd -e on stdin: never in argv or output.',
      }),
    ),
    update_password: Default(
      Choice(['always', 'on_create'], {
        description: 'always: set password when it differs; on_create: only for a new user.',
      }),
      'always',
    ),
    remove: Default(
      Type.Boolean({ description: 'With state absent: also remove the home and mail spool (userdel -r).' }),
      false,
    ),
    force: Default(
      Type.Boolean({ description: 'With state absent: remove even when the user is logged in (userdel -f).' }),
      false,
    ),
  },
  { additionalProperties: false },
);
type Args = ArgsOf<typeof schema>;

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** One `getent passwd` line. */
export function parsePasswd(line: string): PasswdEntry | undefined {
  const f = line.replace(/\n$/, '').split(':');
  if (f.length < 7) return undefined;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f[6] };
}

/** `getent group` output: every group, in order. */
export function parseGroups(out: string): GroupEntry[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(',') : [] }));
}

/** A group by name, or by gid when the value is all digits (Ansible's group_exists). */
export const findGroup = (groups: GroupEntry[], g: string): GroupEntry | undefined =>
  groups.find((x) => x.name === g) ?? (/^\d+$/.test(g) ? groups.find((x) => x.gid === Number(g)) : undefined);

/** What lbprov_user_read printed (modules/user.sh). */
function readInfo(seen: Seen): { passwd?: PasswdEntry; shadow?: string; home?: boolean; parent?: boolean } {
  const out: ReturnType<typeof readInfo> = {};
  for (const line of seen.stdout.toString().split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [k, v] = [line.slice(0, tab), line.slice(tab + 1)];
    if (k === 'passwd') out.passwd = parsePasswd(v);
    else if (k === 'shadow') out.shadow = v;
    else if (k === 'home') out.home = v === '1';
    else if (k === 'parent') out.parent = v === '1';
  }
  return out;
}

/** Ansible joins a list and splits at commas: `[a, "b,c"]` is a, b, c. */
const groupList = (g: string | string[]): string[] => {
  const seen = new Set<string>();
  for (const x of (Array.isArray(g) ? g.join(',') : g).split(',')) if (x.trim()) seen.add(x.trim());
  return [...seen];
};

/** The account as diff text; the password only as whether it is set or about to change, never the hash. */
const describe = (p: Partial<PasswdEntry>, groups: string[] | undefined, password?: string): string =>
  [
    p.uid !== undefined ? `uid: ${p.uid}` : '',
    p.gid !== undefined ? `group: ${p.gid}` : '',
    groups ? `groups: ${groups.join(',')}` : '',
    p.comment !== undefined ? `comment: ${p.comment}` : '',
    p.home !== undefined ? `home: ${p.home}` : '',
    p.shell !== undefined ? `shell: ${p.shell}` : '',
    password ? `password: ${password}` : '',
  ]
    .filter(Boolean)
    .map((l) => `${l}\n`)
    .join('');

/** The account's fields in the result, Ansible's names (group is the gid). */
const fields = (p: PasswdEntry): Record<string, unknown> => ({
  uid: p.uid,
  group: p.gid,
  comment: p.comment,
  home: p.home,
  shell: p.shell,
});

function planPresent(a: Args, info: ReturnType<typeof readInfo>, db: GroupEntry[], check: boolean): Plan {
  const cur = info.passwd;
  // Ansible's check run stops at "would create" before looking at the groups (an earlier task of the run may create them)
  if (!cur && check) return { changed: true, steps: [], msg: `useradd ${a.name}`, result: {} };
  const wanted = a.groups === undefined ? undefined : groupList(a.groups);
  const primary = a.group === undefined ? undefined : findGroup(db, a.group);
  if (a.group !== undefined && !primary) return failedPlan(`Group ${a.group} does not exist`);
  for (const g of wanted ?? []) if (!findGroup(db, g)) return failedPlan(`Group ${g} does not exist`);
  const setPassword =
    a.password !== undefined &&
    (!cur ||
      (a.update_password === 'always' && (info.shadow ?? '').replace(/^!/, '') !== a.password.replace(/^!/, '')));
  const steps: Step[] = [];
  const result: Record<string, unknown> = { name: a.name, state: 'present' };
  if (a.password !== undefined) result.password = NOT_LOGGING_PASSWORD;
  if (wanted) result.groups = wanted.join(',');
  let changedFields: string[] = [];
  let after: Partial<PasswdEntry>;
  const home = a.home ?? cur?.home;
  if (!cur) {
    const argv = ['useradd'];
    if (a.uid !== undefined) argv.push('-u', String(a.uid), ...(a.non_unique ? ['-o'] : []));
    if (a.group !== undefined) argv.push('-g', a.group);
    // a group named as the user exists: -N, or useradd (USERGROUPS_ENAB) fails creating it
    else if (findGroup(db, a.name)?.name === a.name) argv.push('-N');
    if (wanted?.length) argv.push('-G', wanted.join(','));
    if (a.comment !== undefined) argv.push('-c', a.comment);
    if (a.home !== undefined) argv.push('-d', a.home);
    if (a.shell !== undefined) argv.push('-s', a.shell);
    argv.push(a.create_home ? '-m' : '-M');
    if (a.system) argv.push('-r');
    argv.push('--', a.name);
    // useradd cannot create a home whose parent is missing
    if (a.home !== undefined && a.create_home && info.parent === false)
      steps.push({
        op: 'exec',
        argv: ['mkdir', '-p', '-m', '0755', '--', a.home.replace(/\/[^/]*\/?$/, '') || '/'],
        what: `creating the parent of ${a.home}`,
      });
    steps.push({ op: 'exec', argv, what: `useradd ${a.name}` });
    Object.assign(result, { system: a.system, create_home: a.create_home });
    after = { uid: a.uid, gid: primary?.gid, comment: a.comment, home: a.home, shell: a.shell };
  } else {
    const argv = ['usermod'];
    if (a.uid !== undefined && a.uid !== cur.uid) {
      argv.push('-u', String(a.uid), ...(a.non_unique ? ['-o'] : []));
      changedFields.push('uid');
    }
    if (primary && primary.gid !== cur.gid) {
      argv.push('-g', String(primary.gid));
      changedFields.push('group');
    }
    if (wanted) {
      // Ansible compares with every group listing the user as a member (the primary one too)
      const current = db.filter((g) => g.members.includes(a.name)).map((g) => g.name);
      const diff = [...wanted.filter((g) => !current.includes(g)), ...current.filter((g) => !wanted.includes(g))];
      const need = a.append ? wanted.some((g) => diff.includes(g)) : diff.length > 0;
      if (need) {
        argv.push(...(a.append ? ['-a'] : []), '-G', wanted.join(','));
        changedFields.push('groups');
      }
    }
    if (a.comment !== undefined && a.comment !== cur.comment) {
      argv.push('-c', a.comment);
      changedFields.push('comment');
    }
    if (a.home !== undefined && a.home !== cur.home) {
      argv.push('-d', a.home, ...(a.move_home ? ['-m'] : []));
      changedFields.push('home');
    }
    if (a.shell !== undefined && a.shell !== cur.shell) {
      argv.push('-s', a.shell);
      changedFields.push('shell');
    }
    if (argv.length > 1) steps.push({ op: 'exec', argv: [...argv, '--', a.name], what: `usermod ${a.name}` });
    Object.assign(result, { append: a.append, move_home: a.move_home });
    after = {
      ...cur,
      ...(a.uid !== undefined ? { uid: a.uid } : {}),
      ...(primary ? { gid: primary.gid } : {}),
      ...(a.comment !== undefined ? { comment: a.comment } : {}),
      ...(a.home !== undefined ? { home: a.home } : {}),
      ...(a.shell !== undefined ? { shell: a.shell } : {}),
    };
  }
  if (setPassword) {
    steps.push({
      op: 'exec',
      argv: ['lbprov_user_password', a.name, a.password!],
      what: `setting the password of ${a.name}`,
    });
    if (cur) changedFields.push('password');
  }
  // Ansible creates a missing home of an existing user too (create_home); a moved one is usermod's
  const moved = cur && a.home !== undefined && a.home !== cur.home && a.move_home;
  if (cur && a.create_home && home !== undefined && info.home === false && !moved) {
    steps.push({ op: 'exec', argv: ['lbprov_user_home', a.name, home], what: `creating the home ${home}` });
    changedFields.push('home directory');
  }
  changedFields = [...new Set(changedFields)];
  if (!steps.length) return { changed: false, steps: [], result: { ...result, ...fields(cur!) } };
  const currentGroups = cur ? db.filter((g) => g.members.includes(a.name)).map((g) => g.name) : [];
  const diff: DiffItem[] = [
    {
      path: `user ${a.name}`,
      before: cur
        ? describe(cur, wanted && currentGroups, a.password !== undefined && info.shadow ? '(hidden)' : undefined)
        : '',
      after: describe(
        after,
        wanted,
        setPassword ? '(hidden, changed)' : a.password !== undefined && info.shadow ? '(hidden)' : undefined,
      ),
    },
  ];
  // the account as it is afterwards: the uid useradd chose, what usermod made of the rest
  steps.push({ op: 'exec', argv: ['getent', 'passwd', '--', a.name], capture: true, what: `reading ${a.name}` });
  const predicted = { ...result, ...(cur ? fields({ ...cur, ...after }) : {}) };
  return {
    changed: true,
    steps,
    diff,
    msg: cur ? `usermod ${a.name}: ${changedFields.join(', ')}` : `useradd ${a.name}`,
    result: predicted,
    interpret: (outs: StepOutput[]) => {
      const p = parsePasswd(outs[outs.length - 1].stdout.trim());
      return { result: p ? { ...result, ...fields(p) } : result };
    },
  };
}

export default defineModule({
  name: 'user',
  aliases: ['ansible.builtin.user'],
  shell: [shellLib('modules/user.sh')],
  schema,
  description: 'Local user accounts (useradd, usermod, userdel), with supplementary groups and a password hash.',
  notes: [
    "Ansible's arguments, defaults, results and messages (a missing group fails with `Group X does not exist`). The password is a crypt hash, compared with /etc/shadow and set through chpasswd's stdin: it is never in a command line, the output, the result (`NOT_LOGGING_PASSWORD`) or a diff; add `no_log: true` to keep the task's arguments out of -v output too.",
    'With create_home (the default) a missing home directory of an existing user is created, as Ansible does. Not supported: SSH key generation, expiry, password locking, seuser, local (luseradd).',
  ],
  examples: `- name: Service account
  user:
    name: lbprov
    system: true
    shell: /usr/sbin/nologin
    create_home: false

- name: Operator with a password hash
  user:
    name: ops
    groups: [adm, sudo]
    append: true
    password: "$6$salt$hash..."
  no_log: true

- name: Gone
  user:
    name: olduser
    state: absent
    remove: true
`,
  returns: {
    name: { description: 'The user name.', type: 'string' },
    state: { description: 'present or absent.', type: 'string' },
    uid: { description: 'The user id.', type: 'integer', returned: 'state present, once the user exists' },
    group: { description: 'The primary group id.', type: 'integer', returned: 'state present' },
    groups: { description: 'The groups asked for, joined by commas.', type: 'string', returned: 'with groups' },
    comment: { description: 'The GECOS field.', type: 'string', returned: 'state present' },
    home: { description: 'The home directory.', type: 'string', returned: 'state present' },
    shell: { description: 'The login shell.', type: 'string', returned: 'state present' },
    password: { description: 'Always NOT_LOGGING_PASSWORD.', type: 'string', returned: 'with password' },
    system: { description: 'Whether a created user is a system account.', type: 'boolean', returned: 'when created' },
    create_home: { description: 'Whether the home was created.', type: 'boolean', returned: 'when created' },
    append: { description: 'The append argument.', type: 'boolean', returned: 'when the user existed' },
    move_home: { description: 'The move_home argument.', type: 'boolean', returned: 'when the user existed' },
    force: { description: 'The force argument.', type: 'boolean', returned: 'when removed' },
    remove: { description: 'The remove argument.', type: 'boolean', returned: 'when removed' },
  },
  check: 'full',
  diff: 'full',
  reads(a) {
    const shadow = a.state === 'present' && a.password !== undefined ? '1' : '0';
    return {
      info: { kind: 'exec', argv: ['lbprov_user_read', a.name, shadow, a.state === 'present' ? (a.home ?? '') : ''] },
      groups: { kind: 'exec', argv: ['getent', 'group'] },
    };
  },
  plan(a, seen, ctx): Plan {
    const info = readInfo(seen.info);
    if (seen.info.rc !== 0)
      return failedPlan(`reading the user ${a.name} failed (rc ${seen.info.rc}): ${seen.info.stderr.trim()}`);
    const db = parseGroups(seen.groups.stdout.toString());
    if (a.state === 'present') return planPresent(a, info, db, ctx.check);
    if (!info.passwd) return { changed: false, steps: [], result: { name: a.name, state: 'absent' } };
    const argv = ['userdel', ...(a.force ? ['-f'] : []), ...(a.remove ? ['-r'] : []), '--', a.name];
    return {
      changed: true,
      steps: [{ op: 'exec', argv, what: `userdel ${a.name}` }],
      diff: [{ path: `user ${a.name}`, before: describe(info.passwd, undefined), after: '' }],
      msg: `userdel ${a.name}`,
      result: ctx.check ? {} : { name: a.name, state: 'absent', force: a.force, remove: a.remove },
    };
  },
});
