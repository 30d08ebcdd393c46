/**
 * Ansible's `serial`: batch sizes as numbers or percentages of the play's hosts; a list ramps up
 * and its last size repeats until every host had its turn.
 */
export function batches<T>(hosts: readonly T[], serial: ReadonlyArray<number | string>): T[][] {
  if (!serial.length || !hosts.length) return hosts.length ? [[...hosts]] : [];
  const size = (s: number | string): number => {
    if (typeof s === 'number') return s;
    const m = /^(\d+)(%?)$/.exec(s.trim());
    if (!m) throw new Error(`serial "${s}" is neither a number nor a percentage`);
    return m[2] ? Math.max(1, Math.floor((hosts.length * Number(m[1])) / 100)) : Number(m[1]);
  };
  const out: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const n = Math.max(1, size(serial[Math.min(k, serial.length - 1)]));
    out.push(hosts.slice(i, i + n));
    i += n;
    k++;
  }
  return out;
}
