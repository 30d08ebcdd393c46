import type { Vars } from '../inventory/types.js';
import { renderValue, TemplateError } from './template.js';

/**
 * The variables a task sees, resolved lazily as Ansible does: a var's templates are rendered the
 * first time something uses it, against the same scope, so vars may refer to vars in any order and
 * an unused broken var is no error. `data` (facts, registered results, magic vars, loop items) is
 * never rendered: text that came from a host stays text.
 */
export class Scope {
  private readonly cache = new Map<string, unknown>();
  private readonly resolving = new Set<string>();
  /** The scope as a plain-looking object for Handlebars and the expression evaluator. */
  readonly view: Record<string, unknown>;

  constructor(
    private readonly templated: Vars,
    private readonly data: Vars,
    private readonly parent?: Scope,
  ) {
    const has = (k: string | symbol): boolean => typeof k === 'string' && this.has(k);
    this.view = new Proxy(
      {},
      {
        has: (_t, k) => has(k),
        get: (_t, k) => (k === Symbol.toPrimitive ? () => '[variables]' : has(k) ? this.get(k as string) : undefined),
        getOwnPropertyDescriptor: (_t, k) =>
          has(k) ? { value: this.get(k as string), configurable: true, enumerable: true, writable: false } : undefined,
        ownKeys: () => [...this.keys()],
      },
    );
  }

  /** A scope for one task or loop item: its own vars on top of this one. */
  child(templated: Vars, data: Vars = {}): Scope {
    return new Scope(templated, data, this);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.data, name) || Object.hasOwn(this.templated, name) || (this.parent?.has(name) ?? false);
  }

  keys(): Set<string> {
    const out = new Set(this.parent?.keys() ?? []);
    for (const k of Object.keys(this.templated)) out.add(k);
    for (const k of Object.keys(this.data)) out.add(k);
    return out;
  }

  get(name: string): unknown {
    if (Object.hasOwn(this.data, name)) return this.data[name];
    if (!Object.hasOwn(this.templated, name)) {
      if (this.parent) return this.parent.get(name);
      throw new TemplateError(`undefined variable "${name}"`);
    }
    if (this.cache.has(name)) return this.cache.get(name);
    if (this.resolving.has(name))
      throw new TemplateError(`variable "${name}" refers to itself (${[...this.resolving].join(' -> ')} -> ${name})`);
    this.resolving.add(name);
    try {
      const value = renderValue(this.templated[name], this);
      this.cache.set(name, value);
      return value;
    } catch (e) {
      if (e instanceof TemplateError && !e.message.includes('in var '))
        throw new TemplateError(`${e.message} in var "${name}"`);
      throw e;
    } finally {
      this.resolving.delete(name);
    }
  }
}
