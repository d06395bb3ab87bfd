import { sendFields } from '../fields.js';
import { campaignOption, templateOptions } from '../message-options.js';
import { arg, defineCommand, flag, text, type Options } from '../spec.js';

const composeArgs = [arg('[to]', 'recipient phone number (asked when absent)')] as const;

const composeOptions = {
  name: text('--name <name>', 'approved template name (the default of its question)'),
  ...templateOptions,
  ...campaignOption,
  printFile: flag('--print-file', 'print the composed template file on stdout instead (no recipient asked)'),
};

/** What the composer gets: its own flags, or `send template --interactive`'s (src/commands/send/template.ts). */
export type ComposeOptions = Options<typeof composeArgs, typeof composeOptions> & { file?: string; hsm?: boolean; interactive?: boolean };

export default defineCommand({
  name: 'compose',
  summary: 'compose a template message step by step, with a preview; then send it, show the request or save a template file',
  arguments: composeArgs,
  options: composeOptions,
  examples: [
    'interflow compose 11999999999 --profile turn',
    'interflow compose --name order_update --language pt_BR',
    'interflow compose --print-file --profile socialminer > pedido.json && interflow bulk contatos.csv --template-file pedido.json --profile socialminer',
  ],
  notes:
    '\nEvery answer is checked as it is typed; the template flags above become the defaults of their questions.\n' +
    'Needs a terminal: in scripts, use `interflow send template` with flags or --file.\n',
  // Its result is the send's (--print-file prints a template file, not a result).
  json: sendFields,
  load: () => import('../../compose/run.js').then((m) => m.runCompose),
});
