import { labTransport } from '../../src/lab/transport.js';
import type { LabState } from '../../src/lab/lab.js';

/** Runs a command on a lab host over real SSH (host key verified), for checking what lbprov did. */
export async function onHost(
  lab: LabState,
  name: string,
  argv: string[],
  opts: { stdin?: string; allowFail?: boolean } = {},
): Promise<{ rc: number; out: string; err: string }> {
  const h = lab.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  const t = labTransport(lab, h);
  try {
    const r = await t.exec(argv, { stdin: opts.stdin });
    const res = { rc: r.rc, out: r.stdout.toString(), err: r.stderr.toString() };
    if (r.rc !== 0 && !opts.allowFail)
      throw new Error(`${argv.join(' ')} on ${name}: rc ${r.rc}: ${res.err}${res.out}`);
    return res;
  } finally {
    t.close();
  }
}

export const sh = (lab: LabState, name: string, script: string, allowFail = false) =>
  onHost(lab, name, ['bash', '-c', script], { allowFail });
