/** A template that cannot be rendered: a missing variable, a syntax error, a bad helper call. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  /** For a syntax error: where in the template text (1-based), when known. */
  loc?: { line: number; col: number };
}
