import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import { loadInventorySources, type SourceOptions } from '../inventory/sources.js';

/** -i files, or inventory/local.yml of the working directory, or the implicit localhost. */
export function inventoryFrom(files: readonly string[] | undefined, opts: SourceOptions = {}): Inventory {
  if (files?.length) {
    // files, directories, executable scripts, INI or 'h1,h2,' host lists (src/inventory/sources.ts)
    return loadInventorySources(
      files.map((f) => (existsSync(f) ? resolve(f) : f)),
      opts,
    );
  }
  const local = resolve('inventory/local.yml');
  if (existsSync(local)) return loadInventory([local]);
  return {
    hosts: new Map([['localhost', { name: 'localhost', vars: { ansible_connection: 'local' }, groups: [] }]]),
    groups: new Map([
      ['all', ['localhost']],
      ['ungrouped', ['localhost']],
    ]),
    files: [],
  };
}
