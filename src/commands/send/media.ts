import { sendFields } from '../fields.js';
import { campaignOption } from '../message-options.js';
import { arg, defineCommand, text } from '../spec.js';

export const mediaArgs = [arg('<to>', 'recipient phone number')] as const;

export const mediaOptions = {
  kind: text('--kind <kind>', 'image | video | audio | document | sticker', { required: true }),
  url: text('--url <url>', 'public http(s) URL of the file (interflow; turn and socialminer as link)'),
  id: text('--id <mediaId>', 'id of media already uploaded to the provider (turn, socialminer)'),
  caption: text('--caption <text>', 'caption (image, video, document)'),
  filename: text('--filename <name>', 'file name shown for a document'),
  ...campaignOption,
};

export default defineCommand({
  name: 'send media',
  summary: 'send an image, video, audio, document or sticker, by URL or by uploaded media id',
  arguments: mediaArgs,
  options: mediaOptions,
  examples: [
    'interflow send media 11999999999 --kind image --url https://exemplo.com/colecao.jpg --caption "Nova coleção"',
    'interflow send media 11999999999 --kind document --url https://exemplo.com/contrato.pdf --filename contrato.pdf',
    'interflow send media 11999999999 --kind sticker --id 515056594160172 --profile turn',
  ],
  json: sendFields,
  load: () => import('./run.js').then((m) => m.sendCommand('media')),
});
