/**
 * Flags several commands share, declared once so their names, help and parsing stay the same:
 * the message flags of `send`, `compose` and `bulk` (bulk adds {{column}} placeholders to every
 * value, so they stay text here and are parsed once a message is built: src/message/build.ts), and
 * the list flags of the Interflow resource commands.
 */
import { int } from './parsers.js';
import { flag, list, option, text } from './spec.js';

/** Template flags beside the name: language, namespace, policy, parameters, header, buttons. */
export const templateOptions = {
  language: text('--language <code>', 'language code, e.g. pt_BR, en_US, es (default: pt_BR)'),
  namespace: text('--namespace <ns>', "template namespace (turn; default: the profile's namespace)"),
  policy: text('--policy <policy>', 'language policy: deterministic | fallback (turn, socialminer; default: deterministic)'),
  param: list('--param <text>', 'body parameter {{1}}, {{2}}, … in order; repeat for each'),
  headerText: text('--header-text <text>', 'text header parameter'),
  headerImage: text('--header-image <url|id>', 'image header, by URL or media id'),
  headerVideo: text('--header-video <url|id>', 'video header, by URL or media id'),
  headerDocument: text('--header-document <url|id>', 'document header, by URL or media id'),
  headerFilename: text('--header-filename <name>', 'file name for a document header'),
  buttonUrl: list('--button-url <index=text>', 'dynamic suffix of URL button INDEX; repeat for more'),
  quickReply: list('--quick-reply <index=payload>', 'payload of quick-reply button INDEX; repeat for more'),
};

/** Interacto's per-message options, under a heading of their own where given. */
export function interactoOptions(group?: string) {
  const extra = group ? { group } : {};
  return {
    delay: text('--delay <seconds>', 'wait before sending (interacto)', extra),
    typing: text('--typing <seconds>', 'show "typing…" for this long first (interacto)', extra),
    priority: text('--priority <n>', 'message priority, a whole number (interacto)', extra),
    tag: list('--tag <tag>', 'tag the message; repeat for more (interacto)', extra),
    metadata: list('--metadata <key=value>', 'attach metadata; repeat for more (interacto)', extra),
  };
}

/** The list flags of Interflow's paginated resources (meta.page/per_page/total). */
export const pageOptions = {
  page: option('--page <n>', 'page to show (from 1)', int('--page', { min: 1 })),
  perPage: option('--per-page <n>', 'items a page, 1-100 (Interflow default: 20)', int('--per-page', { min: 1, max: 100 })),
  all: flag('--all', 'every page, streamed as each arrives'),
};

/** `--campaign NAME`: recorded with each message sent, for `interflow report` and `messages list`. */
export const campaignOption = {
  campaign: text('--campaign <name>', 'record the message under this campaign (interflow report NAME, messages list --campaign)'),
};
