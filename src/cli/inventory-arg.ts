import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/types.js';
import { InputError } from '../util/errors.js';

/** -i files, or inventory/local.yml of the working directory, or the implicit localhost. */
export function inventoryFrom(files: readonly string[] | undefined): Inventory {
  if (files?.length) {
    for (const f of files) if (!existsSync(f)) throw new InputError(`inventory ${f}: no such file`);
    return loadInventory(files.map((f) => resolve(f)));
  }
  const local = resolve('inventory/local.yml');
  if (existsSync(local)) return loadInventory([local]);
  return {
    hosts: new Map([['localhost', { name: 'localhost', vars: { ansible_connection: 'local' }, groups: [] }]]),
    groups: new Map([['all', ['localhost']], ['ungrouped', ['localhost']]]),
    files: [],
  };
}
