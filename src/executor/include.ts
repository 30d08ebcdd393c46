import { evaluate, truthy } from '../playbook/expr.js';
import type { Scope } from '../playbook/scope.js';
import { loadIncludedFile } from '../playbook/task-list.js';
import { isTemplate, renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import type { Vars } from '../inventory/types.js';
import { errorMessage } from '../util/errors.js';
import type { IncludeExtra } from './block.js';
import type { HostTaskReport, Slot } from './types.js';

/**
 * include_tasks / include_role on one host, on the controller (nothing is sent to the host): its
 * `when`, its `loop` (each item gives one copy of the included tasks, with `item` and the
 * include's vars), and the file, read now when its name is a template. As Ansible, each included
 * copy counts ok once ("included: FILE for HOST").
 */
export async function runInclude(
  task: Task,
  at: { order: number; extra: IncludeExtra; scope: Scope; playbookDir: string },
  report: (slot: Omit<Slot, 'kind'>, r: HostTaskReport) => void,
): Promise<Array<{ tasks: Task[]; extra: IncludeExtra }> | 'skipped' | 'failed'> {
  const inc = task.include!;
  const slot = { order: at.order, name: task.name, module: task.module };
  try {
    if (task.when !== undefined && !truthy(evaluate(task.when, at.scope))) {
      report(slot, { status: 'skipped', msg: 'conditional result was false' });
      return 'skipped';
    }
    let items: unknown[] = [undefined];
    if (task.loop !== undefined) {
      const rendered = renderValue(task.loop, at.scope);
      if (!Array.isArray(rendered)) throw new Error(`loop must be a list, got ${typeof rendered}`);
      items = task.loopFlatten ? rendered.flat(1) : rendered;
      if (!items.length) {
        report(slot, { status: 'skipped', msg: 'no items in the loop' });
        return 'skipped';
      }
    }
    const out: Array<{ tasks: Task[]; extra: IncludeExtra }> = [];
    for (const item of items) {
      const data: Vars = item === undefined ? at.extra.data : { ...at.extra.data, item };
      const s = item === undefined ? at.scope : at.scope.child({}, { item });
      const file = isTemplate(inc.file) ? String(renderValue(inc.file, s)) : inc.file;
      const tasks = inc.tasks ?? loadIncludedFile(file, task, at.playbookDir);
      const params = renderValue(inc.params, s) as Vars;
      out.push({ tasks, extra: { params: { ...at.extra.params, ...params }, data } });
      report(slot, {
        status: 'ok',
        msg: `included: ${file}${item === undefined ? '' : ` (item=${typeof item === 'string' ? item : JSON.stringify(item)})`}`,
      });
    }
    return out;
  } catch (e) {
    report(slot, { status: 'failed', msg: errorMessage(e) });
    return 'failed';
  }
}
