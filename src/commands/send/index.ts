/**
 * `interflow send text|media|location|contact|template|interactive`: flags and help only; the
 * work is in ./run.ts, imported when a send actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { campaignOption, collect, interactoOptions, templateOptions } from '../message-options.js';

/** What top-level help lists for `send` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'send one message (text, media, location, contact, template, interactive)',
  args: [],
  options: false,
};


export function register(program: Command): void {
  const send = program
    .command('send')
    .description(listing.description)
    .addHelpText(
      'after',
      examples(
        'interflow send text 11999999999 "Olá! Seu pedido saiu para entrega 🎉"',
        'interflow send template +5511999999999 --name order_confirmation --param João --param 12345',
        'echo "Olá" | interflow send text 5511999999999 --profile turn --json',
      ),
    );

  send
    .command('text')
    .description('send a text message; the text comes from the argument, or from stdin when it is - or absent and piped')
    .argument('<to>', 'recipient phone number, e.g. +55 11 99999-9999 (country from the profile when omitted)')
    .argument('[text]', "the message text; '-' reads stdin")
    .option('--preview-url', 'show a preview of the first URL in the text (turn, socialminer)')
    .addHelpText(
      'after',
      examples(
        'interflow send text 11999999999 "Olá, João! Seu pedido #12345 foi confirmado."',
        'interflow send text +5511999999999 "Veja: https://exemplo.com" --preview-url --profile turn',
        'cat mensagem.txt | interflow send text 5511999999999 - --json',
      ),
    )
    .action(lazy('send text'));

  send
    .command('media')
    .description('send an image, video, audio, document or sticker, by URL or by uploaded media id')
    .argument('<to>', 'recipient phone number')
    .requiredOption('--kind <kind>', 'image | video | audio | document | sticker')
    .option('--url <url>', 'public http(s) URL of the file (interflow; turn and socialminer as link)')
    .option('--id <mediaId>', 'id of media already uploaded to the provider (turn, socialminer)')
    .option('--caption <text>', 'caption (image, video, document)')
    .option('--filename <name>', 'file name shown for a document')
    .addHelpText(
      'after',
      examples(
        'interflow send media 11999999999 --kind image --url https://exemplo.com/colecao.jpg --caption "Nova coleção"',
        'interflow send media 11999999999 --kind document --url https://exemplo.com/contrato.pdf --filename contrato.pdf',
        'interflow send media 11999999999 --kind sticker --id 515056594160172 --profile turn',
      ),
    )
    .action(lazy('send media'));

  send
    .command('location')
    .description('send a location pin (interflow, socialminer)')
    .argument('<to>', 'recipient phone number')
    .requiredOption('--latitude <n>', 'decimal degrees, e.g. -23.5505')
    .requiredOption('--longitude <n>', 'decimal degrees, e.g. -46.6333')
    .option('--name <name>', 'place name')
    .option('--address <address>', 'street address')
    .addHelpText(
      'after',
      examples(
        'interflow send location 11999999999 --latitude -23.5505 --longitude -46.6333 --name "Escritório Central" --address "Av. Paulista, 1000 - São Paulo"',
        'interflow send location 11999999999 --latitude -22.9068 --longitude -43.1729 --profile socialminer',
      ),
    )
    .action(lazy('send location'));

  const contact = send
    .command('contact')
    .description('send a contact card (interacto, socialminer) from flags, a JSON file or a .vcf file')
    .argument('<to>', 'recipient phone number')
    .option('--name <name>', 'contact name')
    .option('--phone <phone>', 'contact phone number')
    .option('--file <contact.json>', 'JSON: {"name","phone"}, a WhatsApp contact object, or an array of them')
    .option('--vcard <card.vcf>', 'a vCard file (one or more cards)')
    .optionsGroup('Interacto options:');
  interactoOptions(contact)
    .addHelpText(
      'after',
      examples(
        'interflow send contact 11999999999 --name "João Silva" --phone 5511999999999 --profile interacto --delay 2 --typing 8',
        'interflow send contact 11999999999 --vcard joao.vcf --profile socialminer',
        'interflow send contact 11999999999 --file contato.json --tag urgente --tag lead --metadata leadId=1234533',
      ),
    )
    .action(lazy('send contact'));

  const template = send
    .command('template')
    .description('send an approved template message, from flags or a template file (Turn hsm with --hsm)')
    .argument('[to]', 'recipient phone number (asked with --interactive when absent)')
    .option('--name <name>', 'approved template name (hsm: element_name)');
  templateOptions(template)
    .option('--file <template.json>', 'read the whole template from a file (see README: Template files)')
    .option('--hsm', "send Turn's deprecated hsm form (--name is the element_name, --param the localizable defaults)")
    .option('-i, --interactive', 'compose it step by step, with a preview (flags given become the defaults); same as `interflow compose`')
    .option('--print-file', 'with --interactive: print the composed template file on stdout instead of sending')
    .addHelpText(
      'after',
      examples(
        'interflow send template 11999999999 --name order_confirmation --language pt_BR --param João --param 12345',
        'interflow send template 11999999999 --name promo --header-image https://exemplo.com/promo.jpg --quick-reply 0=quero --profile turn',
        'interflow send template 11999999999 --name beta_abandoncart_link_v1_1 --param Maria --button-url 0=carrinho/987 --profile socialminer',
        'interflow send template 11999999999 --file pedido.json',
        'interflow send template 11999999999 --interactive --profile turn',
        'interflow send template "+1 919-555-1112" --hsm --name purchase_with_credit_card --language en_US --param "$10" --param 1234 --profile turn',
      ),
    )
    .action((...raw: unknown[]) => {
      // The composer lives in its own bundle, so a plain send never loads the prompts.
      const options = (raw[raw.length - 1] as Command).opts();
      return lazy(options.interactive || options.printFile ? 'compose' : 'send template')(...raw);
    });

  send
    .command('interactive')
    .description('send reply buttons, a list, or a location request (turn; socialminer: buttons and list)')
    .argument('<to>', 'recipient phone number')
    .requiredOption('--body <text>', 'the message text')
    .option('--button <id=title>', 'a reply button (up to 3); repeat for each', collect)
    .option('--list <list.json>', 'a list: {"button":"Ver opções","sections":[{"title":"…","rows":[{"id":"…","title":"…","description":"…"}]}]}')
    .option('--location-request', "ask for the recipient's location (turn)")
    .option('--header <text>', 'header text')
    .option('--footer <text>', 'footer text')
    .addHelpText(
      'after',
      examples(
        'interflow send interactive 11999999999 --body "Confirma o pedido?" --button sim=Sim --button nao="Não" --profile turn',
        'interflow send interactive 11999999999 --body "Escolha um horário" --list horarios.json --profile socialminer',
        'interflow send interactive 11999999999 --body "Por favor, informe sua localização" --location-request --profile turn',
      ),
    )
    .action(lazy('send interactive'));
  for (const command of send.commands) campaignOption(command);
}
