import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { preludeText } from '../src/executor/prelude.js';
import { agent, withoutJobNotices } from '../src/transport/remote-shell.js';

/**
 * The remote shell's own stderr is what lbprov shows when a host goes away. With job control on
 * (`set -m`), bash writes a notice there for every finished job; those are not reasons.
 */
test("the agent's job notices are left out of its stderr, its own messages kept", async () => {
  const child = spawn('bash', ['-c', agent(preludeText([]))], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const answered = (id: number): Promise<void> =>
    new Promise((resolve) => {
      const on = (d: Buffer): void => {
        out += d.toString();
        if (out.includes(`@@LBPROV ${id} `)) {
          child.stdout.off('data', on);
          resolve();
        }
      };
      child.stdout.on('data', on);
    });
  for (let id = 1; id <= 3; id++) {
    const body = 'true\n';
    const done = answered(id);
    child.stdin.write(`RUN ${id} ${body.length}\n${body}`);
    await done;
  }
  child.stdin.end('EXIT\n');
  await new Promise((r) => child.on('close', r));
  assert.match(err, /^\[\d+\][+-]? +Done/m, 'bash reported finished jobs');
  assert.is(withoutJobNotices(err).trim(), '');
  const mixed = `[2]+  Done                    lbprov_next\nlocked by run 12 from ctl since 2026\n[3]-  Exit 1   ( eval "$s" )\n`;
  assert.is(withoutJobNotices(mixed), 'locked by run 12 from ctl since 2026\n');
});

test.run();
