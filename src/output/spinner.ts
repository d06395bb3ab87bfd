/**
 * An ora spinner on stderr, only where io.spinnerEnabled says so (stderr a TTY, no NO_COLOR,
 * not --quiet, not CI). ora is imported only then.
 */
import type { Io } from './io.js';

export interface Spinner {
  succeed(text: string): void;
  stop(): void;
}

export async function startSpinner(io: Io, text: string): Promise<Spinner> {
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: io.stderr as NodeJS.WritableStream, discardStdin: false }).start();
  return {
    succeed: (t) => void spinner.succeed(t),
    stop: () => void (spinner.isSpinning && spinner.stop()),
  };
}
