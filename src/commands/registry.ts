/**
 * Every command, in the order top-level help lists them: a group (src/commands/<noun>/group.ts,
 * whose verbs are the spec files beside it) or a single command (src/commands/<name>/<name>.ts).
 * The list is src/commands/registry.generated.ts, written by the build from the directory
 * listing: adding a command is adding its file. Everything else is derived from here: the
 * commander declarations and help (./declare.ts), completion, the --json field lists
 * (./json-fields.ts), and the app bundles (src/build/build.mjs builds one per noun directory).
 */
import { entries } from './registry.generated.js';
import type { AnyCommand } from './spec.js';

/** A group or a single command. */
export type Entry = (typeof entries)[number];

/**
 * The nouns top-level help lists first, in this order; any other follows them, alphabetically.
 * The build reads it (src/build/build.mjs) and writes the entries in this order.
 */
export const ORDER = [
  'send',
  'compose',
  'bulk',
  'templates',
  'webhooks',
  'messages',
  'report',
  'customers',
  'chats',
  'init',
  'profiles',
  'config',
  'sandbox',
  'completion',
];

/** Every group and single command, in the order help lists them. */
export const registry: readonly Entry[] = entries;

type NamesOf<E> = E extends { commands: readonly (infer C)[] }
  ? C extends { name: infer N }
    ? N
    : never
  : E extends { name: infer N }
    ? N
    : never;

/** Every command's name: 'send text', 'bulk', … */
export type CommandKey = NamesOf<Entry>;

/** Every command of the registry, groups' verbs in their order. */
export function allSpecs(): AnyCommand[] {
  return registry.flatMap((entry): AnyCommand[] => ('commands' in entry ? [...entry.commands] : [entry]));
}
