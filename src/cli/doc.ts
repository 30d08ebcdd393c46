import { ALL_MODULES, MODULES } from '../../modules/index.js';
import { InputError } from '../util/errors.js';
import { listJson, listText, markdownTable, moduleJson, moduleText } from '../doc/render.js';

export interface DocFlags {
  list?: boolean;
  json?: boolean;
  markdown?: boolean;
}

/** `lbprov doc`: a module's documentation (any of its names), the list of modules, or the README table. */
export function docCommand(module: string | undefined, flags: DocFlags): number {
  const out = (s: string): void => void process.stdout.write(s);
  if (flags.markdown) {
    out(markdownTable(ALL_MODULES));
    return 0;
  }
  if (flags.list || module === undefined) {
    if (!flags.list) throw new InputError('lbprov doc: name a module, or give --list');
    out(flags.json ? `${JSON.stringify(listJson(ALL_MODULES), null, 2)}\n` : listText(ALL_MODULES));
    return 0;
  }
  const def = MODULES.get(module);
  if (!def)
    throw new InputError(
      `lbprov doc: unknown module "${module}" (modules: ${ALL_MODULES.map((m) => m.name).join(', ')}; lbprov doc --list)`,
    );
  out(flags.json ? `${JSON.stringify(moduleJson(def), null, 2)}\n` : moduleText(def));
  return 0;
}
