/**
 * Meta's error envelope, as the Cloud API answers (docs/providers/meta.md, "Errors"), and the codes
 * the sandbox can answer for chosen recipients (`refusals`, --refuse): SocialMiner answers in this
 * envelope, and Turn too for what it forwards from Meta (Turn's Errors page: "Turn acts as a
 * forwarding service to Meta").
 *
 *   {"error":{"message":"(#131056) …","type":"OAuthException","code":131056,
 *             "error_data":{"messaging_product":"whatsapp","details":"…"},"fbtrace_id":"…"}}
 *
 * Titles, details and HTTP statuses are those of Meta's error-code page (WhatsApp Cloud API,
 * Support → Error codes).
 */
import { randomBytesPooled, type HandlerResponse } from './common.js';

function fbtrace(): string {
  return randomBytesPooled(9).toString('base64').replace(/[+/=]/g, 'A');
}

/** An answer in Meta's error envelope. */
export function metaError(status: number, code: number, message: string, details?: string, type = 'OAuthException'): HandlerResponse {
  return {
    status,
    body: {
      error: {
        message,
        type,
        code,
        ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp', details } }),
        fbtrace_id: fbtrace(),
      },
    },
    error: details ?? message,
  };
}

/** code → [HTTP status, title, details]. */
export const META_ERRORS: Readonly<Record<number, readonly [number, string, string]>> = {
  0: [401, 'AuthException', 'We were unable to authenticate the app user'],
  4: [429, 'Application request limit reached', 'The app has reached its API call rate limit'],
  100: [400, 'Invalid parameter', 'The request included one or more unsupported or misspelled parameters'],
  190: [401, 'Access token has expired', 'Error validating access token: Session has expired'],
  368: [
    403,
    'Temporarily blocked for policies violations',
    'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy',
  ],
  80007: [429, 'Rate limit issues', 'The WhatsApp Business Account has reached its rate limit'],
  130429: [
    429,
    'Rate limit hit',
    'Message failed to send because there were too many messages sent from this phone number in a short period of time',
  ],
  130472: [400, "User's number is part of an experiment", 'Message was not sent as part of an experiment'],
  131008: [400, 'Required parameter is missing', 'The request is missing a required parameter'],
  131009: [400, 'Parameter value is not valid', 'One or more parameter values are invalid'],
  131021: [400, 'Recipient cannot be sender', 'Sender and recipient phone number is the same'],
  131026: [
    400,
    'Message undeliverable',
    'Unable to deliver message: the recipient may not be on WhatsApp or has not accepted the latest terms',
  ],
  131031: [
    403,
    'Account has been locked',
    'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy, or data could not be verified',
  ],
  131042: [400, 'Business eligibility payment issue', 'There was an error related to your payment method'],
  131047: [
    400,
    'Re-engagement message',
    'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
  ],
  131048: [
    429,
    'Spam rate limit hit',
    'Message failed to send because there are restrictions on how many messages can be sent from this phone number',
  ],
  131049: [400, 'Meta chose not to deliver', 'This message was not delivered to maintain healthy ecosystem engagement'],
  131050: [400, 'User has stopped marketing messages', 'The user has chosen to stop receiving marketing messages from you'],
  131051: [400, 'Unsupported message type', 'Message type is not currently supported'],
  131052: [400, 'Media download error', 'Unable to download the media sent by the user'],
  131053: [400, 'Media upload error', 'Unable to upload the media used in the message'],
  131056: [
    429,
    '(Business Account, Consumer Account) pair rate limit hit',
    'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time',
  ],
  131057: [500, 'Account in maintenance mode', 'Business Account is in maintenance mode'],
  132000: [
    400,
    'Template Param Count Mismatch',
    'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template',
  ],
  132001: [404, 'Template does not exist', 'The template does not exist in the specified language or the template has not been approved'],
  132005: [400, 'Template Hydrated Text Too Long', 'Translated text is too long'],
  132007: [400, 'Template Format Character Policy Violated', 'Template content violates a WhatsApp policy'],
  132012: [400, 'Template Parameter Format Mismatch', 'Variable parameter values formatted incorrectly'],
  132015: [400, 'Template is Paused', 'Template is paused due to low quality so it cannot be sent in a template message'],
  132016: [400, 'Template is Disabled', 'Template has been paused too many times due to low quality and is now permanently disabled'],
};

/** Meta's answer for one of META_ERRORS. */
export function metaCodeAnswer(code: number): HandlerResponse {
  const [status, title, details] = META_ERRORS[code]!;
  return metaError(status, code, `(#${code}) ${title}`, details);
}

/**
 * What each of META_ERRORS means for a sender, so that Interflow and Interacto, which do not speak
 * Meta's codes, can answer a --refuse code with their own answer for the same situation
 * (./interflow.ts, ./interacto.ts): the key refused, a rate limit, the provider down, the
 * account or channel blocked, the recipient refused, the template or the message refused.
 */
export type RefusalKind = 'auth' | 'rate' | 'unavailable' | 'blocked' | 'recipient' | 'template' | 'message';

const KIND_CODES: Readonly<Record<RefusalKind, readonly number[]>> = {
  auth: [0, 190],
  rate: [4, 80007, 130429, 131056],
  unavailable: [131057],
  blocked: [368, 131031, 131042, 131048],
  recipient: [131026, 131021, 130472, 131047, 131049, 131050],
  template: [132000, 132001, 132005, 132007, 132012, 132015, 132016],
  message: [100, 131008, 131009, 131051, 131052, 131053],
};

const kindOf = new Map<number, RefusalKind>();
for (const [kind, codes] of Object.entries(KIND_CODES) as [RefusalKind, readonly number[]][]) {
  for (const code of codes) kindOf.set(code, kind);
}
for (const code of Object.keys(META_ERRORS).map(Number)) {
  if (!kindOf.has(code)) throw new Error(`meta-errors: ${code} has no refusal kind`);
}

/** The situation a refusal code stands for (every code of META_ERRORS has one). */
export function refusalKind(code: number): RefusalKind {
  return kindOf.get(code)!;
}

/** The kinds that refuse a whole request, not one message of it (an Interflow batch answers them for all its items). */
export const REQUEST_KINDS: ReadonlySet<RefusalKind> = new Set(['auth', 'rate', 'unavailable', 'blocked']);

/** Meta's title and details for a code, for the words of another provider's answer. */
export function metaWords(code: number): { title: string; details: string } {
  const [, title, details] = META_ERRORS[code]!;
  return { title, details };
}
