/** POSIX shell quoting: the value comes out as one word, whatever it holds. */
export function shq(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line, every word quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}
