import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, type Pos } from '../util/errors.js';
import { parseIni } from './ini-file.js';
import { SETTINGS, type SettingDef, type SettingName } from './keys.js';

export interface Setting {
  value: unknown;
  /** Where it came from, for messages and -vv: `file:line`, `env NAME`, `--flag`. */
  origin: string;
}

export interface Config {
  /** The config file read, if any (only the first one found is read, as Ansible does). */
  file?: string;
  settings: Partial<Record<SettingName, Setting>>;
  /** Unknown keys and skipped files: printed as warnings, never fatal. */
  warnings: string[];
}

export interface ConfigEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

const here = (): ConfigEnv => ({ env: process.env, cwd: process.cwd(), home: homedir() });

/**
 * Which config file is read: the first that exists of LBPROV_CONFIG (an error if it names nothing),
 * ./lbprov.cfg, ~/.lbprov.cfg, then Ansible's own ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg.
 * A file in a world-writable working directory is skipped with a warning, as Ansible does (anyone
 * could have put it there).
 */
export function findConfigFile(ce: ConfigEnv = here(), warnings: string[] = []): string | undefined {
  const inDir = (p: string, name: string): string => (existsSync(p) && statSync(p).isDirectory() ? join(p, name) : p);
  const tilde = (p: string): string => (p.startsWith('~/') ? join(ce.home, p.slice(2)) : resolve(ce.cwd, p));
  if (ce.env.LBPROV_CONFIG) {
    const p = inDir(tilde(ce.env.LBPROV_CONFIG), 'lbprov.cfg');
    if (!readable(p)) throw new InputError(`LBPROV_CONFIG=${ce.env.LBPROV_CONFIG}: no readable config file ${p}`);
    return p;
  }
  let cwdWorldWritable = false;
  try {
    cwdWorldWritable = (statSync(ce.cwd).mode & 0o002) !== 0;
  } catch {
    cwdWorldWritable = true;
  }
  const cwdFile = (name: string): string[] => {
    const p = join(ce.cwd, name);
    if (!cwdWorldWritable) return [p];
    if (existsSync(p)) warnings.push(`${p}: not read: the working directory is world-writable`);
    return [];
  };
  const candidates = [
    ...cwdFile('lbprov.cfg'),
    join(ce.home, '.lbprov.cfg'),
    ...(ce.env.ANSIBLE_CONFIG ? [inDir(tilde(ce.env.ANSIBLE_CONFIG), 'ansible.cfg')] : []),
    ...cwdFile('ansible.cfg'),
    join(ce.home, '.ansible.cfg'),
  ];
  return candidates.find(readable);
}

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads the config file and the environment; a bad value is an input error naming file:line or the variable. */
export function loadConfig(ce: ConfigEnv = here()): Config {
  const warnings: string[] = [];
  const file = findConfigFile(ce, warnings);
  const settings: Config['settings'] = {};
  const byIni = new Map<string, SettingName>();
  for (const [name, def] of Object.entries(SETTINGS) as Array<[SettingName, SettingDef]>)
    for (const [s, k] of def.ini) byIni.set(`${s}.${k}`, name);
  if (file) {
    for (const e of parseIni(file, readFileSync(file, 'utf8'))) {
      const name = byIni.get(`${e.section}.${e.key}`);
      const pos: Pos = { file, line: e.line, col: 1 };
      if (!name) {
        warnings.push(`${file}:${e.line}: [${e.section}] ${e.key} is not a setting lbprov knows: ignored`);
        continue;
      }
      settings[name] = {
        value: convert(name, e.value, `[${e.section}] ${e.key}`, dirname(file), pos),
        origin: `${file}:${e.line}`,
      };
    }
  }
  for (const [name, def] of Object.entries(SETTINGS) as Array<[SettingName, SettingDef]>) {
    const v = def.env.find((n) => ce.env[n] !== undefined && ce.env[n] !== '');
    if (v)
      settings[name] = { value: convert(name, ce.env[v]!, `environment variable ${v}`, ce.cwd), origin: `env ${v}` };
  }
  return { file, settings, warnings };
}

const TRUE = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'n', 'f', '']);

/** A setting's text as its type; relative paths are relative to the config file's folder (Ansible's rule). */
export function convert(name: SettingName, text: string, what: string, baseDir: string, pos?: Pos): unknown {
  const def: SettingDef = SETTINGS[name];
  const bad = (expected: string): InputError =>
    new InputError(`${what} = ${JSON.stringify(text)}: expected ${expected}`, pos);
  const path = (p: string): string =>
    p.startsWith('~/') ? join(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(baseDir, p);
  const t = text.trim();
  switch (def.type) {
    case 'bool':
      if (TRUE.has(t.toLowerCase())) return true;
      if (FALSE.has(t.toLowerCase())) return false;
      throw bad('a boolean (true/false, yes/no, on/off, 1/0)');
    case 'int':
      if (!/^\d+$/.test(t) || Number(t) < 1) throw bad('a whole number >= 1');
      return Number(t);
    case 'posnum':
      if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0) throw bad('a number > 0');
      return Number(t);
    case 'become-method':
      if (!['sudo', 'su'].includes(t)) throw bad('sudo or su');
      return t;
    case 'path':
      if (!t) throw bad('a path');
      return path(t);
    case 'pathlist':
      // Ansible: inventory is comma-separated, roles_path colon-separated
      return t
        .split(name === 'roles_path' ? ':' : ',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(path);
    case 'list':
      return t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return t;
  }
}
