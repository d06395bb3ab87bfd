import { defineGroup } from '../spec.js';
import contact from './contact.js';
import interactive from './interactive.js';
import location from './location.js';
import media from './media.js';
import template from './template.js';
import text from './text.js';

export default defineGroup({
  name: 'send',
  summary: 'send one message (text, media, location, contact, template, interactive)',
  examples: [
    'interflow send text 11999999999 "Olá! Seu pedido saiu para entrega 🎉"',
    'interflow send template +5511999999999 --name order_confirmation --param João --param 12345',
    'echo "Olá" | interflow send text 5511999999999 --profile turn --json',
  ],
  commands: [text, media, location, contact, template, interactive],
});
