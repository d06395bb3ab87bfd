/**
 * SocialMiner in the sandbox (docs/providers/socialminer.md), served under /socialminer:
 *
 *   POST /api/Messages   apikey: KEY, version: 4.0
 *
 * Bodies are Meta's Cloud API message objects (docs/providers/meta.md, with its
 * "Corrections to Meta's OpenAPI description"): `messaging_product: "whatsapp"`, location
 * coordinates as strings, template language `{policy: "deterministic", code}`, interactive button
 * and list only. Nulls and the undocumented `Id` of SocialMiner's interactive example are refused.
 * Errors in Meta's envelope; success `{messaging_product, contacts, messages:[{id:"wamid.…"}]}`.
 */
import * as z from 'zod';
import {
  PHONE_RE,
  PHONE_RULE,
  REFUSED_RECIPIENT,
  bilingual,
  fieldProblems,
  isJsonContentType,
  isPlainObject,
  randomBytesPooled,
  summaryOf,
  type FaultStatus,
  type FieldProblem,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
} from './common.js';
import { interactiveObject, languageObject, mediaByKind, mediaObject, templateComponents, text } from './meta.js';
import { metaCodeAnswer, metaError } from './meta-errors.js';

const base = {
  messaging_product: z.literal('whatsapp'),
  // Meta's BaseMessageProperties requires it, and every SocialMiner example sends it.
  recipient_type: z.literal('individual'),
  to: z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE),
  context: z.optional(z.strictObject({ message_id: text() })),
};

const coordinate = (limit: number) =>
  z
    .string()
    .refine(
      (s) => /^-?\d+(\.\d+)?$/.test(s) && Math.abs(Number(s)) <= limit,
      bilingual(`must be a decimal number between -${limit} and ${limit}, as a string`, `deve ser um número decimal em texto`),
    );

const typed = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ ...shape, type: z.optional(z.enum(['HOME', 'WORK'])) });

/** Meta's ContactObject. */
const contact = z.strictObject({
  addresses: z.optional(
    z.array(
      typed({
        street: z.optional(z.string()),
        city: z.optional(z.string()),
        state: z.optional(z.string()),
        zip: z.optional(z.string()),
        country: z.optional(z.string()),
        country_code: z.optional(z.string()),
      }),
    ),
  ),
  birthday: z.optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
  emails: z.optional(z.array(typed({ email: text() }))),
  name: z.strictObject({
    formatted_name: text(),
    first_name: z.optional(z.string()),
    last_name: z.optional(z.string()),
    middle_name: z.optional(z.string()),
    suffix: z.optional(z.string()),
    prefix: z.optional(z.string()),
  }),
  org: z.optional(z.strictObject({ company: z.optional(z.string()), department: z.optional(z.string()), title: z.optional(z.string()) })),
  phones: z.optional(z.array(typed({ phone: text(), wa_id: z.optional(z.string()) }))),
  urls: z.optional(z.array(typed({ url: text() }))),
});

/** Meta's media objects; a sticker by id or link, as Meta's StickerMessage allows. */
const socialminerMedia = { ...mediaByKind, sticker: mediaObject() };

const media = <K extends keyof typeof socialminerMedia>(kind: K) =>
  z.strictObject({ ...base, type: z.literal(kind), [kind]: socialminerMedia[kind] } as typeof base & { type: z.ZodLiteral<K> } & Record<
      K,
      (typeof socialminerMedia)[K]
    >);

/** One schema per message type (Meta's Message oneOf, dispatched on type). */
export const socialminerSchemas = {
  text: z.strictObject({
    ...base,
    type: z.literal('text'),
    text: z.strictObject({ body: text(4096), preview_url: z.optional(z.boolean()) }),
  }),
  image: media('image'),
  audio: media('audio'),
  video: media('video'),
  document: media('document'),
  sticker: media('sticker'),
  location: z.strictObject({
    ...base,
    type: z.literal('location'),
    location: z.strictObject({
      latitude: coordinate(90),
      longitude: coordinate(180),
      name: z.optional(z.string()),
      address: z.optional(z.string()),
    }),
  }),
  contacts: z.strictObject({ ...base, type: z.literal('contacts'), contacts: z.array(contact).min(1).max(5) }),
  template: z.strictObject({
    ...base,
    type: z.literal('template'),
    template: z.strictObject({
      name: text(512),
      language: languageObject(['deterministic']),
      components: z.optional(templateComponents),
    }),
  }),
  interactive: z.strictObject({ ...base, type: z.literal('interactive'), interactive: interactiveObject('socialminer') }),
} as const;

export type SocialMinerType = keyof typeof socialminerSchemas;
export const SOCIALMINER_TYPES = Object.keys(socialminerSchemas) as SocialMinerType[];

function invalid(details: string): HandlerResponse {
  return metaError(400, 100, '(#100) Invalid parameter', details);
}

function describe(p: FieldProblem): string {
  const field = p.field || 'body';
  if (p.kind === 'unknown') return `Unexpected key "${field}"`;
  if (p.kind === 'missing') return `The parameter ${field} is required`;
  return `Param ${field} ${p.message}`;
}

function wamid(to: string): string {
  // The shape of a real wamid: a small protobuf-like header, the recipient, random bytes.
  const inner = Buffer.concat([
    Buffer.from([0x1c, 0x18, to.length]),
    Buffer.from(to),
    Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]),
    randomBytesPooled(18),
  ]);
  return `wamid.${inner.toString('base64')}`;
}

export interface SocialMinerOptions {
  checkKey: KeyCheck;
  /** Meta's code to refuse a valid message to `to` with, if any (the sandbox's refusals: ./faults.ts). */
  refuse?: (to: string) => number | undefined;
}

/** Injected faults in Meta's numbering: 130429 throughput, 1 unknown error, 2 service unavailable. */
const FAULTS: Record<FaultStatus, [number, string]> = {
  429: [130429, '(#130429) Rate limit hit'],
  500: [1, '(#1) An unknown error occurred'],
  502: [2, '(#2) Service temporarily unavailable'],
  503: [2, '(#2) Service temporarily unavailable'],
  504: [2, '(#2) Service temporarily unavailable'],
};

export function createSocialMinerHandler(opts: SocialMinerOptions): ProviderHandler {
  const credential = (req: HandlerRequest): string | undefined => {
    const key = req.headers.apikey;
    return key === undefined || key.trim() === '' || !opts.checkKey(key) ? undefined : key;
  };

  function send(req: HandlerRequest): HandlerResponse {
    if (credential(req) === undefined) {
      return metaError(401, 190, 'Invalid OAuth access token - Cannot parse access token (apikey header missing or invalid)');
    }
    const summary = summaryOf(req.json.kind === 'json' ? req.json.value : undefined);
    const version = req.headers.version;
    if (version !== '4.0') {
      const why =
        version === undefined
          ? 'The version header is required: version: 4.0'
          : `Unsupported version header "${version}": use version: 4.0`;
      return { ...invalid(why), ...summary };
    }
    if (!isJsonContentType(req.headers['content-type'])) return { ...invalid('Content-Type must be application/json'), ...summary };
    if (req.json.kind !== 'json') {
      return invalid(req.json.kind === 'empty' ? 'Request body is empty' : `Request body is not valid JSON (${req.json.reason})`);
    }
    const body = req.json.value;
    if (!isPlainObject(body)) return invalid('Request body must be a JSON object');
    const type = body.type;
    if (type === undefined) {
      return { ...metaError(400, 100, '(#100) The parameter type is required.', 'The parameter type is required'), ...summary };
    }
    if (typeof type !== 'string' || !Object.hasOwn(socialminerSchemas, type)) {
      return { ...invalid(`Param type must be one of ${SOCIALMINER_TYPES.join(', ')} (got ${JSON.stringify(type)})`), ...summary };
    }
    const parsed = socialminerSchemas[type as SocialMinerType].safeParse(body);
    if (!parsed.success) {
      const problems = fieldProblems(parsed.error, body, 'en');
      const first = problems[0]!;
      const message = first.kind === 'missing' ? `(#100) The parameter ${first.field} is required.` : '(#100) Invalid parameter';
      return { ...metaError(400, 100, message, problems.map(describe).join('; ')), ...summary };
    }
    const to = body.to as string;
    if (to === REFUSED_RECIPIENT) {
      return {
        ...metaError(400, 131026, '(#131026) Message undeliverable', `Recipient ${to} is not a valid WhatsApp user`),
        ...summary,
      };
    }
    const injected = opts.refuse?.(to);
    if (injected !== undefined) return { ...metaCodeAnswer(injected), ...summary };
    const id = wamid(to);
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id }] },
      messageId: id,
      ...summary,
    };
  }

  return {
    provider: 'socialminer',
    sendPath: '/api/Messages',
    credential,
    fault: (status, rate) => {
      const [code, message] = FAULTS[status];
      const details = rate ? `At most ${rate.limit} requests a minute: retry in ${rate.retryAfter ?? 1} second(s)` : undefined;
      return metaError(status, code, message, details);
    },
    error: (status, message) => metaError(status, 100, `(#100) ${message}`, message),
    handle(req) {
      if (req.path !== '/api/Messages') return undefined;
      if (req.method !== 'POST') {
        return { ...metaError(405, 100, `(#100) Unsupported ${req.method} request`), headers: { Allow: 'POST' } };
      }
      return send(req);
    },
  };
}
