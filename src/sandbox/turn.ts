/**
 * Turn.io in the sandbox (docs/providers/turn.md), served under /turn:
 *
 *   POST /v1/messages   Authorization: Bearer TOKEN
 *
 * Turn speaks the WhatsApp on-premise API: no `messaging_product`, `preview_url` beside `text`,
 * template language as `{code, policy}`, the deprecated `hsm`, and interactive location requests.
 * Errors: `{errors:[{code, title, details}]}`; success: `{messages:[{id:"gBEG…"}]}`. What Turn forwards
 * from Meta (the refusals injected for chosen recipients) comes in Meta's envelope (./meta-errors.ts).
 */
import * as z from 'zod';
import {
  PHONE_RE,
  PHONE_RULE,
  REFUSED_RECIPIENT,
  bearerToken,
  fieldProblems,
  isJsonContentType,
  isPlainObject,
  randomAlnum,
  type FaultStatus,
  type FieldProblem,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
} from './common.js';
import { interactiveObject, languageObject, mediaByKind, parameterText, templateComponents, text } from './meta.js';
import { metaCodeAnswer } from './meta-errors.js';

const base = {
  to: z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE),
  recipient_type: z.optional(z.literal('individual')),
};

const language = languageObject(['deterministic', 'fallback']);

const localizableParam = z.strictObject({
  // A parameter's text, with the rules of template parameters (Meta's docs; Turn's hsm is WhatsApp's).
  default: parameterText(),
  currency: z.optional(z.strictObject({ currency_code: z.string().regex(/^[A-Z]{3}$/), amount_1000: z.int() })),
  date_time: z.optional(
    z.union([
      z.strictObject({
        component: z.strictObject({
          day_of_week: z.optional(z.int().min(1).max(7)),
          day_of_month: z.optional(z.int().min(1).max(31)),
          year: z.optional(z.int()),
          month: z.optional(z.int().min(1).max(12)),
          hour: z.optional(z.int().min(0).max(23)),
          minute: z.optional(z.int().min(0).max(59)),
        }),
      }),
      z.strictObject({ unix_epoch: z.strictObject({ timestamp: z.int() }) }),
    ]),
  ),
});

const media = <K extends keyof typeof mediaByKind>(kind: K) =>
  z.strictObject({ ...base, type: z.literal(kind), [kind]: mediaByKind[kind] } as typeof base & { type: z.ZodLiteral<K> } & Record<
      K,
      (typeof mediaByKind)[K]
    >);

/** One schema per message type Turn documents. */
export const turnSchemas = {
  text: z.strictObject({
    ...base,
    preview_url: z.optional(z.boolean()),
    type: z.optional(z.literal('text')),
    text: z.strictObject({ body: text(4096) }),
  }),
  audio: media('audio'),
  document: media('document'),
  image: media('image'),
  sticker: media('sticker'),
  video: media('video'),
  template: z.strictObject({
    ...base,
    type: z.literal('template'),
    template: z.strictObject({
      namespace: z.optional(text()),
      name: text(512),
      language,
      components: z.optional(templateComponents),
    }),
  }),
  interactive: z.strictObject({ ...base, type: z.literal('interactive'), interactive: interactiveObject('turn') }),
  hsm: z.strictObject({
    ...base,
    type: z.literal('hsm'),
    hsm: z.strictObject({
      namespace: text(),
      element_name: text(),
      language,
      localizable_params: z.optional(z.array(localizableParam)),
    }),
  }),
} as const;

export type TurnType = keyof typeof turnSchemas;
export const TURN_TYPES = Object.keys(turnSchemas) as TurnType[];

interface TurnError {
  code: number;
  title: string;
  details: string;
}

function errors(status: number, list: TurnError[], log?: string): HandlerResponse {
  return { status, body: { errors: list }, error: log ?? list.map((e) => `${e.title}: ${e.details}`).join('; ') };
}

function invalid(details: string): TurnError {
  return { code: 100, title: 'Invalid parameter', details };
}

function toTurnError(p: FieldProblem): TurnError {
  const field = p.field || 'body';
  if (p.kind === 'missing') return { code: 1008, title: 'Required parameter is missing', details: `Parameter '${field}' is required` };
  if (p.kind === 'unknown') {
    const hint = field === 'messaging_product' ? ' (Turn does not take messaging_product)' : '';
    return invalid(`Unknown parameter '${field}'${hint}`);
  }
  return invalid(`Parameter '${field}' ${p.message}`);
}

export interface TurnOptions {
  checkKey: KeyCheck;
  /** Meta's code to refuse a valid message to `to` with, if any (the sandbox's refusals: ./faults.ts); answered in Meta's envelope, as Turn forwards it. */
  refuse?: (to: string) => number | undefined;
}

/** Injected faults, as the WhatsApp on-premise API Turn speaks numbers them. */
const FAULTS: Record<FaultStatus, TurnError> = {
  429: { code: 1015, title: 'Too many requests', details: 'Rate limit hit: slow down and retry later' },
  500: { code: 1014, title: 'Internal error', details: 'Upload failed or internal server error: retry later' },
  502: { code: 1011, title: 'Service not ready', details: 'The service is not ready (bad gateway): retry later' },
  503: { code: 1011, title: 'Service not ready', details: 'The service is temporarily unavailable: retry later' },
  504: { code: 1011, title: 'Service not ready', details: 'The service did not answer in time (gateway timeout): retry later' },
};

export function createTurnHandler(opts: TurnOptions): ProviderHandler {
  const credential = (req: HandlerRequest): string | undefined => {
    const token = bearerToken(req.headers.authorization);
    return token !== undefined && opts.checkKey(token) ? token : undefined;
  };

  function send(req: HandlerRequest): HandlerResponse {
    if (credential(req) === undefined) {
      return errors(401, [{ code: 1005, title: 'Access denied', details: 'Invalid or missing bearer token in the Authorization header' }]);
    }
    const body = req.json.kind === 'json' ? req.json.value : undefined;
    const type = isPlainObject(body) ? (body.type === undefined ? 'text' : body.type) : undefined;
    const summary = {
      ...(typeof type === 'string' ? { messageType: type } : {}),
      ...(isPlainObject(body) && typeof body.to === 'string' ? { to: body.to } : {}),
    };
    if (!isJsonContentType(req.headers['content-type'])) {
      return { ...errors(400, [invalid('Content-Type must be application/json')]), ...summary };
    }
    if (req.json.kind !== 'json') {
      return errors(400, [
        invalid(req.json.kind === 'empty' ? 'Request body is empty' : `Request body is not valid JSON (${req.json.reason})`),
      ]);
    }
    if (!isPlainObject(body)) return errors(400, [invalid('Request body must be a JSON object')]);
    if (typeof type !== 'string' || !Object.hasOwn(turnSchemas, type)) {
      return {
        ...errors(400, [invalid(`Parameter 'type' must be one of ${TURN_TYPES.join(', ')} (got ${JSON.stringify(type)})`)]),
        ...summary,
      };
    }
    const parsed = turnSchemas[type as TurnType].safeParse(body);
    if (!parsed.success) return { ...errors(400, fieldProblems(parsed.error, body, 'en').map(toTurnError)), ...summary };
    if (body.to === REFUSED_RECIPIENT) {
      return {
        ...errors(400, [
          { code: 1013, title: 'User is not valid', details: `Recipient ${REFUSED_RECIPIENT} is not a valid WhatsApp user` },
        ]),
        ...summary,
      };
    }
    const injected = opts.refuse?.(body.to as string);
    if (injected !== undefined) return { ...metaCodeAnswer(injected), ...summary };
    const id = `gBEG${randomAlnum(23, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
    return { status: 200, body: { messages: [{ id }] }, messageId: id, ...summary };
  }

  return {
    provider: 'turn',
    sendPath: '/v1/messages',
    credential,
    fault: (status, rate) =>
      errors(status, [
        rate
          ? {
              ...FAULTS[429],
              details: `Rate limit hit: at most ${rate.limit} requests a minute; retry in ${rate.retryAfter ?? 1} second(s)`,
            }
          : FAULTS[status],
      ]),
    error: (status, message) =>
      errors(status, [status === 413 ? { code: 1000, title: 'Request too large', details: message } : invalid(message)]),
    handle(req) {
      if (req.path !== '/v1/messages') return undefined;
      if (req.method !== 'POST') {
        const refused = errors(405, [
          { code: 1000, title: 'Method not allowed', details: `${req.method} is not supported on /v1/messages` },
        ]);
        return { ...refused, headers: { Allow: 'POST' } };
      }
      return send(req);
    },
  };
}
