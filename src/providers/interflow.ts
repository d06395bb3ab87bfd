/**
 * Interflow — docs/providers/interflow.md.
 *
 *   POST {base}/messages/send   Authorization: Bearer KEY
 *   {"channel_id", "to", "type", "content"}
 *
 * content by type: text {text}; image/video/audio/document {url, filename? (document), caption?};
 * location {latitude, longitude (JSON numbers), name?, address?}; template {name, language (a
 * plain string like "pt_BR"), components (Meta style)}. Media go by URL only: the document shows
 * no media id.
 */
import { ValidationError } from '../errors.js';
import { capabilityOf, resultTypeOf, type Capability, type Message } from '../message/model.js';
import {
  assertSupported,
  badResponse,
  httpStatusError,
  isObject,
  opt,
  refuseInteractoOptions,
  requireProfileField,
  sendUrl,
  templateComponents,
  unsupported,
  type JsonObject,
} from './meta.js';
import type { BatchItemResult, BatchSupport } from '../bulk/runner.js';
import type { ProviderAdapter } from './types.js';

const capabilities: readonly Capability[] = ['text', 'image', 'video', 'audio', 'document', 'location', 'template'];

function content(msg: Message): JsonObject {
  switch (msg.type) {
    case 'text':
      // The document shows no preview_url: asking for a preview cannot be honoured.
      if (msg.previewUrl === true) throw new ValidationError('interflow does not support link previews (preview_url)');
      return { text: msg.text };
    case 'media':
      if (msg.url === undefined) {
        throw new ValidationError(`interflow sends ${msg.kind} by URL only: use --url instead of --id`);
      }
      return { url: msg.url, ...opt('filename', msg.filename), ...opt('caption', msg.caption) };
    case 'location':
      // The model keeps coordinates as typed; Interflow's document sends JSON numbers.
      return {
        latitude: Number(msg.latitude),
        longitude: Number(msg.longitude),
        ...opt('name', msg.name),
        ...opt('address', msg.address),
      };
    case 'template':
      if (msg.policy !== undefined) {
        throw new ValidationError(
          `interflow takes the template language as a plain code ("${msg.language}"): a language policy (--policy ${msg.policy}) is not supported`,
        );
      }
      if (msg.namespace !== undefined) {
        throw new ValidationError('interflow templates have no namespace: --namespace is for turn');
      }
      return {
        name: msg.name,
        language: msg.language,
        components: templateComponents('interflow', msg, { mediaById: false }),
      };
    default:
      throw unsupported('interflow', capabilities, capabilityOf(msg));
  }
}

export const interflow: ProviderAdapter = {
  id: 'interflow',
  label: 'Interflow',
  capabilities,
  secretHeaders: ['authorization'],

  buildSend(msg, profile) {
    assertSupported('interflow', capabilities, msg);
    refuseInteractoOptions('interflow', msg);
    const channelId = requireProfileField(profile, 'channelId');
    return {
      method: 'POST',
      url: sendUrl(profile, '/messages/send'),
      headers: { Authorization: `Bearer ${profile.apiKey}`, 'Content-Type': 'application/json' },
      body: { channel_id: channelId, to: msg.to, type: resultTypeOf(msg), content: content(msg) },
    };
  },

  parseSendResponse(status, body) {
    // {"success": true, "data": {"id": "msg_abc123xyz", "status": "sent", …}}
    if (isObject(body) && body.success === true && isObject(body.data)) {
      const { id, status: state } = body.data;
      if (typeof id === 'string' && id !== '' && typeof state === 'string' && state !== '') {
        return { id, status: state.toLowerCase() };
      }
    }
    throw badResponse('interflow', status, body, '{"success":true,"data":{"id":…,"status":…}}');
  },

  parseError(status, body) {
    // {"success": false, "error": {"code", "message", "details"?: [{"field", "message"}]}}
    if (isObject(body) && isObject(body.error) && typeof body.error.code === 'string' && body.error.code !== '') {
      const { code, message, details } = body.error;
      let text = typeof message === 'string' && message.trim() ? message.trim() : httpStatusError('interflow', status, undefined).message;
      const fields = Array.isArray(details)
        ? details
            .filter(isObject)
            .map((d) => [typeof d.field === 'string' ? d.field : '', typeof d.message === 'string' ? d.message : ''])
            .filter(([field, why]) => field || why)
            .map(([field, why]) => (field && why ? `${field}: ${why}` : field || why))
        : [];
      if (fields.length > 0) text = `${text} (${fields.join('; ')})`;
      return { status, code, message: text, ...(details !== undefined ? { details } : {}) };
    }
    return httpStatusError('interflow', status, body);
  },
};

/**
 * The HTTP status Interflow answers each of its codes with (its reference, and the answers
 * docs/providers/interflow.md lists): what a refused item of a batch would have got alone.
 */
const CODE_STATUS: Readonly<Record<string, number>> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  CHANNEL_NOT_FOUND: 404,
  CHANNEL_DISCONNECTED: 422,
  RATE_LIMIT_EXCEEDED: 429,
};

/**
 * A refused item's status, which classifies its refusal as a single send's (src/providers/error-classes.ts):
 * its own `status` when it gives one, else the status of its code, else the batch answer's.
 */
function itemStatus(item: Record<string, unknown>, answer: number): number {
  if (typeof item.status === 'number' && Number.isInteger(item.status) && item.status >= 400 && item.status <= 599) return item.status;
  const code = isObject(item.error) ? item.error.code : undefined;
  return (typeof code === 'string' && Object.hasOwn(CODE_STATUS, code) ? CODE_STATUS[code] : undefined) ?? answer;
}

/** Items a POST /messages/bulk request takes at most (PRODUCT.md, Interflow's remaining endpoints). */
export const INTERFLOW_BATCH_MAX = 100;

/**
 * `bulk --batch N`: POST {base}/messages/bulk with `{"channel_id", "messages":[{to, type, content}…]}`
 * — each item the /messages/send body with its channel_id moved to the envelope. The shape is
 * assumed (docs/providers/interflow.md, "Assumed where the documents are silent").
 */
export function interflowBatch(size: number): BatchSupport {
  return {
    size,
    build(reqs) {
      const first = reqs[0]!;
      const bodies = reqs.map((r) => r.body as JsonObject);
      const messages = bodies.map(({ channel_id: _channel, ...item }) => item);
      const body = { channel_id: bodies[0]!.channel_id, messages };
      return {
        method: 'POST',
        url: first.url.replace(/\/messages\/send$/, '/messages/bulk'),
        headers: { ...first.headers },
        body,
        bodyText: JSON.stringify(body),
      };
    },
    parse(status, body, count) {
      // {"success":true,"data":{"results":[{"index":0,"success":true,"data":{"id","status"}}, {"index":1,"success":false,"status"?:429,"error":{"code","message"}}]}}
      const expected = '{"success":true,"data":{"results":[{"index":0,"success":true,"data":{"id":…}}, …]}}';
      const results =
        isObject(body) && body.success === true && isObject(body.data) && Array.isArray(body.data.results) ? body.data.results : undefined;
      if (!results) throw badResponse('interflow', status, body, expected);
      const out: (BatchItemResult | undefined)[] = new Array(count).fill(undefined);
      results.forEach((r, i) => {
        if (!isObject(r)) return;
        const index = typeof r.index === 'number' ? r.index : i;
        if (!Number.isInteger(index) || index < 0 || index >= count) return;
        if (r.success === true && isObject(r.data) && typeof r.data.id === 'string' && r.data.id !== '')
          out[index] = { success: true, id: r.data.id };
        else if (r.success === false) {
          const info = interflow.parseError(itemStatus(r, status), r);
          out[index] = { success: false, status: info.status, code: info.code, message: info.message };
        }
      });
      // Every item must have its answer: one missing leaves its row unknown, so the whole answer is refused.
      if (out.some((r) => r === undefined)) throw badResponse('interflow', status, body, expected);
      return out as BatchItemResult[];
    },
  };
}
