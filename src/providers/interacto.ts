/**
 * Interacto — docs/providers/interacto.md. The document covers one endpoint:
 *
 *   POST {base}/message/contact   Authorization: KEY (no Bearer)   Instance-Id: ID
 *   {"to", "contact": {"name", "phone"}, "delay"?, "typing"?, "priority"?, "tags"?, "metadata"?}
 *
 * so contact is the only kind it sends. The contact is the model's first card: its formatted name
 * and its first phone, normalized like a recipient (digits with the country code, as the
 * document's example). Success is NestJS-style `{statusCode, message, data:{id,
 * status:"QUEUED"}}`; errors are NestJS-style too (`{statusCode, message: string | string[], error?}`).
 */
import { ValidationError } from '../errors.js';
import { capabilityOf, type Capability } from '../message/model.js';
import { normalizeRecipient } from '../message/recipient.js';
import { badResponse, httpStatusError, isObject, opt, requireProfileField, sendUrl, statusMessage, unsupported } from './meta.js';
import type { ProviderAdapter } from './types.js';

const capabilities: readonly Capability[] = ['contact'];

export const interacto: ProviderAdapter = {
  id: 'interacto',
  label: 'Interacto',
  capabilities,
  secretHeaders: ['authorization'],

  buildSend(msg, profile) {
    if (msg.type !== 'contact') throw unsupported('interacto', capabilities, capabilityOf(msg));
    const instanceId = requireProfileField(profile, 'instanceId');
    if (msg.contacts.length > 1) {
      throw new ValidationError(`interacto sends one contact per message (got ${msg.contacts.length}): send them one at a time`);
    }
    const card = msg.contacts[0]!;
    const raw = card.phones?.[0]?.phone;
    if (raw === undefined || raw.trim() === '') {
      throw new ValidationError(`interacto: contact ${card.name.formatted_name} has no phone number to send`);
    }
    const phone = normalizeRecipient(raw, profile.defaultCountry, `contact ${card.name.formatted_name} phone`);
    const o = msg.options ?? {};
    return {
      method: 'POST',
      url: sendUrl(profile, '/message/contact'),
      headers: { Authorization: profile.apiKey, 'Content-Type': 'application/json', 'Instance-Id': instanceId },
      body: {
        to: msg.to,
        contact: { name: card.name.formatted_name, phone },
        ...opt('delay', o.delay),
        ...opt('typing', o.typing),
        ...opt('priority', o.priority),
        ...opt('tags', o.tags && [...o.tags]),
        ...opt('metadata', o.metadata && { ...o.metadata }),
      },
    };
  },

  parseSendResponse(status, body) {
    // {"statusCode": 201, "message": "request successful", "data": {"id": "…", "status": "QUEUED", …}}
    if (isObject(body) && isObject(body.data)) {
      const { id, status: state } = body.data;
      if (typeof id === 'string' && id !== '' && typeof state === 'string' && state !== '') {
        return { id, status: state.toLowerCase() };
      }
    }
    throw badResponse('interacto', status, body, '{"statusCode":201,"data":{"id":…,"status":"QUEUED"}}');
  },

  parseError(status, body) {
    // NestJS: {"statusCode": 400, "message": ["to must be a string"], "error": "Bad Request"}
    if (isObject(body) && (typeof body.message === 'string' || Array.isArray(body.message))) {
      const list = (Array.isArray(body.message) ? body.message : [body.message]).map((m) =>
        typeof m === 'string' ? m : JSON.stringify(m),
      );
      const text = list.filter((m) => m.trim() !== '').join('; ');
      const name = typeof body.error === 'string' ? body.error.trim() : '';
      return {
        status,
        code: name
          ? name
              .toUpperCase()
              .replace(/[^A-Z0-9]+/g, '_')
              .replace(/^_|_$/g, '')
          : `HTTP_${status}`,
        message: text || name || statusMessage(status, 'interacto'),
        ...(Array.isArray(body.message) ? { details: list } : {}),
      };
    }
    return httpStatusError('interacto', status, body);
  },
};
