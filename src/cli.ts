/**
 * The shell: the commander program with its global flags and command declarations, and nothing
 * else. It parses the command line, prints help and version, turns commander's own errors into
 * exit code 2, and hands a parsed invocation to the app (src/app.ts), loaded only then.
 */
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { setDispatch, type Dispatch, type Listing } from './commands/lazy.js';
import { readJsonFlag } from './commands/json-fields.js';
import type { RuntimeHooks } from './runtime.js';
import * as sendGroup from './commands/send/index.js';
import * as profilesGroup from './commands/profiles/index.js';
import * as configGroup from './commands/config/index.js';
import * as sandboxGroup from './commands/sandbox/index.js';
import * as bulkGroup from './commands/bulk/index.js';
import * as webhooksGroup from './commands/webhooks/index.js';
import * as messagesGroup from './commands/messages/index.js';
import * as customersGroup from './commands/customers/index.js';
import * as chatsGroup from './commands/chats/index.js';
import * as completionGroup from './commands/completion/index.js';
import * as composeGroup from './commands/compose/index.js';
import * as initGroup from './commands/init/index.js';
import * as reportGroup from './commands/report/index.js';
import * as templatesGroup from './commands/templates/index.js';

interface Group {
  register: (program: Command) => void;
  listing: Listing;
}

/** The command groups, in the order help lists them. */
const groups: [name: string, group: Group][] = [
  ['send', sendGroup],
  ['compose', composeGroup],
  ['bulk', bulkGroup],
  ['templates', templatesGroup],
  ['webhooks', webhooksGroup],
  ['messages', messagesGroup],
  ['report', reportGroup],
  ['customers', customersGroup],
  ['chats', chatsGroup],
  ['init', initGroup],
  ['profiles', profilesGroup],
  ['config', configGroup],
  ['sandbox', sandboxGroup],
  ['completion', completionGroup],
];

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
    return named !== undefined && groups.some(([name]) => name === named) ? [named] : groups.map(([name]) => name);
  }
  const version = args.includes('-V') || args.includes('--version');
  const help = args.includes('-h') || args.includes('--help');
  return version && !help ? [] : groups.map(([name]) => name);
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

export function buildProgram(argv: readonly string[] = []): Command {
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
  const wanted = argv.length ? groupsFor(argv) : groups.map(([name]) => name);
  // Top-level help and a mistyped name need only each group's listing: declaring every group's
  // flags would cost each of those starts more than the rest of the shell. buildProgram([])
  // (completion, tests) declares everything.
  const listOnly = argv.length > 0 && wanted.length === groups.length;
  for (const [name, group] of groups) {
    if (listOnly) declareListing(program, name, group.listing);
    else if (wanted.includes(name)) group.register(program);
  }
  return program;
}

/** A group as top-level help lists it: name, summary, arguments, and "[options]" when it has some. */
function declareListing(program: Command, name: string, listing: Listing): void {
  const command = program.command(name).description(listing.description);
  for (const arg of listing.args) command.argument(arg);
  if (listing.options) command.addOption(new Option('--listed').hideHelp());
}

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
  argv = helpAsFlag(argv);
  const program = buildProgram(argv);
  const { argv: args, selection } = readJsonFlag(argv, program);
  setDispatch(async (invocation) => (await loadApp(invocation.key)).run({ ...invocation, selection, hooks }));
  for (const command of allCommands(program)) command.exitOverride();
  try {
    await program.parseAsync(args);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version end with 0; every other commander error (already printed) is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  }
}
