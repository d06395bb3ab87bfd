/**
 * The app: everything that does work, loaded by the shell (src/cli.ts) only when a command runs,
 * one bundle per command family (dist/app/<noun>.cjs: src/build/build.mjs builds this module once
 * per noun directory of src/commands, each holding only that noun's implementations), so a start
 * reads and compiles only what that family uses. It turns the shell's invocation into a context (io, global flags, profile loader), runs the
 * command's implementation, and is the one place that prints errors and sets the exit code.
 * Commands never call process.exit().
 */
import type { CommandContext, GlobalOptions } from './commands/context.js';
import type { FieldSelection, Invocation } from './commands/declare.js';
import { allSpecs } from './commands/registry.js';
import { timeoutMs } from './commands/parsers.js';
import type { AnyCommand, Run } from './commands/spec.js';
import { CancelledError, CliError, ExitCode, failureJson, UsageError } from './errors.js';
import { printJson } from './output/format.js';
import { createIo, type Io } from './output/io.js';
import { plainText } from './output/sanitize.js';
import { setRuntimeHooks } from './runtime.js';
import { style } from './output/style.js';

function globalsOf(o: Record<string, unknown>, selection?: FieldSelection): GlobalOptions {
  if (selection && 'error' in selection) throw new UsageError(selection.error);
  return {
    profile: o.profile as string | undefined,
    config: o.config as string | undefined,
    json: o.json === true,
    fields: selection?.fields,
    dryRun: o.dryRun === true,
    verbose: o.verbose === true,
    quiet: o.quiet === true,
    color: o.color !== false,
    timeout: o.timeout === undefined ? undefined : timeoutMs(String(o.timeout)),
    templates: typeof o.templates === 'string' || o.templates === false ? o.templates : undefined,
  };
}

const specOf = (name: string): AnyCommand => {
  const spec = allSpecs().find((s) => s.name === name);
  if (!spec) throw new Error(`no command '${name}' in the registry`);
  return spec;
};

/**
 * The options a command's run() gets: its arguments by name and its flags, each parsed by its
 * schema (a parser's UsageError is thrown as it is; another refusal names the flag).
 */
export function parseOptions(spec: AnyCommand, args: readonly unknown[], given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  spec.arguments.forEach((a, i) => {
    if (args[i] !== undefined) out[a.name] = args[i];
  });
  for (const [key, option] of Object.entries(spec.options)) {
    const parsed = option.schema.safeParse(given[key]);
    if (!parsed.success) {
      const flag = option.flags.split(/[ ,]+/).find((f) => f.startsWith('--'));
      throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'not a valid value'}`);
    }
    if (parsed.data !== undefined) out[key] = parsed.data;
  }
  return out;
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

/**
 * Runs one command: the global flags, the command's options parsed by its spec (src/commands/
 * <noun>/<verb>.ts; a delegated command gets the options of the one typed), then its run().
 * Never throws: errors are printed and become process.exitCode.
 */
export async function run(invocation: Invocation): Promise<void> {
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
    const spec = specOf(invocation.key);
    const options = parseOptions(specOf(invocation.typed ?? invocation.key), invocation.args, invocation.options);
    // The options were parsed by this very spec's schemas: they are what its run() declares.
    const impl = (await spec.load()) as Run<Record<string, unknown>>;
    await impl(options, ctx);
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
