import { evaluate, truthy } from '../playbook/expr.js';
import type { Scope } from '../playbook/scope.js';
import { loadIncludedFile } from '../playbook/task-list.js';
import { isTemplate, renderValue } from '../playbook/template.js';
import type { Task } from '../playbook/types.js';
import type { Vars } from '../inventory/types.js';
import { errorMessage } from '../util/errors.js';
import type { IncludeExtra } from './block.js';
import type { HostTaskReport, Slot } from './types.js';
import { itemLabel, itemVars, loopSetup } from './loop.js';

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
    // one copy of the included tasks per loop item, with the loop's variables (loop.ts)
    const runs: Array<{ vars?: Vars; scope: Scope; label?: string }> = [];
    if (task.loop === undefined) runs.push({ scope: at.scope });
    else {
      const setup = loopSetup(task, at.scope, [at.playbookDir]);
      if (!setup.items.length) {
        report(slot, { status: 'skipped', msg: 'No items in the list' });
        return 'skipped';
      }
      setup.items.forEach((_, i) => {
        const vars = itemVars(setup, i);
        const scope = at.scope.child({}, vars);
        runs.push({ vars, scope, label: itemLabel(setup, i, scope) });
      });
    }
    const out: Array<{ tasks: Task[]; extra: IncludeExtra }> = [];
    for (const run of runs) {
      const data: Vars = run.vars ? { ...at.extra.data, ...run.vars } : at.extra.data;
      const s = run.scope;
      const file = isTemplate(inc.file) ? String(renderValue(inc.file, s)) : inc.file;
      const tasks = inc.tasks ?? loadIncludedFile(file, task, at.playbookDir);
      const params = renderValue(inc.params, s) as Vars;
      out.push({ tasks, extra: { params: { ...at.extra.params, ...params }, data } });
      report(slot, {
        status: 'ok',
        msg: `included: ${file}${run.label === undefined ? '' : ` (item=${run.label})`}`,
        ...(run.label === undefined ? {} : { items: [{ status: 'ok', label: run.label }] }),
      });
    }
    return out;
  } catch (e) {
    report(slot, { status: 'failed', msg: errorMessage(e) });
    return 'failed';
  }
}
