/**
 * A command as plain data: what src/commands/<noun>/<verb>.ts exports. From these specs (listed in
 * src/commands/registry.ts) come the commander declarations and help (src/commands/declare.ts),
 * the top-level listing, completion, the `--json` field lists (src/commands/json-fields.ts) and the
 * app bundles (src/build/build.mjs builds one per noun directory). The work itself is `load()`:
 * a dynamic import the shell's bundle never follows, called by the app (src/app.ts) with the
 * options parsed by each option's schema: `run(options, ctx)`, options typed from the spec.
 *
 * A spec file imports only this module, src/commands/parsers.ts and types: the shell loads every
 * spec on each start.
 */
import * as z from 'zod/mini';
import type { CommandContext } from './context.js';

/** A positional argument, as commander declares it: '<to>' (required) or '[text]' (optional). */
export interface ArgSpec<N extends string = string, R extends boolean = boolean> {
  readonly syntax: string;
  readonly name: N;
  readonly required: R;
  readonly description: string;
}

type ArgName<S extends string> = S extends `<${infer N}>` ? N : S extends `[${infer N}]` ? N : never;

export function arg<const S extends string>(syntax: S, description: string): ArgSpec<ArgName<S>, S extends `<${string}` ? true : false> {
  const name = syntax.slice(1, -1) as ArgName<S>;
  return { syntax, name, required: syntax.startsWith('<') as S extends `<${string}` ? true : false, description };
}

/** One flag: commander's declaration, and the schema its value is parsed with before run(). */
export interface OptionSpec<T = unknown> {
  /** As commander takes them: '-y, --yes', '--page <n>', '--no-record'. */
  readonly flags: string;
  readonly description: string;
  /** A default value as typed on the command line (help shows it). */
  readonly default?: string;
  /** Commander refuses the command without it. */
  readonly required?: boolean;
  /** Repeatable: the values collect into an array. */
  readonly repeatable?: boolean;
  /** The heading of the help section it is listed under (default: "Options:"). */
  readonly group?: string;
  readonly schema: z.ZodMiniType<T, unknown>;
}

interface Extra {
  default?: string;
  required?: boolean;
  group?: string;
}

/** A flag with a value of the given schema (see src/commands/parsers.ts for the shared ones). */
export function option<T>(flags: string, description: string, schema: z.ZodMiniType<T, unknown>, extra: Extra = {}): OptionSpec<T> {
  return { flags, description, schema, ...extra };
}

const optionalString = z.optional(z.string());
const requiredString = z.string();
const optionalBoolean = z.optional(z.boolean());
/** `--no-x`: commander gives true unless it is given. */
const trueUnlessGiven = z._default(z.boolean(), true);
const optionalList = z.optional(z.array(z.string()));

/** A boolean flag; `--no-x` is true unless given. */
export function flag(flags: `--no-${string}`, description: string, extra?: Extra): OptionSpec<boolean>;
export function flag(flags: string, description: string, extra?: Extra): OptionSpec<boolean | undefined>;
export function flag(flags: string, description: string, extra: Extra = {}): OptionSpec<boolean> | OptionSpec<boolean | undefined> {
  return flags.startsWith('--no-')
    ? { flags, description, schema: trueUnlessGiven, ...extra }
    : { flags, description, schema: optionalBoolean, ...extra };
}

/** A flag with a text value; a string when it has a default or is required. */
export function text(flags: string, description: string, extra: Extra & ({ default: string } | { required: true })): OptionSpec<string>;
export function text(flags: string, description: string, extra?: Extra): OptionSpec<string | undefined>;
export function text(flags: string, description: string, extra: Extra = {}): OptionSpec<string> | OptionSpec<string | undefined> {
  return extra.default !== undefined || extra.required === true
    ? { flags, description, schema: requiredString, ...extra }
    : { flags, description, schema: optionalString, ...extra };
}

/** A repeatable flag: every value, in order. */
export function list(flags: string, description: string, extra: Extra = {}): OptionSpec<string[] | undefined> {
  return { flags, description, schema: optionalList, repeatable: true, ...extra };
}

export type Options<A extends readonly ArgSpec[], O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never;
} & {
  [P in A[number] as P['name']]: P['required'] extends true ? string : string | undefined;
};

/** A command's work: its parsed options (arguments by name among them) and the context. */
export type Run<T> = (options: T, ctx: CommandContext) => Promise<void>;

/** A command as data: its name, help, arguments and flags (what the shell declares). */
export interface CommandData<
  N extends string = string,
  A extends readonly ArgSpec[] = readonly ArgSpec[],
  O extends Record<string, OptionSpec> = Record<string, OptionSpec>,
> {
  /** The command path: 'send text', 'bulk'. Its first word names the app bundle (dist/app/<noun>.cjs). */
  readonly name: N;
  /** One line: what it does. */
  readonly summary: string;
  readonly aliases?: readonly string[];
  readonly arguments: A;
  readonly options: O;
  /** Command lines run as they are written; help lists them, a unit test requires two. */
  readonly examples: readonly string[];
  /** More help, after the examples. */
  readonly notes?: string;
  /** The top-level fields of its JSON results (of each item for lists and JSON lines); [] when none. */
  readonly json: readonly string[];
  /** Another command to run instead, by what was given (`send template --interactive` is `compose`). */
  readonly delegate?: (given: Record<string, unknown>) => string | undefined;
}

/** A command whose work is in another module: `load: () => import('./run.js').then((m) => m.runX)`. */
export interface CommandSpec<
  N extends string = string,
  A extends readonly ArgSpec[] = readonly ArgSpec[],
  O extends Record<string, OptionSpec> = Record<string, OptionSpec>,
> extends CommandData<N, A, O> {
  readonly load: () => Promise<Run<Options<A, O>>>;
}

/** The options a command's run() gets, from its spec: `OptionsOf<typeof command>`. */
export type OptionsOf<S> = S extends { arguments: infer A extends readonly ArgSpec[]; options: infer O extends Record<string, OptionSpec> }
  ? Options<A, O>
  : never;

/** The type of a command's run(), from its spec: `export const run: RunOf<typeof command> = async (options, ctx) => …`. */
export type RunOf<S> = Run<OptionsOf<S>>;

/** The registry's view of any command (its options' types erased). */
export type AnyCommand = CommandData & {
  readonly load: () => Promise<Run<never>>;
};

/**
 * A command spec, checked: with `load`, it must load a run() that accepts exactly the options its
 * arguments and flags give. Without `load`, the spec's file exports that run() itself
 * (`export const run: RunOf<typeof command>`), and the generated registry loads it.
 */
export function defineCommand<const N extends string, const A extends readonly ArgSpec[], O extends Record<string, OptionSpec>>(
  spec: CommandSpec<N, A, O>,
): CommandSpec<N, A, O>;
export function defineCommand<const N extends string, const A extends readonly ArgSpec[], O extends Record<string, OptionSpec>>(
  spec: CommandData<N, A, O>,
): CommandData<N, A, O>;
export function defineCommand(spec: CommandData): CommandData {
  return spec;
}

/**
 * A one-file command, as the registry holds it: its data, and `load` importing its own module's
 * run() (src/commands/registry.generated.ts writes these). In the shell that import is a stub and
 * the run() is dropped with everything only it imports (src/build/build.mjs).
 */
export function withRun<const S extends CommandData>(
  spec: S,
  load: () => Promise<RunOf<S>>,
): S & { readonly load: () => Promise<RunOf<S>> } {
  return { ...spec, load };
}

/** A noun whose verbs are commands: `send text`, `customers list`. What src/commands/<noun>/group.ts says. */
export interface GroupData {
  readonly name: string;
  readonly summary: string;
  readonly examples: readonly string[];
  readonly notes?: string;
  /**
   * The verbs help lists first, in this order; the others (a new command, say) follow in
   * alphabetical order. The build reads it (src/build/build.mjs) and refuses a verb here that has no
   * spec file.
   */
  readonly order?: readonly string[];
}

/** A group with its verbs (the spec files of its directory), in the order help lists them. */
export interface GroupSpec<C extends AnyCommand = AnyCommand> extends GroupData {
  readonly commands: readonly C[];
}

export function defineGroup(group: GroupData): GroupData {
  return group;
}

/**
 * A group and its verbs, as src/commands/registry.generated.ts lists them: already in the order
 * help lists them (the build wrote them so: the group's `order` first, the others alphabetically).
 */
export function withVerbs<const C extends AnyCommand>(group: GroupData, commands: readonly C[]): GroupSpec<C> {
  return { ...group, commands };
}
