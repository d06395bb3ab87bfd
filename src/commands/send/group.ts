import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'send',
  summary: 'send one message (text, media, location, contact, template, interactive)',
  examples: [
    'interflow send text 11999999999 "Olá! Seu pedido saiu para entrega 🎉"',
    'interflow send template +5511999999999 --name order_confirmation --param João --param 12345',
    'echo "Olá" | interflow send text 5511999999999 --profile turn --json',
  ],
  order: ['text', 'media', 'location', 'contact', 'template', 'interactive'],
});
