import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { ShellLib } from './types.js';

/**
 * A module's shell functions, from a .sh file of the package (read from the package root, so the
 * same file serves src/ and dist/): the executor sends them only to hosts whose tasks use the module.
 */
export const shellLib = (file: string): ShellLib => ({ file, text: readFileSync(join(packageRoot, file), 'utf8') });
