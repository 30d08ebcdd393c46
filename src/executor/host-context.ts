import type { Facts } from '../facts/types.js';
import type { Host, Vars } from '../inventory/types.js';
import type { Transport } from '../transport/types.js';

/** What lbprov holds for one host across the whole run: its connection, facts and registered results. */
export interface HostContext {
  host: Host;
  /** Opened on first use, then reused by every task of every play. */
  transport?: Transport;
  facts?: Facts;
  registered: Vars;
  /** Set once the host failed or was unreachable: later plays leave it out. */
  out?: 'failed' | 'unreachable';
}
