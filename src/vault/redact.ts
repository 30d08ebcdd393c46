import type { HostStats, HostTaskReport, Reporter, Slot } from '../executor/types.js';

/**
 * Decrypted vault values count as no_log wherever they appear in output: every plaintext the
 * loader decrypts is recorded here for the run, and what is printed (reports, warnings, errors,
 * facts) passes through `redact`, which puts REDACTED in place of each one.
 */
export const REDACTED = '********';

const secrets = new Set<string>();
let ordered: Array<{ s: string; word?: RegExp }> | undefined;
/**
 * A secret shorter than this is replaced only where it stands as a word of its own: a one-letter
 * value of an encrypted vars file must not censor every "a" in the output.
 */
const SHORT = 4;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Records the strings of a decrypted value (a string, or every string inside a mapping or list). */
export function markSecret(value: unknown): void {
  if (typeof value === 'string') {
    for (const s of [value, value.trim()]) {
      if (!s.length || secrets.has(s)) continue;
      secrets.add(s);
      // the same text as it appears inside JSON (debug var=..., --json) when it holds quotes or newlines
      const json = JSON.stringify(s).slice(1, -1);
      if (json !== s) secrets.add(json);
      ordered = undefined;
    }
  } else if (Array.isArray(value)) value.forEach(markSecret);
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(markSecret);
}

/** The text with every recorded secret replaced (longest first, so a secret inside another goes too). */
export function redact(text: string): string {
  if (!secrets.size || !text) return text;
  ordered ??= [...secrets]
    .sort((a, b) => b.length - a.length)
    .map((s) => ({
      s,
      word: s.length < SHORT ? new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRe(s)}(?![\\p{L}\\p{N}_])`, 'gu') : undefined,
    }));
  let out = text;
  for (const { s, word } of ordered) {
    if (!out.includes(s)) continue;
    out = word ? out.replace(word, REDACTED) : out.split(s).join(REDACTED);
  }
  return out;
}

/** A copy of a value with `redact` applied to every string in it (keys included). */
export function redactDeep<T>(value: T): T {
  if (!secrets.size) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  }
  return value;
}

/**
 * Wraps any reporter (plain, tty, json): what reaches it is already redacted, so diffs are
 * censored before they are formatted and JSON before it is serialised.
 */
export class RedactingReporter implements Reporter {
  readonly settle?: () => Promise<void>;

  constructor(private readonly inner: Reporter) {
    if (inner.settle) this.settle = () => inner.settle!();
  }

  private slot(s: Slot): Slot {
    return { ...s, name: redact(s.name) };
  }

  playStart(name: string, hosts: string[]): void {
    this.inner.playStart(redact(name), hosts);
  }
  batchStart(hosts: string[], index?: number, total?: number): void {
    this.inner.batchStart(hosts, index, total);
  }
  taskStart(slot: Slot, host: string): void {
    this.inner.taskStart(this.slot(slot), host);
  }
  taskDone(slot: Slot, host: string, r: HostTaskReport): void {
    this.inner.taskDone(this.slot(slot), host, {
      ...r,
      msg: r.msg === undefined ? undefined : redact(r.msg),
      shown: r.shown === undefined ? undefined : redact(r.shown),
      warnings: r.warnings?.map(redact),
      diff: r.diff?.map((d) => ({ ...d, path: redact(d.path), before: redact(d.before), after: redact(d.after) })),
    });
  }
  hostDone(host: string): void {
    this.inner.hostDone(host);
  }
  warn(message: string): void {
    this.inner.warn(redact(message));
  }
  end(stats: Map<string, HostStats>, stopped?: ReadonlyMap<string, string>): void {
    this.inner.end(stats, stopped && new Map([...stopped].map(([h, why]) => [h, redact(why)])));
  }
}
