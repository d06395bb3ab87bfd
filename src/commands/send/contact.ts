import { sendFields } from '../fields.js';
import { campaignOption, interactoOptions } from '../message-options.js';
import { arg, defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'send contact',
  summary: 'send a contact card (interacto, socialminer) from flags, a JSON file or a .vcf file',
  arguments: [arg('<to>', 'recipient phone number')],
  options: {
    name: text('--name <name>', 'contact name'),
    phone: text('--phone <phone>', 'contact phone number'),
    file: text('--file <contact.json>', 'JSON: {"name","phone"}, a WhatsApp contact object, or an array of them'),
    vcard: text('--vcard <card.vcf>', 'a vCard file (one or more cards)'),
    ...interactoOptions('Interacto options:'),
    ...campaignOption,
  },
  examples: [
    'interflow send contact 11999999999 --name "João Silva" --phone 5511999999999 --profile interacto --delay 2 --typing 8',
    'interflow send contact 11999999999 --vcard joao.vcf --profile socialminer',
    'interflow send contact 11999999999 --file contato.json --tag urgente --tag lead --metadata leadId=1234533',
  ],
  json: sendFields,
  load: () => import('./run.js').then((m) => m.sendCommand('contact')),
});
