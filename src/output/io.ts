/**
 * The one place that decides about terminals (gh's iostreams): whether stdout is a TTY, whether
 * color and spinners are allowed, whether prompting is allowed. Every byte the CLI writes goes
 * through `out` (results) or `err` (everything else), and both pass through `redact`, so a
 * registered secret can never reach a terminal, a pipe or a log.
 */
import { isatty } from 'node:tty';
import { redact } from './redact.js';

export interface WritableLike {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  /** Results only. */
  out(text: string): void;
  /** Errors, warnings, progress, traces. */
  err(text: string): void;
  stdout: WritableLike;
  stderr: WritableLike;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  /** Colors on stdout/stderr: a TTY, no NO_COLOR, no --no-color. */
  color: boolean;
  /** A spinner or progress line on stderr is allowed. */
  spinnerEnabled: boolean;
  /** stdin, stdout and stderr (where prompts are drawn) are terminals and CI is not set. */
  canPrompt: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface IoOptions {
  noColor?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  stdout?: WritableLike;
  stderr?: WritableLike;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export function createIo(opts: IoOptions = {}): Io {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const env = opts.env ?? process.env;
  const isStdoutTTY = stdout.isTTY === true;
  const isStderrTTY = stderr.isTTY === true;
  const noColor = opts.noColor === true || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
  return {
    out: (text) => void stdout.write(redact(text)),
    err: (text) => void stderr.write(redact(text)),
    stdout,
    stderr,
    // Made on first use: process.stdin costs a start about 3 ms (its stream and Node's modules
    // for it), for the few commands that read it.
    get stdin() {
      return opts.stdin ?? process.stdin;
    },
    env,
    isStdoutTTY,
    isStderrTTY,
    color: !noColor && isStdoutTTY && isStderrTTY,
    // A terminal that reports no width (some ptys say 0 columns) would make ora's line count
    // infinite: no spinner there.
    spinnerEnabled: !noColor && isStderrTTY && (stderr.columns ?? 0) > 0 && !opts.quiet && !env.CI,
    canPrompt: (opts.stdin ? opts.stdin.isTTY === true : isatty(0)) && isStdoutTTY && isStderrTTY && !env.CI,
    quiet: opts.quiet === true,
    verbose: opts.verbose === true,
  };
}

/** A whole stream as text, decoded once at the end so characters split across chunks survive. */
export async function readAllText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
