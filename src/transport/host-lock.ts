import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** One run per host at a time: what the first remote shell of a run on a host takes. */
export interface HostLock {
  /** Seconds a second run waits for the lock before it fails the host. */
  timeoutS: number;
  runId: string;
  controller: string;
  since: string;
}

export const LOCK_FILE = '/run/lock/lbprov.lock';
export const DEFAULT_LOCK_TIMEOUT_S = 60;

/** This run's identity, the same for every host (what a second run's message names). */
export function runLock(timeoutS = DEFAULT_LOCK_TIMEOUT_S): HostLock {
  return {
    timeoutS,
    runId: randomBytes(4).toString('hex'),
    // only characters that need no quoting: these go into the agent's fixed text
    controller: hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown',
    since: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/**
 * The agent's first lines when it holds the lock: flock on LOCK_FILE for the agent's whole life
 * (fd 9; the kernel drops it when the agent dies, however it dies), the holder written beside it.
 * A second run waits up to timeoutS, then the agent exits 6 with the holder on stderr. Values are
 * a number and [A-Za-z0-9._:-] strings checked here, never a user's text.
 */
export function lockPrologue(l: HostLock): string {
  const safe = /^[A-Za-z0-9._:-]+$/;
  for (const v of [l.runId, l.controller, l.since])
    if (!safe.test(v)) throw new Error(`host lock: unexpected characters in ${JSON.stringify(v)}`);
  if (!Number.isFinite(l.timeoutS) || l.timeoutS < 0)
    throw new Error(`lbprov_lock_timeout: expected seconds >= 0, got ${l.timeoutS}`);
  return [
    `lk=${LOCK_FILE}`,
    // a host without systemd may have no /run/lock (a fresh /run): make it as systemd-tmpfiles would
    '# shellcheck disable=SC2174 # /run is there: -m applies to /run/lock, the one directory made',
    '{ [ -d "${lk%/*}" ] || mkdir -p -m 1777 -- "${lk%/*}"; [ -e "$lk" ] || { (umask 022; : >> "$lk"); }; exec 9<"$lk"; } 2>/dev/null || { echo "cannot open the host lock $lk" >&2; exit 5; }',
    `me='run ${l.runId} from ${l.controller} since ${l.since}'`,
    // held by this very run (the host under a second inventory name): go on; else wait
    'if flock -n 9; then got=1; elif grep -qxF -- "$me" "$lk.owner" 2>/dev/null; then got=0; else got=1; fi',
    `if [ $got = 1 ] && ! flock -w ${l.timeoutS} 9; then echo "locked by $(cat "$lk.owner" 2>/dev/null || echo 'another run')" >&2; exit 6; fi`,
    // written in place: a temp file beside it would stay behind when the run is killed right then
    `[ $got = 0 ] || printf '%s\\n' "$me" > "$lk.owner" 2>/dev/null`,
  ].join('\n');
}
