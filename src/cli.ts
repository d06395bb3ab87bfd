/**
 * The program: global flags, command groups (declared here, implemented lazily), and the one
 * place that turns errors into messages and exit codes. Commands never call process.exit().
 */
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { CliError, ExitCode, UsageError } from './errors.js';
import type { CommandContext, GlobalOptions } from './commands/context.js';
import { setContextFactory } from './commands/lazy.js';
import { createIo, type Io } from './output/io.js';
import { register as registerSend } from './commands/send/index.js';
import { register as registerProfiles } from './commands/profiles/index.js';
import { register as registerSandbox } from './commands/sandbox/index.js';

export function buildProgram(): Command {
  const program = new Command('interflow')
    .description('Send and inspect WhatsApp business messages through Interflow, Interacto, Turn.io and SocialMiner')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (with examples)')
    .option('--profile <name>', 'profile to use (default: $INTERFLOW_PROFILE, then defaultProfile, then the only one)')
    .option('--config <file>', 'use this config file instead of searching for .interflowrc')
    .option('--json', 'print results as JSON')
    .option('--dry-run', 'print the exact request(s) with keys as *** and send nothing')
    .option('--verbose', 'trace HTTP requests and answers on stderr (keys redacted)')
    .option('--quiet', 'print nothing but results and errors')
    .option('--no-color', 'no colors (also: NO_COLOR=1, or when not a terminal)')
    .addOption(new Option('--timeout <ms>', 'HTTP timeout in milliseconds (default: profile timeoutMs, else 30000)'))
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ interflow sandbox                                  # a local server speaking all four providers
  $ interflow send text 11999999999 "Olá, João! 🎉"
  $ interflow send template 11999999999 --name order_confirmation --param João --param 12345 --profile turn
  $ interflow profiles list

Exit codes: 0 done · 1 provider refused or network failed · 2 usage, validation or config error (nothing sent)
            3 bulk finished with failed or unknown rows · 4 authentication refused · 130 interrupted`,
    );
  registerSend(program);
  registerProfiles(program);
  registerSandbox(program);
  return program;
}

function globalsOf(command: Command): GlobalOptions {
  const o = command.optsWithGlobals() as Record<string, unknown>;
  let timeout: number | undefined;
  if (o.timeout !== undefined) {
    timeout = Number(o.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) {
      throw new UsageError(`--timeout must be a whole number of milliseconds above 0, got '${String(o.timeout)}'`);
    }
  }
  return {
    profile: o.profile as string | undefined,
    config: o.config as string | undefined,
    json: o.json === true,
    dryRun: o.dryRun === true,
    verbose: o.verbose === true,
    quiet: o.quiet === true,
    color: o.color !== false,
    timeout,
  };
}

function reportError(io: Io, err: unknown, verbose: boolean): ExitCode {
  if (err instanceof CliError) {
    io.err(`${io.color ? '\u001b[31merror\u001b[39m' : 'error'}: ${err.message}\n`);
    if (err.hint) io.err(`hint: ${err.hint}\n`);
    if (verbose && err.cause instanceof Error) io.err(`${err.cause.stack ?? err.cause.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.err(`error: ${e?.message ?? String(err)}\n`);
  if (verbose) io.err(`${e?.stack ?? ''}\n`);
  else io.err('hint: run again with --verbose for details\n');
  return ExitCode.failure;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // A closed stdout (`| head`) ends the program quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const early = argv.slice(2);
  let io = createIo({ noColor: early.includes('--no-color') });
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    outputError: (s, write) => write(s),
  });
  for (const sub of allCommands(program)) {
    sub.exitOverride();
    sub.configureOutput(program.configureOutput());
  }
  let verbose = early.includes('--verbose');
  setContextFactory(async (command: Command): Promise<CommandContext> => {
    const globals = globalsOf(command);
    verbose = globals.verbose === true;
    io = createIo({ noColor: !globals.color, quiet: globals.quiet, verbose: globals.verbose });
    let profile: Awaited<ReturnType<CommandContext['loadProfile']>> | undefined;
    return {
      io,
      globals,
      loadProfile: async () => {
        if (!profile) {
          const { loadProfileFor } = await import('./config/context.js');
          profile = await loadProfileFor(globals, io);
        }
        return profile;
      },
    };
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end with 0; every other commander error is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : ExitCode.usage;
      return;
    }
    process.exitCode = reportError(io, err, verbose);
  }
}

function* allCommands(command: Command): Generator<Command> {
  for (const sub of command.commands) {
    yield sub;
    yield* allCommands(sub);
  }
}
