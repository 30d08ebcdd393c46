import type { Read, Seen } from '../module/types.js';
import type { Facts } from './types.js';
import { parseFacts } from './sources.js';

/**
 * The facts as a read: `lbprov_facts` is a function of every remote shell's prelude
 * (src/executor/prelude.ts). Apply reads it with the tasks' reads; `lbprov facts` reads it alone;
 * both through the remote shell and factsFrom().
 */
export const FACTS_READ: Read = { kind: 'exec', argv: ['lbprov_facts'] };

/** What the facts read answered, parsed. */
export function factsFrom(seen: Seen): Facts {
  if (seen.rc !== 0) throw new Error(`fact gathering failed (rc ${seen.rc}): ${seen.stderr.trim()}`);
  return parseFacts(seen.stdout.toString());
}
