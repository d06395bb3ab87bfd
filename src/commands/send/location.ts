import { sendFields } from '../fields.js';
import { campaignOption } from '../message-options.js';
import { arg, defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'send location',
  summary: 'send a location pin (interflow, socialminer)',
  arguments: [arg('<to>', 'recipient phone number')],
  options: {
    latitude: text('--latitude <n>', 'decimal degrees, e.g. -23.5505', { required: true }),
    longitude: text('--longitude <n>', 'decimal degrees, e.g. -46.6333', { required: true }),
    name: text('--name <name>', 'place name'),
    address: text('--address <address>', 'street address'),
    ...campaignOption,
  },
  examples: [
    'interflow send location 11999999999 --latitude -23.5505 --longitude -46.6333 --name "Escritório Central" --address "Av. Paulista, 1000 - São Paulo"',
    'interflow send location 11999999999 --latitude -22.9068 --longitude -43.1729 --profile socialminer',
  ],
  json: sendFields,
  load: () => import('./run.js').then((m) => m.sendCommand('location')),
});
