/**
 * Shared pieces of the provider adapters:
 *
 * - Meta (WhatsApp Cloud / on-premise) message shapes, used by turn and socialminer, and the
 *   template components interflow passes through (its document shows Meta-style components);
 * - the refusals every adapter makes the same way (unsupported kind, Interacto-only options);
 * - error-envelope readers (Meta `{error:{…}}`, WhatsApp on-premise `{errors:[…]}`, a bare HTTP
 *   status) and one-line hints for well-known error codes.
 *
 * Nothing here sends anything; the builders return plain JSON values and throw ValidationError
 * (exit 2) for a message the provider cannot take.
 */
import { effectiveBaseUrl } from '../config/defaults.js';
import type { Profile, ProviderId } from '../config/profile.js';
import { ConfigError, ProviderError, ValidationError, type ProviderErrorInfo } from '../errors.js';
import {
  capabilityOf,
  type Capability,
  type ContactCard,
  type InteractiveMessage,
  type InteractoOptions,
  type MediaMessage,
  type Message,
  type TemplateMessage,
} from '../message/model.js';

export type JsonObject = Record<string, unknown>;

// ───────────────────────────── small helpers ─────────────────────────────

/** `{ key: value }` when value is set, `{}` otherwise: keeps undocumented `undefined`s out of bodies. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `{base}{path}`: the profile's baseUrl replaces the default exactly (one trailing slash
 * stripped), and the provider's path is appended to it.
 */
export function sendUrl(profile: Profile, path: string): string {
  return effectiveBaseUrl(profile).replace(/\/$/, '') + path;
}

/** A profile field the provider needs (channelId, instanceId), or a ConfigError naming it. */
export function requireProfileField(profile: Profile, field: 'channelId' | 'instanceId'): string {
  const value = profile[field];
  if (typeof value === 'string' && value.trim() !== '') return value;
  const where = profile.source ? ` in ${profile.source}` : '';
  throw new ConfigError(`profile "${profile.name}"${where}: ${field} is required for ${profile.provider}`, {
    hint: `add "${field}" to the profile (see \`interflow profiles show ${profile.name}\`)`,
  });
}

// ───────────────────────────── refusals ─────────────────────────────

/** Refuses a message kind the provider does not document, naming what it supports. */
export function assertSupported(provider: ProviderId, capabilities: readonly Capability[], msg: Message): void {
  const capability = capabilityOf(msg);
  if (!capabilities.includes(capability)) throw unsupported(provider, capabilities, capability);
}

export function unsupported(provider: ProviderId, capabilities: readonly Capability[], capability: Capability): ValidationError {
  return new ValidationError(`${provider} does not support ${capability} messages; it supports: ${capabilities.join(', ')}`);
}

const interactoOptionNames = ['delay', 'typing', 'priority', 'tags', 'metadata'] as const satisfies readonly (keyof InteractoOptions)[];
/** The flags (and bulk columns) that set them, as a user names them. */
const interactoOptionFlags: Record<(typeof interactoOptionNames)[number], string> = {
  delay: '--delay',
  typing: '--typing',
  priority: '--priority',
  tags: '--tag',
  metadata: '--metadata',
};

/** delay/typing/priority/tags/metadata are Interacto's: any other provider refuses them. */
export function refuseInteractoOptions(provider: ProviderId, msg: Message): void {
  if (msg.options) refuseInteractoValues(provider, msg.options);
}

/** The same refusal for the options as given, before they are parsed (bulk's flags, with {{column}} placeholders). */
export function refuseInteractoValues(provider: ProviderId, options: Partial<Record<keyof InteractoOptions, unknown>>): void {
  const given = interactoOptionNames.filter((name) => options[name] !== undefined).map((name) => interactoOptionFlags[name]);
  if (given.length === 0) return;
  const many = given.length > 1;
  throw new ValidationError(
    `${given.join(', ')} ${many ? 'are Interacto-only options' : 'is an Interacto-only option'}; ` +
      `${provider} does not accept ${many ? 'them' : 'it'}`,
  );
}

// ───────────────────────────── Meta message shapes ─────────────────────────────

/**
 * A media object: `{id}` or `{link}` (a URL), plus caption (image, video, document) and filename
 * (document). The model already refuses caption/filename where they do not belong. A sticker by
 * link only where the provider's document allows it (`stickerLink`: Meta's spec does, so
 * SocialMiner does; Turn documents stickers by media id).
 */
export function metaMedia(provider: ProviderId, msg: MediaMessage, opts: { stickerLink?: boolean } = {}): JsonObject {
  if (msg.kind === 'sticker' && msg.id === undefined && !opts.stickerLink) {
    throw new ValidationError(`${provider} sends stickers by media id only: use --id instead of --url`);
  }
  return {
    ...(msg.id !== undefined ? { id: msg.id } : { link: msg.url }),
    ...opt('caption', msg.caption),
    ...opt('filename', msg.filename),
  };
}

/**
 * Template components, Meta style, in the order header, body, buttons by index:
 *   header → {type:"header", parameters:[{type:"text",text}]} or [{type:K, K:{link|id, filename?}}]
 *   body   → {type:"body", parameters:[{type:"text",text}…]} (left out when there are no parameters)
 *   button → {type:"button", sub_type:"quick_reply"|"url", index:"N", parameters:[{type:"payload",payload}|{type:"text",text}]}
 * `mediaById: false` refuses a media header given by id (a provider that takes media by URL only).
 */
export function templateComponents(
  provider: ProviderId,
  msg: TemplateMessage,
  opts: { mediaById: boolean } = { mediaById: true },
): JsonObject[] {
  const components: JsonObject[] = [];
  const header = msg.header;
  if (header) {
    if (header.type === 'text') {
      components.push({ type: 'header', parameters: [{ type: 'text', text: header.text }] });
    } else {
      if (header.id !== undefined && !opts.mediaById) {
        throw new ValidationError(`${provider} takes template header media by URL only: give the header a URL, not a media id`);
      }
      if (header.filename !== undefined && header.type !== 'document') {
        throw new ValidationError(`a template header filename is only for document headers (this header is ${header.type})`);
      }
      const media = {
        ...(header.id !== undefined ? { id: header.id } : { link: header.url }),
        ...opt('filename', header.filename),
      };
      components.push({ type: 'header', parameters: [{ type: header.type, [header.type]: media }] });
    }
  }
  if (msg.body.length > 0) {
    components.push({ type: 'body', parameters: msg.body.map((text) => ({ type: 'text', text })) });
  }
  for (const button of [...msg.buttons].sort((a, b) => a.index - b.index)) {
    components.push({
      type: 'button',
      sub_type: button.type,
      // Meta's index is a string ("0"), as in every document's example.
      index: String(button.index),
      parameters: button.type === 'quick_reply' ? [{ type: 'payload', payload: button.payload }] : [{ type: 'text', text: button.text }],
    });
  }
  return components;
}

/**
 * The `interactive` object: reply buttons, a list, or (Turn) a location request.
 * Only documented fields are emitted: no nulls, no empty header/footer.
 */
export function metaInteractive(provider: ProviderId, msg: InteractiveMessage): JsonObject {
  const action = msg.action;
  if (action.type === 'location_request') {
    // Turn's document shows only body and action for this kind (WhatsApp allows nothing else).
    if (msg.header !== undefined || msg.footer !== undefined) {
      throw new ValidationError(`${provider}: a location request message takes only a body (no --header or --footer)`);
    }
    return {
      type: 'location_request_message',
      body: { type: 'text', text: msg.body },
      action: { name: 'send_location' },
    };
  }
  return {
    type: action.type === 'buttons' ? 'button' : 'list',
    ...(msg.header !== undefined ? { header: { type: 'text', text: msg.header } } : {}),
    body: { text: msg.body },
    ...(msg.footer !== undefined ? { footer: { text: msg.footer } } : {}),
    action:
      action.type === 'buttons'
        ? { buttons: action.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) }
        : {
            button: action.button,
            sections: action.sections.map((s) => ({
              ...opt('title', s.title),
              rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...opt('description', r.description) })),
            })),
          },
  };
}

/** The `type` words Meta's OpenAPI accepts on phones, emails, urls and addresses. */
const metaEntryTypes = ['HOME', 'WORK'] as const;

/**
 * Contact cards for a Meta `contacts` message. The model's cards are already Meta-shaped; what
 * Meta requires beyond the model (at most 5 cards, each phone/email/url entry carrying its value,
 * known `type` words) is checked here so the request is refused before it is sent.
 */
export function metaContacts(provider: ProviderId, cards: readonly ContactCard[]): JsonObject[] {
  if (cards.length > 5) throw new ValidationError(`${provider} sends at most 5 contacts in one message (got ${cards.length})`);
  cards.forEach((card, i) => {
    const where = cards.length > 1 ? `contact ${i + 1} (${card.name.formatted_name})` : `contact ${card.name.formatted_name}`;
    const check = (
      list: readonly ({ type?: string } & Record<string, unknown>)[] | undefined,
      field: string,
      valueKey: string | undefined,
      types: readonly string[],
    ): void => {
      list?.forEach((entry, j) => {
        if (valueKey !== undefined && (typeof entry[valueKey] !== 'string' || (entry[valueKey] as string).trim() === '')) {
          throw new ValidationError(`${where}: ${field}[${j}] has no ${valueKey}`);
        }
        if (entry.type !== undefined && !types.includes(entry.type)) {
          throw new ValidationError(
            `${where}: ${field}[${j}].type must be one of ${types.join(', ')} for ${provider} (got '${entry.type}')`,
          );
        }
      });
    };
    check(card.phones, 'phones', 'phone', metaEntryTypes);
    check(card.emails, 'emails', 'email', metaEntryTypes);
    check(card.urls, 'urls', 'url', metaEntryTypes);
    check(card.addresses, 'addresses', undefined, metaEntryTypes);
  });
  return cards.map((card) => structuredClone(card) as JsonObject);
}

// ───────────────────────────── responses ─────────────────────────────

/** A 2xx answer that is not the documented success body. */
export function badResponse(provider: ProviderId, status: number, body: unknown, expected: string): ProviderError {
  return new ProviderError(
    provider,
    { status, code: 'BAD_RESPONSE', message: `answered ${status} without the documented success body (expected ${expected})` },
    { response: body, hint: 'the provider may have accepted the message: check before sending it again' },
  );
}

/** Turn and SocialMiner: `{"messages":[{"id":"…"}]}` → {id, status:"sent"}. */
export function parseMessagesResponse(provider: ProviderId, status: number, body: unknown): { id: string; status: string } {
  if (isObject(body) && Array.isArray(body.messages)) {
    const first: unknown = body.messages[0];
    if (isObject(first) && typeof first.id === 'string' && first.id !== '') return { id: first.id, status: 'sent' };
  }
  throw badResponse(provider, status, body, '{"messages":[{"id":…}]}');
}

const statusTexts: Record<number, string> = {
  400: 'Bad Request — the provider rejected the request',
  401: "Unauthorized — check the profile's apiKey",
  403: "Forbidden — the profile's apiKey is not allowed to do this",
  404: 'Not Found — nothing answers at this path',
  405: 'Method Not Allowed — this path takes another method',
  408: 'Request Timeout — the provider gave up waiting for the request',
  409: 'Conflict',
  413: 'Payload Too Large — the request body is too big',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity — the provider could not process the message',
  429: 'Too Many Requests — rate limit reached; slow down and try again later',
  500: 'Internal Server Error — the provider failed; try again later',
  502: 'Bad Gateway — the provider is unreachable behind its gateway; try again later',
  503: 'Service Unavailable — the provider is unavailable; try again later',
  504: 'Gateway Timeout — the provider did not answer in time; try again later',
};

/** A one-line message for an HTTP status, used when the body says nothing readable. */
export function statusMessage(status: number, provider?: ProviderId): string {
  if (status === 401 && provider === 'interacto') return "Unauthorized — check the profile's apiKey and instanceId";
  return statusTexts[status] ?? (status >= 500 ? `HTTP ${status} — the provider failed; try again later` : `HTTP ${status}`);
}

/**
 * The last resort: an unknown, empty or non-JSON body. code HTTP_<status>, a message from the
 * status (plus the body's own `message`/`error` text when it has one), the raw text as details.
 */
export function httpStatusError(provider: ProviderId, status: number, body: unknown): ProviderErrorInfo {
  const base = statusMessage(status, provider);
  if (isObject(body)) {
    const said = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : undefined;
    return { status, code: `HTTP_${status}`, message: said && said.trim() ? `${base} (${said.trim()})` : base };
  }
  if (typeof body === 'string' && body.trim() !== '') {
    const text = body.trim();
    return { status, code: `HTTP_${status}`, message: base, details: text.length > 500 ? `${text.slice(0, 500)}…` : text };
  }
  return { status, code: `HTTP_${status}`, message: base };
}

/**
 * Meta's error envelope (Cloud API, SocialMiner):
 * `{"error":{"message","type","code","error_subcode"?,"error_data"?:{"details"},"fbtrace_id"}}`.
 */
export function parseMetaError(status: number, body: unknown): ProviderErrorInfo | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const e = body.error;
  const hasCode = typeof e.code === 'number' || (typeof e.code === 'string' && e.code !== '');
  if (!hasCode && typeof e.message !== 'string') return undefined;
  const details = isObject(e.error_data) && typeof e.error_data.details === 'string' ? e.error_data.details.trim() : '';
  let message = typeof e.message === 'string' && e.message.trim() ? e.message.trim() : statusMessage(status);
  if (details && details !== message) message = `${message}: ${details}`;
  const extra: JsonObject = {};
  for (const key of ['type', 'error_subcode', 'error_user_title', 'error_user_msg', 'fbtrace_id']) {
    if (e[key] !== undefined) extra[key] = e[key];
  }
  return {
    status,
    code: hasCode ? String(e.code) : `HTTP_${status}`,
    message,
    ...(Object.keys(extra).length > 0 ? { details: extra } : {}),
  };
}

/**
 * WhatsApp on-premise errors (Turn): `{"errors":[{"code","title","details"}]}`. The first error
 * gives code and message ("title: details"); any further errors go to details.
 */
export function parseOnPremiseErrors(status: number, body: unknown): ProviderErrorInfo | undefined {
  if (!isObject(body) || !Array.isArray(body.errors) || body.errors.length === 0) return undefined;
  const [first, ...rest] = body.errors as unknown[];
  if (!isObject(first)) return undefined;
  const title = typeof first.title === 'string' ? first.title.trim() : '';
  const details = typeof first.details === 'string' ? first.details.trim() : '';
  const message = title && details ? `${title}: ${details}` : title || details || statusMessage(status);
  const hasCode = typeof first.code === 'number' || (typeof first.code === 'string' && first.code !== '');
  return {
    status,
    code: hasCode ? String(first.code) : `HTTP_${status}`,
    message,
    ...(rest.length > 0 ? { details: rest } : {}),
  };
}

// ───────────────────────────── hints ─────────────────────────────

const metaHints: Record<string, string> = {
  '130429': 'WhatsApp throughput reached for this number: send more slowly (lower --rate) and retry the failed messages',
  '131056': 'too many messages to this one recipient in a short time: wait before messaging this number again (other recipients may go on)',
  '80007': "the WhatsApp Business Account's rate limit was reached: wait a while, then retry (or lower --rate)",
  '4': "the app's API call rate limit was reached: wait a while, then retry (or lower --rate)",
  '131047':
    'more than 24 hours have passed since the recipient last replied: send an approved template instead (`interflow send template`)',
  '131026':
    'the message could not be delivered: check that the number is on WhatsApp, has accepted the latest terms and has not blocked you',
  '132000': 'the number of template parameters does not match the approved template: check --param and the header/button values',
  '132001': 'the template does not exist in that language or is not approved: check --name and --language',
  '132012': 'a template parameter has the wrong format for the approved template: check each --param, header and button value',
  '130472': "the recipient's number is part of a Meta experiment and got no marketing message: try again later",
  '131049': 'Meta chose not to deliver this marketing message, to keep engagement healthy: try again later or another template',
  '131057': 'the WhatsApp Business Account is in maintenance mode: wait, then send again (bulk waits and retries by itself)',
  '368':
    'the WhatsApp Business Account is blocked for policy violations: see Policy Enforcement in WhatsApp Manager; nothing more can be sent until it is lifted',
  '131031':
    'the WhatsApp Business Account is locked (a policy violation, or data that could not be verified): see WhatsApp Manager; nothing more can be sent until it is unlocked',
  '131042':
    'a payment problem on the WhatsApp Business Account (payment method, credit line, currency): fix it in WhatsApp Manager, then send again',
  '131048':
    "too many of this number's messages were blocked or reported as spam: check its quality rating in WhatsApp Manager before sending more",
  '131051': 'WhatsApp does not support this message type: send another kind of message',
  '131052': "WhatsApp could not download the media from the URL: check that the link is public and reachable, and the file's type and size",
  '131053': "WhatsApp could not use the media: check the file's type and size (Meta's supported media list)",
  '131021': 'the recipient is the sending number itself: send to another number',
  '131050': 'the recipient has chosen not to receive marketing messages from you',
  '132005': 'the template text with its parameters is too long: shorten the --param values',
  '132007': "the template's content breaks WhatsApp's policy: edit the template in WhatsApp Manager",
  '132015': 'the template is paused for low quality: edit it in WhatsApp Manager, or use another template',
  '132016': 'the template is disabled for low quality: use another template',
  '100': 'invalid parameter: check the message fields (`--dry-run` prints the exact request)',
  '190': "the access token is invalid or expired: update the profile's apiKey",
};

/**
 * Turn answers with the WhatsApp Business (on-premises) API's codes, not the Cloud API's: the
 * same situations under other numbers.
 */
const turnHints: Record<string, string> = {
  '470': metaHints['131047']!,
  '1013': metaHints['131026']!,
  '1015': 'too many requests: send more slowly (lower --rate) and retry the failed messages',
  '1005': "access denied: check the profile's apiKey (`interflow profiles show`)",
  '2000': metaHints['132000']!,
  '2001': metaHints['132001']!,
};

/** A one-line fix for a well-known Meta (WhatsApp) error code, or undefined. */
export function metaErrorHint(code: string): string | undefined {
  return Object.hasOwn(metaHints, code) ? metaHints[code] : undefined;
}

/**
 * A one-line fix for an error code in a webhook event (a failed status, a message's or a payload's
 * errors), or undefined. Meta-shaped events carry either numbering (Turn's on-premise codes such
 * as 470 do not collide with the Cloud API's such as 131047); Interflow's carry its own codes.
 */
export function webhookErrorHint(provider: 'interflow' | 'meta', code: string): string | undefined {
  if (provider === 'interflow') return errorHint('interflow', { status: 0, code, message: '' });
  return metaErrorHint(code) ?? (Object.hasOwn(turnHints, code) ? turnHints[code] : undefined);
}

/** A one-line fix for a provider's refusal, or undefined when there is nothing useful to say. */
export function errorHint(provider: ProviderId, info: ProviderErrorInfo): string | undefined {
  if (provider === 'interflow') {
    switch (info.code) {
      case 'CHANNEL_NOT_FOUND':
        return "no Interflow channel has the profile's channelId: check it with `interflow profiles show`";
      case 'CHANNEL_DISCONNECTED':
        return "the profile's channel is disconnected: reconnect it in Interflow, then send again";
      case 'VALIDATION_ERROR':
        return 'Interflow refused the fields named above: fix them (`--dry-run` prints the exact request)';
    }
  }
  if (provider === 'interacto' && info.code === 'NOT_FOUND') {
    return "no Interacto instance has the profile's instanceId, or its baseUrl is wrong: check them with `interflow profiles show`";
  }
  if (provider === 'interacto' && info.code === 'UNPROCESSABLE_ENTITY') {
    return "the profile's Interacto instance is disconnected from WhatsApp: reconnect it in Interacto, then send again";
  }
  if (provider === 'turn' && Object.hasOwn(turnHints, info.code)) return turnHints[info.code];
  if (provider === 'turn' || provider === 'socialminer') {
    const hint = metaErrorHint(info.code);
    if (hint) return hint;
  }
  if (info.status === 401 || info.status === 403) {
    return provider === 'interacto'
      ? "check the profile's apiKey and instanceId (`interflow profiles show`)"
      : "check the profile's apiKey (`interflow profiles show`)";
  }
  if (info.status === 429) return "rate limit reached: lower --rate or the profile's rateLimit, and retry later";
  if ((info.status === 404 || info.status === 405) && info.code === `HTTP_${info.status}`) {
    return "check the profile's baseUrl (`interflow profiles show`)";
  }
  return undefined;
}
