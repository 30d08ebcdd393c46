import type { ModuleDef } from '../src/module/types.js';
import lineinfile from './lineinfile.js';
import blockinfile from './blockinfile.js';
import replace from './replace.js';
import stat from './stat.js';
import getUrl from './get_url.js';
import unarchive from './unarchive.js';

/** The modules that inspect and edit files on hosts (issue #12), registered by modules/index.ts in this order. */
export const FILE_MODULES: readonly ModuleDef[] = [
  stat,
  lineinfile,
  blockinfile,
  replace,
  getUrl,
  unarchive,
] as ModuleDef[];
