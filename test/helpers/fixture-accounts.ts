import type { StepOutput } from '../../src/module/types.js';
import type { FsEntry } from './fixture-host.js';

/**
 * Users and groups of a fixture host (test/helpers/fixture-host.ts), as the user and group
 * modules see them (getent, lbprov_user_read) and change them (useradd/usermod/userdel,
 * groupadd/groupmod/groupdel, lbprov_user_password/lbprov_user_home), with shadow's rcs and
 * messages for the refusals the modules must avoid or report. Debian's defaults: new uids and
 * gids from 1000 (system ones from 999 down), -N puts the user in `users` (100), shell /bin/sh.
 */
export interface UserEntry {
  uid: number;
  gid: number;
  comment?: string;
  home?: string;
  shell?: string;
  /** The crypt hash in /etc/shadow ('!' when none was set). */
  password?: string;
}

export interface GroupEntry {
  gid: number;
  members?: string[];
}

export interface AccountState {
  users: Record<string, UserEntry>;
  groups: Record<string, GroupEntry>;
  files: Record<string, FsEntry>;
}

const out = (stdout = '', rc = 0, stderr = ''): StepOutput => ({ rc, stdout, stderr });
const fail = (rc: number, stderr: string): StepOutput => out('', rc, `${stderr}\n`);

/** The same defaults for a user written in a case and one useradd made. */
export const userEntry = (name: string, u: UserEntry): Required<UserEntry> => ({
  comment: '',
  home: `/home/${name}`,
  shell: '/bin/sh',
  password: '!',
  ...u,
});
export const groupEntry = (g: GroupEntry): Required<GroupEntry> => ({ members: [], ...g });

const passwdLine = (n: string, u: UserEntry): string => {
  const e = userEntry(n, u);
  return `${n}:x:${e.uid}:${e.gid}:${e.comment}:${e.home}:${e.shell}`;
};
const groupLine = (n: string, g: GroupEntry): string => `${n}:x:${g.gid}:${(g.members ?? []).join(',')}`;

/** Options before `--`, the name after it (the modules always write `--`). */
function split(a: string[]): { opts: Map<string, string | true>; name: string } {
  const dd = a.indexOf('--');
  const opts = new Map<string, string | true>();
  const flags = new Set(['-o', '-N', '-m', '-M', '-r', '-a', '-f']);
  const head = dd < 0 ? a : a.slice(0, dd);
  for (let i = 0; i < head.length; i++) {
    if (flags.has(head[i])) opts.set(head[i], true);
    else opts.set(head[i], head[++i] ?? '');
  }
  return { opts, name: dd < 0 ? '' : a[dd + 1] };
}

export class FixtureAccounts {
  constructor(private readonly s: AccountState) {}

  private group(g: string): [string, GroupEntry] | undefined {
    const byName = this.s.groups[g];
    if (byName) return [g, byName];
    return /^\d+$/.test(g) ? Object.entries(this.s.groups).find(([, x]) => x.gid === Number(g)) : undefined;
  }

  private free(used: number[], system: boolean): number {
    if (system) {
      for (let id = 999; id > 100; id--) if (!used.includes(id)) return id;
    }
    let id = 1000;
    while (used.includes(id)) id++;
    return id;
  }

  private gids = (): number[] => Object.values(this.s.groups).map((g) => g.gid);
  private uids = (): number[] => Object.values(this.s.users).map((u) => u.uid);

  /** Read-only commands. */
  query([cmd, ...a]: string[]): StepOutput | undefined {
    if (cmd === 'getent' && a[0] === 'group') {
      if (a.length === 1)
        return out(
          Object.entries(this.s.groups)
            .map(([n, g]) => `${groupLine(n, g)}\n`)
            .join(''),
        );
      const g = this.group(a[a.length - 1]);
      return g ? out(`${groupLine(...g)}\n`) : out('', 2);
    }
    if (cmd === 'getent' && a[0] === 'passwd') {
      const n = a[a.length - 1];
      return this.s.users[n] ? out(`${passwdLine(n, this.s.users[n])}\n`) : out('', 2);
    }
    if (cmd === 'lbprov_user_read') {
      const [name, shadow, given] = a;
      const u = this.s.users[name];
      const lines: string[] = [];
      let home = given;
      if (u) {
        lines.push(`passwd\t${passwdLine(name, u)}`);
        home ||= userEntry(name, u).home;
        if (shadow === '1') lines.push(`shadow\t${userEntry(name, u).password}`);
      }
      if (home) {
        lines.push(`home\t${this.s.files[home]?.type === 'directory' ? 1 : 0}`);
        const parent = home.replace(/\/[^/]*\/?$/, '') || '/';
        lines.push(`parent\t${parent === '/' || this.s.files[parent]?.type === 'directory' ? 1 : 0}`);
      }
      return out(lines.map((l) => `${l}\n`).join(''));
    }
    return undefined;
  }

  /** Steps that change the accounts. */
  change([cmd, ...a]: string[]): StepOutput | undefined {
    switch (cmd) {
      case 'useradd':
        return this.useradd(a);
      case 'usermod':
        return this.usermod(a);
      case 'userdel': {
        const { opts, name } = split(a);
        const u = this.s.users[name];
        if (!u) return fail(6, `userdel: user '${name}' does not exist`);
        for (const g of Object.values(this.s.groups)) g.members = (g.members ?? []).filter((m) => m !== name);
        // USERGROUPS_ENAB: the user's own group goes with it when nobody else is in it
        const own = this.s.groups[name];
        if (own && own.gid === u.gid && !(own.members ?? []).length) delete this.s.groups[name];
        if (opts.has('-r')) this.removeTree(userEntry(name, u).home);
        delete this.s.users[name];
        return out();
      }
      case 'groupadd': {
        const { opts, name } = split(a);
        if (this.s.groups[name]) return fail(9, `groupadd: group '${name}' already exists`);
        const gid = opts.has('-g') ? Number(opts.get('-g')) : this.free(this.gids(), opts.has('-r'));
        if (opts.has('-g') && this.gids().includes(gid) && !opts.has('-o'))
          return fail(4, `groupadd: GID '${gid}' already exists`);
        this.s.groups[name] = { gid, members: [] };
        return out();
      }
      case 'groupmod': {
        const { opts, name } = split(a);
        const g = this.s.groups[name];
        if (!g) return fail(6, `groupmod: group '${name}' does not exist`);
        const gid = Number(opts.get('-g'));
        if (this.gids().includes(gid) && g.gid !== gid && !opts.has('-o'))
          return fail(4, `groupmod: GID '${gid}' already exists`);
        for (const u of Object.values(this.s.users)) if (u.gid === g.gid) u.gid = gid;
        g.gid = gid;
        return out();
      }
      case 'groupdel': {
        const { name } = split(a);
        const g = this.s.groups[name];
        if (!g) return fail(6, `groupdel: group '${name}' does not exist`);
        const user = Object.entries(this.s.users).find(([, u]) => u.gid === g.gid);
        if (user) return fail(8, `groupdel: cannot remove the primary group of user '${user[0]}'`);
        delete this.s.groups[name];
        return out();
      }
      case 'lbprov_user_password': {
        const u = this.s.users[a[0]];
        if (!u)
          return fail(
            1,
            `chpasswd: (user ${a[0]}) pam_chauthtok() failed, error:\nAuthentication token manipulation error`,
          );
        u.password = a[1];
        return out();
      }
      case 'lbprov_user_home': {
        const [name, home] = a;
        const u = this.s.users[name];
        const group = Object.entries(this.s.groups).find(([, g]) => g.gid === u?.gid)?.[0] ?? String(u?.gid);
        this.s.files[home] = { type: 'directory', mode: '0755', owner: name, group };
        return out();
      }
    }
    return undefined;
  }

  private setGroups(name: string, list: string, append: boolean): StepOutput | undefined {
    const want = list.split(',').filter(Boolean);
    for (const g of want) if (!this.group(g)) return fail(6, `usermod: group '${g}' does not exist`);
    for (const [n, g] of Object.entries(this.s.groups)) {
      const members = (g.members ?? []).filter((m) => m !== name);
      g.members =
        want.some((w) => this.group(w)?.[0] === n) || (append && (g.members ?? []).includes(name))
          ? [...members, name]
          : members;
    }
    return undefined;
  }

  private useradd(a: string[]): StepOutput {
    const { opts, name } = split(a);
    if (this.s.users[name]) return fail(9, `useradd: user '${name}' already exists`);
    const system = opts.has('-r');
    const uid = opts.has('-u') ? Number(opts.get('-u')) : this.free(this.uids(), system);
    if (opts.has('-u') && this.uids().includes(uid) && !opts.has('-o'))
      return fail(4, `useradd: UID ${uid} is not unique`);
    let gid: number;
    if (opts.has('-g')) {
      const g = this.group(String(opts.get('-g')));
      if (!g) return fail(6, `useradd: group '${String(opts.get('-g'))}' does not exist`);
      gid = g[1].gid;
    } else if (opts.has('-N')) gid = 100;
    else {
      if (this.s.groups[name])
        return fail(9, `useradd: group ${name} exists - if you want to add this user to that group, use -g.`);
      gid = this.gids().includes(uid) ? this.free(this.gids(), system) : uid;
      this.s.groups[name] = { gid, members: [] };
    }
    if (opts.has('-G')) {
      const bad = this.setGroups(name, String(opts.get('-G')), true);
      if (bad) return { ...bad, stderr: bad.stderr.replace('usermod', 'useradd') };
    }
    const home = opts.has('-d') ? String(opts.get('-d')) : `/home/${name}`;
    this.s.users[name] = {
      uid,
      gid,
      comment: opts.has('-c') ? String(opts.get('-c')) : '',
      home,
      shell: opts.has('-s') ? String(opts.get('-s')) : '/bin/sh',
      password: '!',
    };
    if (opts.has('-m') && !this.s.files[home]) {
      const parent = home.replace(/\/[^/]*\/?$/, '') || '/';
      if (parent !== '/' && this.s.files[parent]?.type !== 'directory')
        return fail(12, `useradd: cannot create directory ${home}`);
      const group = Object.entries(this.s.groups).find(([, g]) => g.gid === gid)?.[0] ?? String(gid);
      this.s.files[home] = { type: 'directory', mode: '0755', owner: name, group };
    }
    return out();
  }

  private usermod(a: string[]): StepOutput {
    const { opts, name } = split(a);
    const u = this.s.users[name];
    if (!u) return fail(6, `usermod: user '${name}' does not exist`);
    if (opts.has('-u')) {
      const uid = Number(opts.get('-u'));
      if (this.uids().includes(uid) && uid !== u.uid && !opts.has('-o'))
        return fail(4, `usermod: UID '${uid}' already exists`);
      u.uid = uid;
    }
    if (opts.has('-g')) {
      const g = this.group(String(opts.get('-g')));
      if (!g) return fail(6, `usermod: group '${String(opts.get('-g'))}' does not exist`);
      u.gid = g[1].gid;
    }
    if (opts.has('-G')) {
      const bad = this.setGroups(name, String(opts.get('-G')), opts.has('-a'));
      if (bad) return bad;
    }
    if (opts.has('-c')) u.comment = String(opts.get('-c'));
    if (opts.has('-s')) u.shell = String(opts.get('-s'));
    if (opts.has('-d')) {
      const old = userEntry(name, u).home;
      const home = String(opts.get('-d'));
      if (opts.has('-m') && this.s.files[old]) {
        for (const p of Object.keys(this.s.files))
          if (p === old || p.startsWith(`${old}/`)) {
            this.s.files[home + p.slice(old.length)] = this.s.files[p];
            delete this.s.files[p];
          }
      }
      u.home = home;
    }
    return out();
  }

  private removeTree(p: string): void {
    for (const k of Object.keys(this.s.files)) if (k === p || k.startsWith(`${p}/`)) delete this.s.files[k];
  }
}
