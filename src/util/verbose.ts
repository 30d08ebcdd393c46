/**
 * -v to -vvvv: what each level adds goes to stderr (so --json's stdout stays one document).
 *   1 (-v)    each task's arguments after templating (no_log tasks: hidden), the config file used
 *   2 (-vv)   where every setting came from; each host's connection (address, port, user, key, become)
 *   3 (-vvv)  every script sent to a host, and the command that starts its remote shell
 *   4 (-vvvv) the remote shell's life: channel open and close, round-trip times and sizes, its stderr
 * Secrets are never printed: the become password goes to sudo on stdin and is in no script.
 */
export const verbosity = { level: 0 };

export function vlog(level: number, text: string): void {
  if (verbosity.level >= level) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
