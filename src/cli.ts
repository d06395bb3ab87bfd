/**
 * The shell: the commander program with its global flags and command declarations, and nothing
 * else. It parses the command line, prints help and version, turns commander's own errors into
 * exit code 2, and hands a parsed invocation to the app (src/app.ts), loaded only then.
 */
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { declareEntry, declareListing, registry, type Dispatch } from './commands/declare.js';
import { readJsonFlag } from './commands/json-fields.js';
import { failureJson, UsageError } from './errors.js';
import type { RuntimeHooks } from './runtime.js';

/** The names of the groups and single commands, in the order help lists them. */
const names = registry.map((entry) => entry.name);

/** Global options that take a value (their value is not a command name). */
const valued = new Set(['--profile', '--config', '--timeout', '--templates']);

/**
 * Which groups a command line needs declared: the one it names; none for a bare --version; all
 * otherwise (help lists them, and a mistyped name is matched against them). Declaring every
 * group's flags costs each start more than the rest of the shell.
 */
export function groupsFor(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (valued.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    // `help send` needs send's whole declaration; `help` alone, the listing.
    const named = a === 'help' ? args.slice(i + 1).find((w) => !w.startsWith('-')) : a;
    return named !== undefined && names.includes(named) ? [named] : [...names];
  }
  const version = args.includes('-V') || args.includes('--version');
  const help = args.includes('-h') || args.includes('--help');
  return version && !help ? [] : [...names];
}

/**
 * `help send text` is `send text --help`: commander's own help command shows only the first
 * word's help (the `send` group).
 */
export function helpAsFlag(argv: string[]): string[] {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (valued.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    if (a !== 'help' || args.slice(i + 1).filter((w) => !w.startsWith('-')).length < 2) return argv;
    return [...argv.slice(0, 2), ...args.slice(0, i), ...args.slice(i + 1), '--help'];
  }
  return argv;
}

export function buildProgram(argv: readonly string[] = [], dispatch: Dispatch = notDispatched): Command {
  const program = new Command('interflow')
    .description('Send and inspect WhatsApp business messages through Interflow, Interacto, Turn.io and SocialMiner')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (with examples)')
    .option('--profile <name>', 'profile to use (default: $INTERFLOW_PROFILE, then defaultProfile, then the only one)')
    .option('--config <file>', 'use this config file instead of searching for .interflowrc')
    .option(
      '--json',
      'print results as JSON; --json=id,status only those fields, in that order (also --json id,status after the arguments; --dry-run requests print whole)',
    )
    .option('--dry-run', 'print the exact request(s) with keys as *** and send nothing')
    .option('--verbose', 'trace HTTP requests and answers on stderr (keys redacted)')
    .option('--quiet', 'print nothing but results and errors')
    .option('--no-color', 'no colors (also: NO_COLOR=1, or when not a terminal)')
    .option('--timeout <ms>', 'HTTP timeout in milliseconds (default: profile timeoutMs, else 30000)')
    .option('--templates <file>', 'templates catalog to check template sends against (default: templatesFile in the rc)')
    .option('--no-templates', 'do not check template sends against a catalog')
    // --json is a plain flag to commander; its fields are read before (src/commands/json-fields.ts).
    .configureHelp({ showGlobalOptions: true, optionTerm: (option) => (option.long === '--json' ? '--json [fields]' : option.flags) })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ interflow sandbox                                  # a local server speaking all four providers
  $ interflow send text 11999999999 "Olá, João! 🎉"
  $ interflow send template 11999999999 --name order_confirmation --param João --param 12345 --profile turn
  $ interflow send text 11999999999 "Olá" --json id,status
  $ interflow profiles list

Exit codes: 0 done · 1 provider refused or network failed · 2 usage, validation or config error (nothing sent)
            3 bulk finished with failed or unknown rows · 4 authentication refused · 130 interrupted or cancelled`,
    );
  const wanted = argv.length ? groupsFor(argv) : names;
  // Top-level help and a mistyped name need only each group's listing: declaring every group's
  // flags would cost each of those starts more than the rest of the shell. buildProgram([])
  // (completion, tests) declares everything.
  const listOnly = argv.length > 0 && wanted.length === names.length;
  for (const entry of registry) {
    if (listOnly) declareListing(program, entry);
    else if (wanted.includes(entry.name)) declareEntry(program, entry, dispatch);
  }
  return program;
}

const notDispatched: Dispatch = async (invocation) => {
  throw new Error(`interflow ${invocation.key}: no app to run it (buildProgram without a dispatch)`);
};

function* allCommands(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* allCommands(sub);
}

/**
 * Parses argv and runs the command. `loadApp` loads the app bundle for a command (bin/interflow.js
 * passes a loader that keeps a code cache per command family).
 */
export async function main(
  argv: string[],
  loadApp: (command: string) => Promise<{ run: Dispatch }>,
  hooks: Partial<RuntimeHooks> = {},
): Promise<void> {
  // A closed stdout (`| head`) ends the program quietly, unless the command listens itself (bulk
  // finishes and records the requests in flight first).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' && process.stdout.listenerCount('error') === 1) process.exit(process.exitCode ?? 0);
  });
  // A closed stderr leaves no one to tell: its write errors are dropped and the command's own exit
  // code stands (bulk, which listens itself, stops a run on it while rows are being sent: 141).
  // Unheard, the error would end the process with 1 after the work was done.
  process.stderr.on('error', () => undefined);
  argv = helpAsFlag(argv);
  // The dispatch runs once parsing is done: `flag` is read by then.
  const program = buildProgram(argv, async (invocation) =>
    (await loadApp(invocation.key)).run({ ...invocation, selection: flag.selection, hooks }),
  );
  const flag = readJsonFlag(argv, program);
  for (const command of allCommands(program)) command.exitOverride();
  try {
    await program.parseAsync(flag.argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version end with 0; every other commander error (already printed) is a usage error,
    // and under --json its JSON is on stdout too, as for every other failure.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    if (err.exitCode !== 0 && flag.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify(failureJson(new UsageError(commanderMessage(err))))}\n`);
    }
  }
}

/** Commander's message without its "error: " prefix. */
function commanderMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '');
}
