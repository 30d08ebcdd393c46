import type { Transport } from '../transport/types.js';
import { RemoteShell } from '../transport/remote-shell.js';
import { parseAnswers } from '../executor/remote-script.js';
import type { Facts } from './types.js';
import { FACTS_SCRIPT, parseFacts } from './sources.js';

/** The facts as a read of the remote shell: `lbprov_facts` is a function of its prelude. */
export const FACTS_READ_ARGV = ['lbprov_facts'];
const FACTS_READ = 'lbprov_read 0 lbprov_facts\nlbprov_answer\n';

/** Gathers every fact in one round trip (through the host's remote shell, or a one-off command). */
export async function gatherFacts(t: Transport | RemoteShell, becomeUser: string | undefined, timeoutMs: number): Promise<Facts> {
  if (t instanceof RemoteShell) {
    const r = await t.run(FACTS_READ, timeoutMs);
    const a = parseAnswers(r.stdout).get(0);
    if (!a) throw new Error(`fact gathering failed (rc ${r.rc}): ${r.stderr.toString().trim()}`);
    return parseFacts(a.stdout.toString());
  }
  const r = await t.exec(['sh', '-s'], { stdin: FACTS_SCRIPT, becomeUser, timeoutMs });
  if (r.rc !== 0 && !r.stdout.length) throw new Error(`fact gathering failed (rc ${r.rc}): ${r.stderr.toString().trim()}`);
  return parseFacts(r.stdout.toString());
}
