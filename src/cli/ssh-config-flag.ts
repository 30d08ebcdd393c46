import { existsSync, statSync } from 'node:fs';
import { InputError } from '../util/errors.js';

/** --ssh-config FILE must name a readable file (or be `none`): a typo is bad input (exit 5), found before any host is contacted. */
export function checkSshConfigFlag(file: string | undefined): void {
  if (file === undefined || file.toLowerCase() === 'none') return;
  if (!existsSync(file)) throw new InputError(`--ssh-config ${file}: no such file`);
  if (!statSync(file).isFile()) throw new InputError(`--ssh-config ${file}: not a file`);
}
