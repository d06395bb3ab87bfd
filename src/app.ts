/**
 * The app: everything that does work, loaded by the shell (src/cli.ts) only when a command runs,
 * one bundle per command family (src/entries/<family>.ts), so a start reads and compiles only what
 * that family uses. It turns the shell's invocation into a context (io, global flags, profile loader), runs the
 * command's implementation, and is the one place that prints errors and sets the exit code.
 * Commands never call process.exit().
 */
import type { CommandKey } from './app-keys.js';
import type { CommandContext, GlobalOptions, RunFn } from './commands/context.js';
import type { FieldSelection, Invocation } from './commands/lazy.js';
import { CancelledError, CliError, ExitCode, failureJson, UsageError } from './errors.js';
import { printJson } from './output/format.js';
import { createIo, type Io } from './output/io.js';
import { plainText } from './output/sanitize.js';
import { setRuntimeHooks } from './runtime.js';
import { style } from './output/style.js';

/** The longest timer Node keeps (2^31-1 ms): a longer one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** A family's implementations, by command key (see src/entries/). */
export type Implementations = Partial<Record<CommandKey, () => Promise<RunFn>>>;

function globalsOf(o: Record<string, unknown>, selection?: FieldSelection): GlobalOptions {
  if (selection && 'error' in selection) throw new UsageError(selection.error);
  let timeout: number | undefined;
  if (o.timeout !== undefined) {
    timeout = Number(o.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS) {
      throw new UsageError(
        `--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (about 24.8 days), got '${String(o.timeout)}'`,
      );
    }
  }
  return {
    profile: o.profile as string | undefined,
    config: o.config as string | undefined,
    json: o.json === true,
    fields: selection?.fields,
    dryRun: o.dryRun === true,
    verbose: o.verbose === true,
    quiet: o.quiet === true,
    color: o.color !== false,
    timeout,
    templates: typeof o.templates === 'string' || o.templates === false ? o.templates : undefined,
  };
}

/**
 * Prints an error. Its message and hint may quote a provider's answer or a file: they are printed
 * as plain text (no escape sequence or control character from outside reaches the terminal).
 */
export function reportError(io: Io, err: unknown, verbose: boolean): ExitCode {
  if (err instanceof CancelledError) {
    io.err(`${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof CliError) {
    io.err(`${style(io.color).red('error')}: ${plainText(err.message, { multiline: true })}\n`);
    if (err.hint) io.err(`hint: ${plainText(err.hint, { multiline: true })}\n`);
    if (verbose && err.cause instanceof Error) io.err(`${err.cause.stack ?? err.cause.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.err(`error: ${plainText(e?.message ?? String(err), { multiline: true })}\n`);
  if (verbose) io.err(`${e?.stack ?? ''}\n`);
  else io.err('hint: run again with --verbose for details\n');
  return ExitCode.failure;
}

/** Runs one command. Never throws: errors are printed and become process.exitCode. */
export async function runWith(implementations: Implementations, invocation: Invocation): Promise<void> {
  if (invocation.hooks) setRuntimeHooks(invocation.hooks);
  const raw = invocation.globals;
  let io = createIo({ noColor: raw.color === false, quiet: raw.quiet === true, verbose: raw.verbose === true });
  let profileName: string | undefined;
  try {
    const globals = globalsOf(raw, invocation.selection);
    io = createIo({ noColor: !globals.color, quiet: globals.quiet, verbose: globals.verbose });
    let profile: Awaited<ReturnType<CommandContext['loadProfile']>> | undefined;
    const ctx: CommandContext = {
      io,
      globals,
      loadProfile: async () => {
        if (!profile) {
          const { loadProfileFor } = await import('./config/context.js');
          profile = await loadProfileFor(globals, io);
          profileName = profile.name;
        }
        return profile;
      },
    };
    const load = implementations[invocation.key];
    if (!load) throw new Error(`no implementation for '${invocation.key}' in this bundle`);
    const impl = await load();
    await impl(ctx, invocation.args, invocation.options);
  } catch (err) {
    if (profileName !== undefined) nameProfileInHint(err, profileName);
    // Every failure of a --json command has its JSON on stdout (only the fields asked for, as a
    // result); not bulk's (its rows already are), nor a --json flag that is itself wrong.
    const selection = invocation.selection;
    const badFlag = selection !== undefined && 'error' in selection;
    if (raw.json === true && !badFlag && !streamedOutcome(invocation.key, err)) {
      printJson(io, failureJson(err), selection?.fields);
    }
    process.exitCode = reportError(io, err, raw.verbose === true);
  }
}

/**
 * An ending whose outcome the JSON lines already told: a stop by signal or a closed pipe (any
 * command), and every bulk ending after its rows began (its rows and summary say it all); a
 * bulk usage error (exit 2, before any row) still gets its JSON.
 */
function streamedOutcome(key: string, err: unknown): boolean {
  const exit = err instanceof CliError ? err.exitCode : ExitCode.failure;
  const stopped: number[] = [ExitCode.interrupted, ExitCode.terminated, ExitCode.hangup, ExitCode.closedPipe];
  if (stopped.includes(exit) && !(err instanceof CancelledError)) return true;
  return key === 'bulk' && exit !== ExitCode.usage;
}

/** A hint that sends the user to `interflow profiles show`, and every key refusal's, names the profile that failed. */
function nameProfileInHint(err: unknown, name: string): void {
  if (!(err instanceof CliError) || !err.hint) return;
  const quoted = /^[A-Za-z0-9._-]+$/.test(name) ? name : `'${name}'`;
  const show = `\`interflow profiles show --profile ${quoted}\``;
  if (err.hint.includes('`interflow profiles show`')) err.hint = err.hint.replaceAll('`interflow profiles show`', show);
  else if (err.exitCode === ExitCode.auth) err.hint = `${err.hint} (${show})`;
}
