import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The lbprov package root (where package.json, templates/, bpf/ and playbooks/ live), from src or dist. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('lbprov: cannot find the package root');
    dir = up;
  }
  return dir;
})();
