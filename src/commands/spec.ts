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
const optionalList = z.optional(z.array(z.string()));

/** A boolean flag; `--no-x` is true unless given. */
export function flag<const F extends string>(
  flags: F,
  description: string,
  extra: Extra = {},
): OptionSpec<F extends `--no-${string}` ? boolean : boolean | undefined> {
  return {
    flags,
    description,
    schema: optionalBoolean as unknown as z.ZodMiniType<F extends `--no-${string}` ? boolean : boolean | undefined, unknown>,
    ...extra,
  };
}

/** A flag with a text value; a string when it has a default or is required. */
export function text<const E extends Extra>(
  flags: string,
  description: string,
  extra?: E,
): OptionSpec<E extends { default: string } | { required: true } ? string : string | undefined> {
  const always = extra?.default !== undefined || extra?.required === true;
  return { flags, description, schema: (always ? requiredString : optionalString) as unknown as z.ZodMiniType<never, unknown>, ...extra };
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

export interface CommandSpec<
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
  readonly load: () => Promise<Run<Options<A, O>>>;
}

/** The registry's view of any command (its options' types erased). */
export type AnyCommand = Omit<CommandSpec<string, readonly ArgSpec[], Record<string, OptionSpec>>, 'load'> & {
  readonly load: () => Promise<Run<never>>;
};

/** A command spec, checked: `load` must accept exactly the options its arguments and flags give. */
export function defineCommand<const N extends string, const A extends readonly ArgSpec[], O extends Record<string, OptionSpec>>(
  spec: CommandSpec<N, A, O>,
): CommandSpec<N, A, O> {
  return spec;
}

/** A noun whose verbs are commands: `send text`, `customers list`. */
export interface GroupSpec<C extends readonly AnyCommand[] = readonly AnyCommand[]> {
  readonly name: string;
  readonly summary: string;
  readonly examples: readonly string[];
  readonly notes?: string;
  /** Its verbs, in the order help lists them. */
  readonly commands: C;
}

export function defineGroup<const C extends readonly AnyCommand[]>(group: GroupSpec<C>): GroupSpec<C> {
  return group;
}
