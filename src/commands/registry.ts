/**
 * Every command, in the order top-level help lists them: a group (src/commands/<noun>/group.ts,
 * which lists its verbs) or a single command (src/commands/<name>/<name>.ts). Everything else is
 * derived from here: the commander declarations and help (./declare.ts), completion, the --json
 * field lists (./json-fields.ts), and the app bundles (src/build/build.mjs builds one per noun
 * directory of the specs imported here; test/unit/registry.test.ts checks none is left out).
 */
import type { AnyCommand, GroupSpec } from './spec.js';
import bulk from './bulk/bulk.js';
import chats from './chats/group.js';
import completion from './completion/completion.js';
import compose from './compose/compose.js';
import config from './config/group.js';
import customers from './customers/group.js';
import init from './init/init.js';
import messages from './messages/group.js';
import profiles from './profiles/group.js';
import report from './report/report.js';
import sandbox from './sandbox/sandbox.js';
import send from './send/group.js';
import templates from './templates/group.js';
import webhooks from './webhooks/group.js';

export const registry = [
  send,
  compose,
  bulk,
  templates,
  webhooks,
  messages,
  report,
  customers,
  chats,
  init,
  profiles,
  config,
  sandbox,
  completion,
] as const;

/** A group or a single command. */
export type Entry = (typeof registry)[number];

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
  return (registry as readonly (GroupSpec | AnyCommand)[]).flatMap((entry) => ('commands' in entry ? [...entry.commands] : [entry]));
}
