/**
 * SocialMiner — docs/providers/socialminer.md. Meta Cloud API bodies as they are
 * (docs/providers/meta.md; Meta's OpenAPI `components.schemas.Message`):
 *
 *   POST {base}/api/Messages   apikey: KEY   version: 4.0
 *   {"messaging_product":"whatsapp", "recipient_type":"individual", "to", "type", "<type>": {…}}
 *
 * Location coordinates go as strings exactly as typed (the document sends "0.1"/"0.0" and Meta's
 * schema types them as strings). The document's interactive example carries `null` fields and an
 * `"Id"` that are not part of Meta's schema: they are never emitted. Templates have no namespace
 * and Meta's LanguageObject allows only the "deterministic" policy.
 */
import { ValidationError } from '../errors.js';
import { capabilityOf, type Capability, type Message } from '../message/model.js';
import {
  assertSupported,
  httpStatusError,
  metaContacts,
  metaInteractive,
  metaMedia,
  opt,
  parseMessagesResponse,
  parseMetaError,
  refuseInteractoOptions,
  sendUrl,
  templateComponents,
  unsupported,
  type JsonObject,
} from './meta.js';
import type { ProviderAdapter } from './types.js';

const capabilities: readonly Capability[] = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contact',
  'template',
  'interactive buttons',
  'interactive list',
];

/** The type field and its payload. */
function payload(msg: Message): [type: string, JsonObject] {
  switch (msg.type) {
    case 'text':
      return ['text', { text: { body: msg.text, ...opt('preview_url', msg.previewUrl) } }];
    case 'media':
      return [msg.kind, { [msg.kind]: metaMedia('socialminer', msg, { stickerLink: true }) }];
    case 'location':
      return [
        'location',
        {
          location: {
            latitude: msg.latitude,
            longitude: msg.longitude,
            ...opt('name', msg.name),
            ...opt('address', msg.address),
          },
        },
      ];
    case 'contact':
      return ['contacts', { contacts: metaContacts('socialminer', msg.contacts) }];
    case 'template':
      if (msg.namespace !== undefined) {
        throw new ValidationError('socialminer templates have no namespace: --namespace is for turn');
      }
      if (msg.policy !== undefined && msg.policy !== 'deterministic') {
        throw new ValidationError(`socialminer (Meta Cloud API) accepts only the deterministic language policy, not ${msg.policy}`);
      }
      return [
        'template',
        {
          template: {
            name: msg.name,
            language: { policy: msg.policy ?? 'deterministic', code: msg.language },
            components: templateComponents('socialminer', msg),
          },
        },
      ];
    case 'interactive':
      return ['interactive', { interactive: metaInteractive('socialminer', msg) }];
    default:
      throw unsupported('socialminer', capabilities, capabilityOf(msg));
  }
}

export const socialminer: ProviderAdapter = {
  id: 'socialminer',
  label: 'SocialMiner',
  capabilities,
  secretHeaders: ['apikey'],

  buildSend(msg, profile) {
    assertSupported('socialminer', capabilities, msg);
    refuseInteractoOptions('socialminer', msg);
    const [type, content] = payload(msg);
    return {
      method: 'POST',
      url: sendUrl(profile, '/api/Messages'),
      headers: { 'Content-Type': 'application/json', apikey: profile.apiKey, version: '4.0' },
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: msg.to, type, ...content },
    };
  },

  parseSendResponse: (status, body) => parseMessagesResponse('socialminer', status, body),

  parseError: (status, body) => parseMetaError(status, body) ?? httpStatusError('socialminer', status, body),
};
