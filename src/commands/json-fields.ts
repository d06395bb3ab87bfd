/**
 * `--json FIELDS`: the fields each command's JSON results have, and how the shell reads a field
 * list off the command line before commander sees it (commander knows `--json` as a plain flag).
 *
 * `--json=id,status` always selects fields. `--json id,status` (two words) takes the next word as
 * the field list only when the command has no argument left for it to be: then it is the list, and
 * a name that is not a field is an error. Where the word could also be an argument, it stays one
 * (`messages get --json msg_abc123`, `send text --json 5511999999999 Olá`), unless it looks like
 * fields (field names, or names joined by commas): that could mean either, and is refused.
 */
import type { Command } from 'commander';
import { allSpecs, type CommandKey } from './registry.js';
import type { FieldSelection } from './declare.js';

/** The top-level fields of each command's JSON results (of each item, for lists and JSON lines), from its spec. */
export const resultFields = Object.fromEntries(allSpecs().map((s) => [s.name, s.json])) as Record<CommandKey, readonly string[]>;

/** The command line commander parses (every `--json` plain), and what `--json` selected. */
export interface JsonFlag {
  argv: string[];
  /** Set when fields were given: the fields, or why they were refused. */
  selection?: FieldSelection;
}

const isOption = (arg: string): boolean => arg.length > 1 && arg.startsWith('-');
/** A word that reads as a field list: names joined by commas. */
const NAMES = /^[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*$/;

function takesValue(command: Command, arg: string): boolean {
  if (arg.includes('=')) return false;
  const option = command.options.find((o) => o.long === arg || o.short === arg);
  return option !== undefined && (option.required || option.optional);
}

const subcommand = (command: Command, name: string): Command | undefined =>
  command.commands.find((c) => c.name() === name || c.aliases().includes(name));

/** `a,b, c` → ['a', 'b', 'c'] (spaces trimmed, empty items and repeats dropped). */
export function splitFields(list: string): string[] {
  return [
    ...new Set(
      list
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== ''),
    ),
  ];
}

/** Checks the fields against the command's: one line naming the unknown ones and the available. */
export function checkFields(key: CommandKey, fields: readonly string[]): FieldSelection {
  const available: readonly string[] = resultFields[key];
  if (available.length === 0) return { error: `interflow ${key} prints no JSON results: --json takes no fields here` };
  const list = `(fields of interflow ${key}: ${available.join(', ')})`;
  if (fields.length === 0) return { error: `--json= needs field names ${list}` };
  const unknown = fields.filter((f) => !available.includes(f));
  if (unknown.length > 0) {
    return { error: `--json: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `'${f}'`).join(', ')} ${list}` };
  }
  return { fields: [...fields] };
}

/**
 * Reads `--json=FIELDS` and `--json FIELDS` off argv (process.argv: node, script, then the
 * arguments) the way commander will parse the rest: global options anywhere before `--`, then the
 * command path, the command's own options and values, and how many arguments it takes.
 */
export function readJsonFlag(argv: readonly string[], program: Command): JsonFlag {
  const args = argv.slice(2);
  /** Each `--json` (index in args): the list given with `=`, or the index of the word after it. */
  const flags: { given?: string; word?: number }[] = [];
  /** Indexes of the tokens left once the global options and their values are taken out. */
  const rest: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (let j = i; j < args.length; j++) rest.push(j);
      break;
    }
    if (arg === '--json') {
      const next = args[i + 1];
      flags.push(next !== undefined && !isOption(next) ? { word: i + 1 } : {});
    } else if (arg.startsWith('--json=')) {
      args[i] = '--json';
      flags.push({ given: arg.slice('--json='.length) });
    } else if (isOption(arg) && takesValue(program, arg)) i++;
    else rest.push(i);
  }
  if (flags.length === 0) return { argv: [...argv] };

  // The command: at each level the first word naming a subcommand; then its arguments. A word
  // after --json is not counted among them (yet) unless it names a subcommand or is a value.
  const words = new Set(flags.flatMap((f) => (f.word === undefined ? [] : [f.word])));
  let command = program;
  const path: string[] = [];
  let operands = 0;
  let literal = false;
  for (let r = 0; r < rest.length; r++) {
    const i = rest[r]!;
    const arg = args[i]!;
    if (!literal && arg === '--') literal = true;
    else if (!literal && isOption(arg)) {
      if (takesValue(command, arg) && r + 1 < rest.length) words.delete(rest[++r]);
    } else if (operands === 0 && subcommand(command, arg)) {
      command = subcommand(command, arg)!;
      path.push(command.name());
      words.delete(i);
    } else if (!words.has(i)) operands++;
  }
  const key = path.join(' ');
  /** Words after --json read as fields: commander does not see them. */
  const taken = new Set<number>();
  const result = (selection?: FieldSelection): JsonFlag => ({
    argv: [...argv.slice(0, 2), ...args.filter((_, i) => !taken.has(i))],
    ...(selection ? { selection } : {}),
  });
  if (command.commands.length > 0 || !Object.hasOwn(resultFields, key)) return result();

  const available: readonly string[] = resultFields[key as CommandKey];
  const max = command.registeredArguments.some((a) => a.variadic) ? Infinity : command.registeredArguments.length;
  let fields: string[] | undefined;
  for (const flag of flags) {
    if (flag.given !== undefined) fields = splitFields(flag.given);
    if (flag.word === undefined || !words.has(flag.word)) continue;
    const word = args[flag.word]!;
    if (operands >= max) {
      fields = splitFields(word);
      taken.add(flag.word);
      continue;
    }
    // Room for one more argument: the word is one, unless it could as well be fields.
    if (NAMES.test(word) && (word.includes(',') || available.includes(word))) {
      const arg = command.registeredArguments[operands]?.name() ?? 'argument';
      return result({
        error: `--json ${word}: is '${word}' the ${arg} argument or the fields to print? Write --json=${word} for fields, or put the ${arg} before --json`,
      });
    }
    operands++;
  }
  return result(fields && checkFields(key as CommandKey, fields));
}
