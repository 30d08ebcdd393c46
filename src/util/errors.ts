/** A place in a source file, 1-based, as editors show it. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export function formatPos(pos: Pos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : '';
}

/** One problem in the user's input (CLI, inventory, playbook, template, vars). */
export interface InputProblem {
  pos?: Pos;
  message: string;
}

/** At most this many problems are listed; a file with 100,000 broken lines gets a count of the rest. */
export const MAX_PROBLEMS = 200;
const MORE = /^\.\.\. and (\d+) more problems$/;

/** Invalid input found before any host was contacted: exit code 5, every problem listed at once. */
export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[] | string, pos?: Pos) {
    let list = typeof problems === 'string' ? [{ pos, message: problems }] : problems;
    // errors merged from others may carry a count of problems they left out already
    const hidden = list.reduce((n, p) => n + Number(MORE.exec(p.message)?.[1] ?? 0), 0);
    const real = list.filter((p) => !MORE.test(p.message));
    if (real.length > MAX_PROBLEMS || hidden) {
      list = [
        ...real.slice(0, MAX_PROBLEMS),
        { message: `... and ${hidden + Math.max(0, real.length - MAX_PROBLEMS)} more problems` },
      ];
    }
    super(list.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = list;
  }
}

export function formatProblem(p: InputProblem): string {
  return p.pos ? `${formatPos(p.pos)}: ${p.message}` : p.message;
}

/** Collects problems so that all of them are reported in one go. */
export class Problems {
  readonly list: InputProblem[] = [];
  /** Not errors: printed as [WARNING] lines, the run goes on (a `when` wrapped in {{ }}). */
  readonly warnings: InputProblem[] = [];
  add(message: string, pos?: Pos): void {
    this.list.push({ pos, message });
  }
  warn(message: string, pos?: Pos): void {
    this.warnings.push({ pos, message });
  }
  /** Runs fn, turning an InputError it throws into collected problems. */
  collect<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InputError) {
        this.list.push(...e.problems);
        return undefined;
      }
      throw e;
    }
  }
  throwIfAny(): void {
    if (this.list.length) throw new InputError(this.list);
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An input error as the one JSON document `--json` prints: `{"errors":[{"file","line","col","message"}]}`. */
export function inputErrorJson(e: InputError): string {
  return JSON.stringify({ errors: e.problems.map((p) => ({ ...(p.pos ?? {}), message: p.message })) });
}
