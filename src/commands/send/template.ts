import { sendFields } from '../fields.js';
import { campaignOption, templateOptions } from '../message-options.js';
import { arg, defineCommand, flag, text } from '../spec.js';

export default defineCommand({
  name: 'send template',
  summary: 'send an approved template message, from flags or a template file (Turn hsm with --hsm)',
  arguments: [arg('[to]', 'recipient phone number (asked with --interactive when absent)')],
  options: {
    name: text('--name <name>', 'approved template name (hsm: element_name)'),
    ...templateOptions,
    file: text('--file <template.json>', 'read the whole template from a file (see README: Template files)'),
    hsm: flag('--hsm', "send Turn's deprecated hsm form (--name is the element_name, --param the localizable defaults)"),
    interactive: flag(
      '-i, --interactive',
      'compose it step by step, with a preview (flags given become the defaults); same as `interflow compose`',
    ),
    printFile: flag('--print-file', 'with --interactive: print the composed template file on stdout instead of sending'),
    ...campaignOption,
  },
  examples: [
    'interflow send template 11999999999 --name order_confirmation --language pt_BR --param João --param 12345',
    'interflow send template 11999999999 --name promo --header-image https://exemplo.com/promo.jpg --quick-reply 0=quero --profile turn',
    'interflow send template 11999999999 --name beta_abandoncart_link_v1_1 --param Maria --button-url 0=carrinho/987 --profile socialminer',
    'interflow send template 11999999999 --file pedido.json',
    'interflow send template 11999999999 --interactive --profile turn',
    'interflow send template "+1 919-555-1112" --hsm --name purchase_with_credit_card --language en_US --param "$10" --param 1234 --profile turn',
  ],
  json: sendFields,
  // The composer lives in its own bundle, so a plain send never loads the prompts.
  delegate: (given) => (given.interactive || given.printFile ? 'compose' : undefined),
  load: () => import('./run.js').then((m) => m.sendCommand('template')),
});
