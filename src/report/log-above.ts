import { ProcessOutput } from 'listr2';

// log-update (listr2's default renderer) begins every frame but the first by erasing the previous
// one: `ESC[2K` (ESC[1A ESC[2K)... then `ESC[G`, the cursor left where that frame began
// eslint-disable-next-line no-control-regex -- the escapes are what is matched
const ERASE = /^(?:\x1b\[2K(?:\x1b\[1A)?)*\x1b\[G/;

/**
 * listr2's process output for a live view with a log above it. While listr2 draws, it holds every
 * write to stdout until the end; text given to `log` is instead written with the next frame, after
 * the erasing of the previous frame and before the new one: it lands on the lines where the view
 * was, the view is drawn again under it, and log-update, which counts only its own lines, erases
 * only the view the next time. So the log streams above the view as it comes.
 */
export class LogAbove extends ProcessOutput {
  private pending = '';

  constructor() {
    super(process.stdout, process.stderr);
  }

  /** Text (whole lines) to print above the view with its next frame. */
  log(text: string): void {
    this.pending += text;
  }

  /** The text no frame has carried yet (the view is over): the caller prints it. */
  take(): string {
    const t = this.pending;
    this.pending = '';
    return t;
  }

  // the stream log-update draws on (DefaultRenderer takes it once, when it starts rendering)
  override get stdout(): NodeJS.WriteStream {
    const base = super.stdout;
    const write = (chunk: unknown, ...rest: unknown[]): boolean => {
      if (typeof chunk === 'string' && this.pending) {
        const at = ERASE.exec(chunk)?.[0].length ?? 0;
        chunk = chunk.slice(0, at) + this.take() + chunk.slice(at);
      }
      return (base.write as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
    return Object.assign({}, base, { write });
  }
}
