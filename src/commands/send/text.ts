import { sendFields } from '../fields.js';
import { campaignOption } from '../message-options.js';
import { arg, defineCommand, flag } from '../spec.js';

export const textArgs = [
  arg('<to>', 'recipient phone number, e.g. +55 11 99999-9999 (country from the profile when omitted)'),
  arg('[text]', "the message text; '-' reads stdin"),
] as const;

export const textOptions = {
  previewUrl: flag('--preview-url', 'show a preview of the first URL in the text (turn, socialminer)'),
  ...campaignOption,
};

export default defineCommand({
  name: 'send text',
  summary: 'send a text message; the text comes from the argument, or from stdin when it is - or absent and piped',
  arguments: textArgs,
  options: textOptions,
  examples: [
    'interflow send text 11999999999 "Olá, João! Seu pedido #12345 foi confirmado."',
    'interflow send text +5511999999999 "Veja: https://exemplo.com" --preview-url --profile turn',
    'cat mensagem.txt | interflow send text 5511999999999 - --json',
  ],
  json: sendFields,
  load: () => import('./run.js').then((m) => m.runSendText),
});
