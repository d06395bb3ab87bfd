/**
 * Interacto in the sandbox (docs/providers/interacto.md), served under /interacto:
 *
 *   POST /message/contact   Authorization: KEY (no "Bearer"), Instance-Id: ID
 *
 * Errors are NestJS's: `{statusCode, message, error}`, with `message` a list of field problems
 * on 400 (class-validator style).
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
  isoSeconds,
  randomBytesPooled,
  type FaultStatus,
  type FieldProblem,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
} from './common.js';
import { metaWords, refusalKind } from './meta-errors.js';

const phone = z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE);

/** The body of POST /message/contact, as the document's table and example give it. */
export const interactoContactSchema = z.strictObject({
  to: phone,
  contact: z.strictObject({
    name: z.string().min(1),
    phone,
  }),
  delay: z.optional(z.number().min(0)),
  typing: z.optional(z.number().min(0)),
  priority: z.optional(z.int()),
  tags: z.optional(z.array(z.string().min(1))),
  metadata: z.optional(
    z
      .record(z.string(), z.unknown())
      .refine((m) => Object.values(m).every((v) => v !== null), bilingual('must not have null values', 'não pode ter valores null')),
  ),
});

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Injected faults, as a NestJS server answers them (429 is @nestjs/throttler's). */
const FAULTS: Record<FaultStatus, string> = {
  429: 'ThrottlerException: Too Many Requests',
  500: 'Internal server error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function nest(status: number, message: string | string[]): HandlerResponse {
  return {
    status,
    body: { statusCode: status, message, error: statusText[status] ?? 'Error' },
    error: Array.isArray(message) ? message.join('; ') : message,
  };
}

function describe(p: FieldProblem): string {
  const field = p.field || 'body';
  if (p.kind === 'unknown') return `a propriedade ${field} não deve existir`;
  if (p.kind === 'missing') return `${field} é obrigatório`;
  return `${field} ${p.message}`;
}

/** A MongoDB ObjectId-like id: 4 bytes of seconds, 8 random bytes (24 hex chars). */
function objectId(): string {
  const time = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return time + randomBytesPooled(8).toString('hex');
}

export interface InteractoOptions {
  checkKey: KeyCheck;
  instances: string[];
  /** The --refuse code for a valid message to `to`, if any (the sandbox's refusals: ./faults.ts), answered as Interacto would. */
  refuse?: (to: string) => number | undefined;
}

/**
 * Interacto's answer to a --refuse code (Meta's, ./meta-errors.ts), for the same situation, in
 * NestJS's shape (Interacto documents no error): 401 for the key, 429 ThrottlerException with
 * Retry-After: 1, 503, 422 "Instância … desconectada" for a blocked account or number, and 400
 * with Meta's words naming `to` or `contact` for a refused recipient or message.
 */
export function interactoRefusal(code: number, instanceId: string): HandlerResponse {
  const { title, details } = metaWords(code);
  const as = (answer: HandlerResponse): HandlerResponse => ({ ...answer, error: `${answer.status} (--refuse ${code})` });
  switch (refusalKind(code)) {
    case 'auth':
      return as(nest(401, 'API key inválida ou expirada'));
    case 'rate':
      return as({ ...nest(429, 'ThrottlerException: Too Many Requests'), headers: { 'Retry-After': '1' } });
    case 'unavailable':
      return as(nest(503, FAULTS[503]));
    case 'blocked':
      return as(nest(422, `Instância ${instanceId} desconectada do WhatsApp: ${title} (WhatsApp ${code})`));
    case 'recipient':
      return as(nest(400, [`to: ${title} (WhatsApp ${code}): ${details}`]));
    case 'template':
    case 'message':
      return as(nest(400, [`contact: ${title} (WhatsApp ${code}): ${details}`]));
  }
}

export function createInteractoHandler(opts: InteractoOptions): ProviderHandler {
  const credential = (req: HandlerRequest): string | undefined => {
    const auth = req.headers.authorization;
    return auth === undefined || auth.trim() === '' || /^Bearer\s/i.test(auth) || !opts.checkKey(auth) ? undefined : auth;
  };

  function send(req: HandlerRequest): HandlerResponse {
    const auth = req.headers.authorization;
    if (credential(req) === undefined) {
      const why =
        auth !== undefined && /^Bearer\s/i.test(auth)
          ? 'API key inválida: envie a chave em Authorization sem o prefixo "Bearer"'
          : 'API key inválida ou ausente';
      return nest(401, why);
    }
    const instanceId = req.headers['instance-id'];
    if (instanceId === undefined || instanceId.trim() === '') {
      return nest(400, ['o header Instance-Id é obrigatório']);
    }
    if (!opts.instances.includes(instanceId)) {
      return nest(404, `Instância ${instanceId} não encontrada`);
    }
    const body = req.json.kind === 'json' ? req.json.value : undefined;
    const to = isPlainObject(body) && typeof body.to === 'string' ? { to: body.to } : {};
    if (!isJsonContentType(req.headers['content-type'])) {
      return { ...nest(400, ['o header Content-Type deve ser application/json']), messageType: 'contact', ...to };
    }
    if (req.json.kind !== 'json') {
      return nest(400, [
        req.json.kind === 'empty' ? 'o corpo da requisição está vazio' : `o corpo não é um JSON válido (${req.json.reason})`,
      ]);
    }
    if (!isPlainObject(body)) return nest(400, ['o corpo deve ser um objeto JSON']);
    const parsed = interactoContactSchema.safeParse(body);
    if (!parsed.success) {
      return { ...nest(400, fieldProblems(parsed.error, body, 'pt').map(describe)), messageType: 'contact', ...to };
    }
    const msg = parsed.data;
    if (msg.to === REFUSED_RECIPIENT) {
      return { ...nest(400, [`to: o número ${msg.to} não está no WhatsApp`]), messageType: 'contact', to: msg.to };
    }
    const injected = opts.refuse?.(msg.to);
    if (injected !== undefined) return { ...interactoRefusal(injected, instanceId), messageType: 'contact', to: msg.to };
    const id = objectId();
    return {
      status: 201,
      body: {
        statusCode: 201,
        message: 'request successful',
        data: {
          id,
          instanceId,
          to: msg.to,
          midia: { name: msg.contact.name, phone: msg.contact.phone },
          status: 'QUEUED',
          sended: false,
          priority: msg.priority ?? 0,
          timestamp: isoSeconds(),
          metadata: msg.metadata ?? {},
        },
      },
      messageId: id,
      messageType: 'contact',
      to: msg.to,
    };
  }

  return {
    provider: 'interacto',
    sendPath: '/message/contact',
    credential,
    fault: (status, rate) =>
      nest(status, rate ? `ThrottlerException: Too Many Requests (at most ${rate.limit} requests a minute)` : FAULTS[status]),
    error: (status, message) => nest(status, status === 400 ? [message] : message),
    handle(req) {
      if (req.path !== '/message/contact') return undefined;
      if (req.method !== 'POST') return { ...nest(405, `Cannot ${req.method} /message/contact`), headers: { Allow: 'POST' } };
      return send(req);
    },
  };
}
