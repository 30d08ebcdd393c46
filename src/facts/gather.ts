import type { Transport } from '../transport/types.js';
import type { Facts } from './types.js';
import { FACTS_SCRIPT, parseFacts } from './sources.js';

/** The facts as a read: `lbprov_facts` is a function of the remote shell's prelude (remote-script.ts). */
export const FACTS_READ_ARGV = ['lbprov_facts'];

/** Gathers every fact in one one-off command (`lbprov facts`; a run gathers them with its read-ahead). */
export async function gatherFacts(t: Transport, becomeUser: string | undefined, timeoutMs: number): Promise<Facts> {
  const r = await t.exec(['sh', '-s'], { stdin: FACTS_SCRIPT, becomeUser, timeoutMs });
  if (r.rc !== 0 && !r.stdout.length) throw new Error(`fact gathering failed (rc ${r.rc}): ${r.stderr.toString().trim()}`);
  return parseFacts(r.stdout.toString());
}
