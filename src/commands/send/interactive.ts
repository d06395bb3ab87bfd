import { sendFields } from '../fields.js';
import { campaignOption } from '../message-options.js';
import { arg, defineCommand, flag, list, text } from '../spec.js';

export default defineCommand({
  name: 'send interactive',
  summary: 'send reply buttons, a list, or a location request (turn; socialminer: buttons and list)',
  arguments: [arg('<to>', 'recipient phone number')],
  options: {
    body: text('--body <text>', 'the message text', { required: true }),
    button: list('--button <id=title>', 'a reply button (up to 3); repeat for each'),
    list: text(
      '--list <list.json>',
      'a list: {"button":"Ver opções","sections":[{"title":"…","rows":[{"id":"…","title":"…","description":"…"}]}]}',
    ),
    locationRequest: flag('--location-request', "ask for the recipient's location (turn)"),
    header: text('--header <text>', 'header text'),
    footer: text('--footer <text>', 'footer text'),
    ...campaignOption,
  },
  examples: [
    'interflow send interactive 11999999999 --body "Confirma o pedido?" --button sim=Sim --button nao="Não" --profile turn',
    'interflow send interactive 11999999999 --body "Escolha um horário" --list horarios.json --profile socialminer',
    'interflow send interactive 11999999999 --body "Por favor, informe sua localização" --location-request --profile turn',
  ],
  json: sendFields,
  load: () => import('./run.js').then((m) => m.sendCommand('interactive')),
});
