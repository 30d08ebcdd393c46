import type { LabState } from '../../src/lab/lab.js';
import { onHost } from './remote.js';

/** What wrk saw: requests per second, socket errors by kind, non-2xx/3xx answers. */
export interface WrkResult {
  requests: number;
  rps: number;
  errors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  raw: string;
}

export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN);
  if (Number.isNaN(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  const e = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: num(/(\d+) requests in/),
    rps,
    errors: {
      connect: Number(e?.[1] ?? 0),
      read: Number(e?.[2] ?? 0),
      write: Number(e?.[3] ?? 0),
      timeout: Number(e?.[4] ?? 0),
    },
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    raw: out,
  };
}

export const socketErrors = (w: WrkResult): number =>
  w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout;

/**
 * wrk on a lab host against its own listener (loopback), every request on a new connection (as the
 * issue measured: `wrk -t1 -c32 -H "Connection: close"`), for `seconds`. While it runs, `during`
 * (a rollout) starts after `delayMs`; its duration is returned so a caller can check that it fell
 * inside wrk's window.
 */
export async function loadDuring<T>(
  lab: LabState,
  host: string,
  port: number,
  seconds: number,
  during?: () => Promise<T>,
  delayMs = 1000,
): Promise<{ wrk: WrkResult; result?: T; ms: number; startMs: number }> {
  const t0 = performance.now();
  const wrk = onHost(lab, host, [
    'wrk',
    '-t1',
    '-c32',
    `-d${seconds}s`,
    '-H',
    'Connection: close',
    `http://127.0.0.1:${port}/`,
  ]);
  let result: T | undefined;
  let ms = 0;
  let startMs = 0;
  if (during) {
    await new Promise((r) => setTimeout(r, delayMs));
    startMs = performance.now() - t0;
    const t1 = performance.now();
    result = await during();
    ms = performance.now() - t1;
  }
  return { wrk: parseWrk((await wrk).out), result, ms, startMs };
}

/** The listener's status file (/run/lb-listener/status, key=value lines). */
export async function listenerStatus(lab: LabState, host: string): Promise<Record<string, string>> {
  const out = (await onHost(lab, host, ['cat', '/run/lb-listener/status'])).out;
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** The program pinned at PIN, as bpftool shows it. */
export async function pinnedProgram(
  lab: LabState,
  host: string,
  pin = '/sys/fs/bpf/lb_hash',
): Promise<{ id: number; tag: string }> {
  return JSON.parse((await onHost(lab, host, ['bpftool', '-j', 'prog', 'show', 'pinned', pin])).out) as {
    id: number;
    tag: string;
  };
}
