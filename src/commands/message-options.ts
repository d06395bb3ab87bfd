/**
 * Flags several commands share, declared once so their names, help and parsing stay the same:
 * the message flags of `send` and `bulk` (bulk adds {{column}} placeholders to every value), and
 * the list flags of the Interflow resource commands.
 */
import type { Command } from 'commander';

/** Repeatable flags collect into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Template flags beside the name: language, namespace, policy, parameters, header, buttons. */
export function templateOptions(command: Command): Command {
  return command
    .option('--language <code>', 'language code, e.g. pt_BR, en_US, es (default: pt_BR)')
    .option('--namespace <ns>', "template namespace (turn; default: the profile's namespace)")
    .option('--policy <policy>', 'language policy: deterministic | fallback (turn, socialminer; default: deterministic)')
    .option('--param <text>', 'body parameter {{1}}, {{2}}, … in order; repeat for each', collect)
    .option('--header-text <text>', 'text header parameter')
    .option('--header-image <url|id>', 'image header, by URL or media id')
    .option('--header-video <url|id>', 'video header, by URL or media id')
    .option('--header-document <url|id>', 'document header, by URL or media id')
    .option('--header-filename <name>', 'file name for a document header')
    .option('--button-url <index=text>', 'dynamic suffix of URL button INDEX; repeat for more', collect)
    .option('--quick-reply <index=payload>', 'payload of quick-reply button INDEX; repeat for more', collect);
}

/** Interacto's per-message options. */
export function interactoOptions(command: Command): Command {
  return command
    .option('--delay <seconds>', 'wait before sending (interacto)')
    .option('--typing <seconds>', 'show "typing…" for this long first (interacto)')
    .option('--priority <n>', 'message priority, a whole number (interacto)')
    .option('--tag <tag>', 'tag the message; repeat for more (interacto)', collect)
    .option('--metadata <key=value>', 'attach metadata; repeat for more (interacto)', collect);
}

/** The list flags of Interflow's paginated resources (meta.page/per_page/total). */
export function pageOptions(command: Command): Command {
  return command
    .option('--page <n>', 'page to show (from 1)')
    .option('--per-page <n>', 'items a page, 1-100 (Interflow default: 20)')
    .option('--all', 'every page, streamed as each arrives');
}

/** `--campaign NAME`: recorded with each message sent, for `interflow report` and `messages list`. */
export function campaignOption(command: Command): Command {
  return command.option('--campaign <name>', 'record the message under this campaign (interflow report NAME, messages list --campaign)');
}
