/**
 * `interflow compose [to]`: the template composer (same as `send template --interactive`); the
 * work is in src/compose/run.ts, in a bundle of its own.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { campaignOption, templateOptions } from '../message-options.js';

/** What top-level help lists for `compose` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'compose a template message step by step, with a preview; then send it, show the request or save a template file',
  args: ['[to]'],
  options: true,
};

export function register(program: Command): void {
  const compose = program
    .command('compose')
    .description(listing.description)
    .argument('[to]', 'recipient phone number (asked when absent)')
    .option('--name <name>', 'approved template name (the default of its question)');
  campaignOption(templateOptions(compose))
    .option('--print-file', 'print the composed template file on stdout instead (no recipient asked)')
    .addHelpText(
      'after',
      examples(
        'interflow compose 11999999999 --profile turn',
        'interflow compose --name order_update --language pt_BR',
        'interflow compose --print-file --profile socialminer > pedido.json && interflow bulk contatos.csv --template-file pedido.json --profile socialminer',
      ) +
        '\nEvery answer is checked as it is typed; the template flags above become the defaults of their questions.\n' +
        'Needs a terminal: in scripts, use `interflow send template` with flags or --file.\n',
    )
    .action(lazy('compose'));
}
