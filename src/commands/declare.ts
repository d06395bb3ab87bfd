/**
 * The registry (src/commands/registry.ts) as commander declarations: names, arguments, flags, help.
 * Each action hands the app an Invocation (the command's name, arguments and options); the app
 * is loaded only then (src/cli.ts), so `--help` and `--version` read nothing of the work.
 */
import { Command, Option } from 'commander';
import type { RuntimeHooks } from '../runtime.js';
import { allSpecs, registry } from './registry.js';
import type { AnyCommand, GroupSpec, OptionSpec } from './spec.js';

/** A group or a single command, as the registry lists them. */
type Entry = GroupSpec | AnyCommand;
import type { CommandKey } from './registry.js';

/** What the shell hands the app: the command's key, positional arguments and options. */
export interface Invocation {
  key: CommandKey;
  /** The command typed, when it delegates to `key` (`send template --interactive` runs `compose`). */
  typed?: CommandKey;
  args: unknown[];
  /** The command's own options. */
  options: Record<string, unknown>;
  /** The command's options merged with the global ones (commander's optsWithGlobals()). */
  globals: Record<string, unknown>;
  /** What the entry offers the app (src/runtime.ts). */
  hooks?: Partial<RuntimeHooks>;
  /** Fields given to --json (src/commands/json-fields.ts), or why they were refused. */
  selection?: FieldSelection;
}

/** `--json id,status`: the fields to print, checked against the command's; or a usage error. */
export type FieldSelection = { fields: string[] } | { error: string };

export type Dispatch = (invocation: Invocation) => Promise<void>;

/** The examples block every command's --help ends with. */
export function examples(...lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Repeatable flags collect into an array. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addOption(command: Command, spec: OptionSpec): void {
  const option = new Option(spec.flags, spec.description);
  if (spec.repeatable) option.argParser(collect);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.required) option.makeOptionMandatory();
  if (spec.group) option.helpGroup(spec.group);
  command.addOption(option);
}

function helpAfter(lines: readonly string[], notes?: string): string {
  return examples(...lines) + (notes ?? '');
}

function declareCommand(parent: Command, spec: AnyCommand, dispatch: Dispatch): void {
  const name = spec.name.split(' ').at(-1)!;
  const command = parent.command(name).description(spec.summary);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  for (const a of spec.arguments) command.argument(a.syntax, a.description);
  for (const option of Object.values(spec.options)) addOption(command, option);
  command.addHelpText('after', helpAfter(spec.examples, spec.notes));
  command.action(async (...raw: unknown[]) => {
    const self = raw[raw.length - 1] as Command;
    const options = self.opts() as Record<string, unknown>;
    const delegate = spec.delegate?.(options) as CommandKey | undefined;
    await dispatch({
      key: delegate ?? (spec.name as CommandKey),
      ...(delegate ? { typed: spec.name as CommandKey } : {}),
      args: raw.slice(0, -2),
      options,
      globals: self.optsWithGlobals() as Record<string, unknown>,
    });
  });
}

/** A group or single command, declared whole: every verb with its flags and help. */
export function declareEntry(program: Command, entry: Entry, dispatch: Dispatch): void {
  if (!('commands' in entry)) return declareCommand(program, entry, dispatch);
  const group = program.command(entry.name).description(entry.summary).addHelpText('after', helpAfter(entry.examples, entry.notes));
  for (const spec of entry.commands) declareCommand(group, spec, dispatch);
}

/**
 * A group or single command as top-level help lists it: name, summary, arguments, and
 * "[options]" when it has some; declaring every flag of every command would cost each start of
 * `--help` more than the rest of the shell.
 */
export function declareListing(program: Command, entry: Entry): void {
  const command = program.command(entry.name).description(entry.summary);
  if ('commands' in entry) return;
  for (const a of entry.arguments) command.argument(a.syntax);
  if (Object.keys(entry.options).length > 0) command.addOption(new Option('--listed').hideHelp());
}

export { allSpecs, registry };
