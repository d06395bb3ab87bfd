/**
 * Typed errors. Commands throw these; only cli.ts prints them and decides the exit code.
 *
 * Exit codes (README.md, Exit codes):
 *   0 done · 1 provider refused / network failed · 2 usage, validation or config (nothing sent)
 *   3 bulk finished with failed/unknown rows · 4 authentication refused
 *   130 / 143 / 129 interrupted by SIGINT / SIGTERM / SIGHUP (130 also: cancelled at a prompt) · 141 stdout closed by the reader
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  auth: 4,
  interrupted: 130,
  terminated: 143,
  hangup: 129,
  closedPipe: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** Machine-readable code, e.g. USAGE, CONFIG, VALIDATION, CHANNEL_DISCONNECTED. */
  code?: string;
  exitCode?: ExitCode;
  /** One line telling the user how to fix it. */
  hint?: string;
  cause?: unknown;
}

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  /** Not readonly: the app names the profile in it (`interflow profiles show --profile NAME`). */
  hint?: string;

  constructor(message: string, opts: CliErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code ?? 'ERROR';
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.hint = opts.hint;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** What a failure under --json prints beside `error`, per error (a send's provider, profile, to, type). */
const failureContext = new WeakMap<object, Record<string, unknown>>();

/** Attaches what the command was doing to an error, for its --json form; returns the error. */
export function withFailureContext(err: unknown, context: Record<string, unknown>): unknown {
  if (err !== null && typeof err === 'object') failureContext.set(err, context);
  return err;
}

/** A failure as --json prints it on stdout: `{"ok":false,…,"error":{"code","message",…}}`. */
export function failureJson(err: unknown): Record<string, unknown> {
  const context = err !== null && typeof err === 'object' ? failureContext.get(err) : undefined;
  const error = err instanceof CliError ? err.toJSON() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  return { ok: false, ...context, error };
}

/** Bad flags or arguments. Exit 2, nothing sent. */
export class UsageError extends CliError {
  constructor(message: string, opts: Omit<CliErrorOptions, 'exitCode'> = {}) {
    super(message, { code: 'USAGE', ...opts, exitCode: ExitCode.usage });
  }
}

/** A message that cannot be built or is not supported by the provider. Exit 2, nothing sent. */
export class ValidationError extends CliError {
  constructor(message: string, opts: Omit<CliErrorOptions, 'exitCode'> = {}) {
    super(message, { code: 'VALIDATION', ...opts, exitCode: ExitCode.usage });
  }
}

/** Configuration file or profile problem. Exit 2. Message names file, profile and field. */
export class ConfigError extends CliError {
  constructor(message: string, opts: Omit<CliErrorOptions, 'exitCode'> = {}) {
    super(message, { code: 'CONFIG', ...opts, exitCode: ExitCode.usage });
  }
}

/** The error part of a provider's refusal, normalized across providers. */
export interface ProviderErrorInfo {
  /** HTTP status. */
  status: number;
  /** Provider code as a string: 'CHANNEL_DISCONNECTED', '131047', '1008', … */
  code: string;
  message: string;
  /** Field-level details (Interflow VALIDATION_ERROR details, Turn errors[] beyond the first…). */
  details?: unknown;
}

/**
 * The person said No (or chose cancel) at a prompt. Not an error: printed as a plain line, no
 * `error:`. Exit 130, as Ctrl-C at a prompt and compose's cancel.
 */
export class CancelledError extends CliError {
  constructor(message: string) {
    super(message, { code: 'CANCELLED', exitCode: ExitCode.interrupted });
  }
}

/** The provider answered with an error. Exit 1, or 4 for 401/403. */
export class ProviderError extends CliError {
  readonly info: ProviderErrorInfo;
  readonly provider: string;
  /** The parsed response body, when there was one. */
  readonly response?: unknown;

  /** `exitCode`: what the code says over the status (Meta's 368 comes with 403 but is no refused key: src/providers/error-classes.ts). */
  constructor(provider: string, info: ProviderErrorInfo, opts: { hint?: string; response?: unknown; exitCode?: ExitCode } = {}) {
    const auth = info.status === 401 || info.status === 403;
    const what = info.status >= 200 && info.status < 300 ? 'gave an answer that could not be read' : 'refused the request';
    super(`${provider} ${what} (${info.status}${info.code ? ' ' + info.code : ''}): ${info.message}`, {
      code: info.code || `HTTP_${info.status}`,
      exitCode: opts.exitCode ?? (auth ? ExitCode.auth : ExitCode.failure),
      hint: opts.hint,
    });
    this.info = info;
    this.provider = provider;
    this.response = opts.response;
  }

  override toJSON(): Record<string, unknown> {
    return {
      status: this.info.status,
      code: this.info.code,
      message: this.info.message,
      ...(this.info.details === undefined ? {} : { details: this.info.details }),
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

/**
 * The network failed. `phase` tells whether the provider may have received the request:
 * 'connect' (surely not: refused, DNS, connect timeout) or 'response' (maybe: reset or timeout
 * after the request was written). Exit 1.
 */
export class NetworkError extends CliError {
  readonly phase: 'connect' | 'response';
  constructor(message: string, phase: 'connect' | 'response', opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { code: phase === 'connect' ? 'CONNECT_FAILED' : 'NO_RESPONSE', exitCode: ExitCode.failure, ...opts });
    this.phase = phase;
  }
}

/** Ctrl-C (exit 130), or another signal or a closed stdout with its own code. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted', opts: { exitCode?: ExitCode; hint?: string } = {}) {
    super(message, { code: 'INTERRUPTED', exitCode: opts.exitCode ?? ExitCode.interrupted, hint: opts.hint });
  }
}

/** Why a file could not be read, in the words every command uses. */
export function fileProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'ENOENT'
    ? 'no such file'
    : e.code === 'EISDIR'
      ? 'is a directory'
      : e.code === 'EACCES'
        ? 'permission denied'
        : (e.message ?? String(err));
}
