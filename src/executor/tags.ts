/**
 * Ansible's tag selection: with --tags, a task runs when it has a selected tag (or `always`);
 * `never` tasks run only when selected by name; --skip-tags wins over both.
 */
export function selectedByTags(taskTags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  if (skip.some((t) => taskTags.includes(t) || (t === 'tagged' && taskTags.length > 0))) return false;
  if (!only.length || only.includes('all'))
    return !taskTags.includes('never') || only.some((t) => taskTags.includes(t));
  if (taskTags.includes('always')) return true;
  if (only.includes('tagged') && taskTags.length > 0) return true;
  if (only.includes('untagged') && taskTags.length === 0) return true;
  return only.some((t) => taskTags.includes(t));
}
