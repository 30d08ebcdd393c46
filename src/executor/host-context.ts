import type { Facts } from '../facts/types.js';
import type { Host, Vars } from '../inventory/types.js';
import type { Transport } from '../transport/types.js';
import { RemoteShell } from '../transport/remote-shell.js';
import type { CheckOverlay } from './check-overlay.js';
import type { BecomeSpec } from '../transport/become.js';
import type { HostLock } from '../transport/host-lock.js';
import type { ShellLib } from '../module/types.js';
import { preludeText } from './prelude.js';

/** What lbprov holds for one host across the whole run: its connection, facts and registered results. */
export interface HostContext {
  host: Host;
  /** Opened on first use, then reused by every task of every play. */
  transport?: Transport;
  facts?: Facts;
  /** Facts modules returned in their results' `ansible_facts` (module-facts.ts). */
  moduleFacts?: Vars;
  registered: Vars;
  /** set_fact's cacheable vars: also under ansible_facts, until `meta: clear_facts`. */
  cachedFacts?: Vars;
  /** Set once the host failed or was unreachable: later plays leave it out. */
  out?: 'failed' | 'unreachable';
  /** In check mode: the files earlier tasks would have written (check-overlay.ts). */
  checkOverlay?: CheckOverlay;
  /** The remote shells (one per become user) that run every script of the run. */
  shells?: Map<string, RemoteShell>;
  /** One run per host: the first remote shell on the host takes this lock (not on connection: local). */
  lock?: HostLock;
  /** The modules' shell functions the host's remote shells load (those of the modules its plays use). */
  libs?: ShellLib[];
}

/** The host's remote shell for a become user (and method and flags), started on first use. */
export function shellFor(hc: HostContext, t: Transport, become: BecomeSpec | undefined): RemoteShell {
  hc.shells ??= new Map();
  const key = become ? JSON.stringify([become.method, become.user, become.flags ?? null]) : '';
  let s = hc.shells.get(key);
  if (!s) {
    s = new RemoteShell(
      t,
      preludeText(hc.libs ?? []),
      become,
      `${hc.host.name}${become ? ` ${become.method}:${become.user}` : ''}`,
      hc.shells.size === 0 && t.kind !== 'local' ? hc.lock : undefined,
    );
    hc.shells.set(key, s);
  }
  return s;
}
