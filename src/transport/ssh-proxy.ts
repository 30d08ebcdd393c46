import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';

/**
 * ProxyCommand: a local process whose stdin/stdout carry the SSH connection. The command is the
 * operator's own (ssh_config or the inventory's ssh args), with %h %p %r %n expanded already, and
 * it is run the way ssh runs it, `/bin/sh -c "exec COMMAND"` (ssh_config(5)). Its stderr is kept
 * for the error message when it fails.
 */
export function proxyCommandSocket(command: string): Duplex {
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin.on('error', () => undefined); // EPIPE when the command exits first: its exit says why
  const sock = new Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (child.stdin.writable) child.stdin.write(chunk, () => cb());
      else cb();
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    destroy(err, cb) {
      if (child.exitCode === null) child.kill('SIGTERM');
      cb(err);
    },
  });
  child.stdout.on('data', (d: Buffer) => {
    if (!sock.push(d)) child.stdout.pause();
  });
  child.stdout.on('end', () => sock.push(null));
  child.on('error', (e) => sock.destroy(new Error(`ProxyCommand ${command}: ${e.message}`)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && !sock.destroyed)
      sock.destroy(new Error(`ProxyCommand exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
  });
  return sock;
}
