/**
 * Turn.io — docs/providers/turn.md (WhatsApp on-premise shapes, no `messaging_product`).
 *
 *   POST {base}/v1/messages   Authorization: Bearer TOKEN
 *
 * recipient_type: the document puts `"recipient_type": "individual"` in the text example, the
 * media example and the hsm localization example, and leaves it out of every template and
 * interactive example. We follow it: text, media and hsm carry it; template and interactive do
 * not. (Two of the three hsm examples omit it; the complete one, showing every localizable type,
 * has it, and the field is optional with "individual" as its only value, so hsm always sends it.)
 *
 * Template namespace: the message's, else the profile's; left out when neither is set (one of the
 * document's template examples has none). Language policy defaults to "deterministic".
 * Answers: `{"messages":[{"id"}]}`; errors `{"errors":[{"code","title","details"}]}` (on-premise)
 * or Meta's `{"error":{…}}`.
 */
import { capabilityOf, type Capability, type Message } from '../message/model.js';
import {
  assertSupported,
  httpStatusError,
  metaInteractive,
  metaMedia,
  parseMessagesResponse,
  parseMetaError,
  parseOnPremiseErrors,
  refuseInteractoOptions,
  sendUrl,
  templateComponents,
  unsupported,
  type JsonObject,
} from './meta.js';
import type { ProviderAdapter } from './types.js';
import type { Profile } from '../config/profile.js';

const capabilities: readonly Capability[] = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'template',
  'interactive buttons',
  'interactive list',
  'interactive location request',
  'hsm',
];

function body(msg: Message, profile: Profile): JsonObject {
  switch (msg.type) {
    case 'text':
      return {
        preview_url: msg.previewUrl ?? false,
        recipient_type: 'individual',
        to: msg.to,
        type: 'text',
        text: { body: msg.text },
      };
    case 'media':
      return { recipient_type: 'individual', to: msg.to, type: msg.kind, [msg.kind]: metaMedia('turn', msg) };
    case 'template': {
      const namespace = msg.namespace ?? profile.namespace;
      return {
        to: msg.to,
        type: 'template',
        template: {
          ...(namespace !== undefined ? { namespace } : {}),
          name: msg.name,
          language: { code: msg.language, policy: msg.policy ?? 'deterministic' },
          components: templateComponents('turn', msg),
        },
      };
    }
    case 'interactive':
      return { to: msg.to, type: 'interactive', interactive: metaInteractive('turn', msg) };
    case 'hsm':
      return {
        recipient_type: 'individual',
        to: msg.to,
        type: 'hsm',
        hsm: {
          namespace: msg.namespace,
          element_name: msg.elementName,
          language: { policy: msg.policy, code: msg.language },
          localizable_params: structuredClone(msg.params),
        },
      };
    default:
      throw unsupported('turn', capabilities, capabilityOf(msg));
  }
}

export const turn: ProviderAdapter = {
  id: 'turn',
  label: 'Turn.io',
  capabilities,
  secretHeaders: ['authorization'],

  buildSend(msg, profile) {
    assertSupported('turn', capabilities, msg);
    refuseInteractoOptions('turn', msg);
    return {
      method: 'POST',
      url: sendUrl(profile, '/v1/messages'),
      headers: { Authorization: `Bearer ${profile.apiKey}`, 'Content-Type': 'application/json' },
      body: body(msg, profile),
    };
  },

  parseSendResponse: (status, body) => parseMessagesResponse('turn', status, body),

  parseError: (status, body) => parseOnPremiseErrors(status, body) ?? parseMetaError(status, body) ?? httpStatusError('turn', status, body),
};
