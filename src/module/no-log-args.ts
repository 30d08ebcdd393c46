import type { TObject } from '@sinclair/typebox';

/** What Ansible shows for an argument declared no_log (a password), in -v output. */
export const NO_LOG_VALUE = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER';

/**
 * Arguments declared `noLog: true` in a module's schema (user's `password`), as Ansible's
 * `no_log=True` argument_spec: the task's own `no_log` is not needed to keep them out of -v output.
 */
export const secretArgs = (schema: TObject, args: unknown): string[] =>
  args && typeof args === 'object'
    ? Object.keys(args).filter((k) => (schema.properties[k] as { noLog?: boolean } | undefined)?.noLog === true)
    : [];

/** The arguments with each secret one's value replaced, for showing. */
export function censorArgs(schema: TObject, args: unknown): unknown {
  const secret = secretArgs(schema, args);
  if (!secret.length) return args;
  return { ...(args as Record<string, unknown>), ...Object.fromEntries(secret.map((k) => [k, NO_LOG_VALUE])) };
}
