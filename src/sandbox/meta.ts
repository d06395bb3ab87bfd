/**
 * WhatsApp message shapes shared by the sandbox's Turn and SocialMiner handlers (both follow
 * Meta's shapes: docs/providers/turn.md, docs/providers/socialminer.md and Meta's OpenAPI with
 * the corrections docs/providers/meta.md lists), and the Meta-style template components
 * Interflow's template content takes (docs/providers/interflow.md, "Sending").
 *
 * Every object is strict (an undocumented key is refused) and nothing is nullable.
 */
import * as z from 'zod';
import { bilingual, chars, isHttpUrl } from './common.js';

/** A non-empty string of at most `max` characters (code points). */
export function text(max?: number) {
  const s = z.string().min(1);
  return max === undefined
    ? s
    : s.refine((v) => chars(v) <= max, bilingual(`must be at most ${max} characters`, `deve ter no máximo ${max} caracteres`));
}

export const httpUrl = z.string().refine(isHttpUrl, bilingual('must be an http(s) URL', 'deve ser uma URL http(s)'));

const exactlyOneSource = bilingual('must have exactly one of id or link', 'deve ter exatamente um de id ou link');

/**
 * A media object: `{id}` or `{link}` (exactly one), plus the extra keys allowed where it is used
 * (caption, filename, Turn's provider).
 */
export function mediaObject(extra: { caption?: boolean; filename?: boolean; provider?: boolean; linkAllowed?: boolean } = {}) {
  const linkAllowed = extra.linkAllowed ?? true;
  const shape = {
    id: z.optional(text()),
    ...(linkAllowed ? { link: z.optional(httpUrl) } : {}),
    ...(extra.caption ? { caption: z.optional(text(1024)) } : {}),
    ...(extra.filename ? { filename: z.optional(text(240)) } : {}),
    ...(extra.provider ? { provider: z.optional(z.strictObject({ name: text() })) } : {}),
  };
  const obj = z.strictObject(shape);
  if (!linkAllowed) {
    return obj.refine((m) => (m as { id?: string }).id !== undefined, {
      ...bilingual('is required (only a media id is accepted here)', 'é obrigatório (só id de mídia é aceito aqui)'),
      path: ['id'],
    });
  }
  return obj
    .refine((m) => ((m as { id?: string }).id === undefined) !== ((m as { link?: string }).link === undefined), exactlyOneSource)
    .refine(
      (m) => !(extra.provider && (m as { provider?: unknown }).provider !== undefined && (m as { link?: string }).link === undefined),
      {
        ...bilingual('must only be given with link', 'só pode ser usado com link'),
        path: ['provider'],
      },
    );
}

/** Top-level media of a message of type audio|document|image|sticker|video. */
export const mediaByKind = {
  audio: mediaObject(),
  document: mediaObject({ caption: true, filename: true }),
  image: mediaObject({ caption: true }),
  sticker: mediaObject({ linkAllowed: false }),
  video: mediaObject({ caption: true }),
} as const;
export type MediaKind = keyof typeof mediaByKind;
export const MEDIA_KINDS = Object.keys(mediaByKind) as MediaKind[];

// ---------------------------------------------------------------------------------------------
// Template components (Meta's TemplateComponent, dispatched on type as the README says)

/**
 * The text of a template parameter: Meta's template docs say it "cannot have new-line/tab
 * characters or more than 4 consecutive spaces" (the provider refuses it, 132018).
 */
export function parameterText(max?: number) {
  return text(max).refine(
    (s) => !/[\r\n\t]/.test(s) && !s.includes('     '),
    bilingual(
      'must not contain a line break, a tab or more than 4 consecutive spaces',
      'não pode conter quebra de linha, tab ou mais de 4 espaços seguidos',
    ),
  );
}

const textParameter = z.strictObject({ type: z.literal('text'), text: parameterText(32768) });
const currencyParameter = z.strictObject({
  type: z.literal('currency'),
  currency: z.strictObject({
    fallback_value: text(),
    code: z.string().regex(/^[A-Z]{3}$/),
    amount_1000: z.int(),
  }),
});
const dateTimeParameter = z.strictObject({
  type: z.literal('date_time'),
  date_time: z.strictObject({ fallback_value: text() }),
});
const imageParameter = z.strictObject({ type: z.literal('image'), image: mediaObject() });
const videoParameter = z.strictObject({ type: z.literal('video'), video: mediaObject() });
const documentParameter = z.strictObject({ type: z.literal('document'), document: mediaObject({ filename: true }) });

const headerComponent = z.strictObject({
  type: z.literal('header'),
  parameters: z.optional(
    z
      .array(z.discriminatedUnion('type', [textParameter, imageParameter, videoParameter, documentParameter]))
      .min(1)
      .max(1),
  ),
});

const bodyComponent = z.strictObject({
  type: z.literal('body'),
  parameters: z.optional(z.array(z.discriminatedUnion('type', [textParameter, currencyParameter, dateTimeParameter]))),
});

const buttonIndex = z
  .string()
  .refine((s) => /^[0-9]+$/.test(s), bilingual('must be a digit string like "0"', 'deve ser um número em texto, como "0"'));

const buttonComponent = z.discriminatedUnion('sub_type', [
  z.strictObject({
    type: z.literal('button'),
    sub_type: z.literal('quick_reply'),
    index: buttonIndex,
    parameters: z
      .array(z.strictObject({ type: z.literal('payload'), payload: text() }))
      .min(1)
      .max(1),
  }),
  z.strictObject({
    type: z.literal('button'),
    sub_type: z.literal('url'),
    index: buttonIndex,
    parameters: z
      .array(z.strictObject({ type: z.literal('text'), text: text() }))
      .min(1)
      .max(1),
  }),
]);

const component = z.discriminatedUnion('type', [headerComponent, bodyComponent, buttonComponent]);

/** Meta's components array: one header at most, one body at most, distinct button indexes. */
export const templateComponents = z
  .array(component)
  .refine(
    (cs) => cs.filter((c) => c.type === 'header').length <= 1,
    bilingual('must have at most one header component', 'deve ter no máximo um componente header'),
  )
  .refine(
    (cs) => cs.filter((c) => c.type === 'body').length <= 1,
    bilingual('must have at most one body component', 'deve ter no máximo um componente body'),
  )
  .refine(
    (cs) => {
      const indexes = cs.flatMap((c) => (c.type === 'button' ? [c.index] : []));
      return new Set(indexes).size === indexes.length;
    },
    bilingual('must not have two buttons with the same index', 'não pode ter dois botões com o mesmo index'),
  );

/** Language object `{code, policy}`; Meta (SocialMiner) documents only "deterministic", Turn also "fallback". */
export function languageObject(policies: readonly [string, ...string[]]) {
  return z.strictObject({
    code: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/),
    policy: z.enum(policies),
  });
}

// ---------------------------------------------------------------------------------------------
// Interactive (Meta's InteractiveObject: button and list; Turn adds location_request_message)

function interactiveHeader(provider: boolean) {
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), text: text(60) }),
    z.strictObject({ type: z.literal('image'), image: mediaObject({ provider }) }),
    z.strictObject({ type: z.literal('video'), video: mediaObject({ provider }) }),
    z.strictObject({ type: z.literal('document'), document: mediaObject({ provider, filename: true }) }),
  ]);
}

const body = z.strictObject({ text: text(1024) });
const footer = z.strictObject({ text: text(60) });

const replyButtons = z
  .array(z.strictObject({ type: z.literal('reply'), reply: z.strictObject({ id: text(256), title: text(20) }) }))
  .min(1)
  .max(3)
  .refine(
    (bs) => new Set(bs.map((b) => b.reply.id)).size === bs.length,
    bilingual('must have unique button ids', 'deve ter ids de botão únicos'),
  )
  .refine(
    (bs) => new Set(bs.map((b) => b.reply.title)).size === bs.length,
    bilingual('must have unique button titles', 'deve ter títulos de botão únicos'),
  );

const sections = z
  .array(
    z.strictObject({
      title: z.optional(text(24)),
      rows: z
        .array(z.strictObject({ id: text(200), title: text(24), description: z.optional(text(72)) }))
        .min(1)
        .max(10),
    }),
  )
  .min(1)
  .max(10)
  .refine(
    (ss) => ss.reduce((n, s) => n + s.rows.length, 0) <= 10,
    bilingual('must have at most 10 rows in all sections together', 'deve ter no máximo 10 linhas somando todas as seções'),
  )
  .refine(
    (ss) => ss.length === 1 || ss.every((s) => s.title !== undefined),
    bilingual('must give every section a title when there is more than one', 'deve dar title a cada seção quando há mais de uma'),
  )
  .refine(
    (ss) => {
      const ids = ss.flatMap((s) => s.rows.map((r) => r.id));
      return new Set(ids).size === ids.length;
    },
    bilingual('must have unique row ids across all sections', 'deve ter ids de linha únicos em todas as seções'),
  );

export function interactiveObject(flavour: 'turn' | 'socialminer') {
  const provider = flavour === 'turn';
  const options = [
    z.strictObject({
      type: z.literal('button'),
      header: z.optional(interactiveHeader(provider)),
      body,
      footer: z.optional(footer),
      action: z.strictObject({ buttons: replyButtons }),
    }),
    z.strictObject({
      type: z.literal('list'),
      // WhatsApp list messages take a text header only.
      header: z.optional(z.strictObject({ type: z.literal('text'), text: text(60) })),
      body,
      footer: z.optional(footer),
      action: z.strictObject({ button: text(20), sections }),
    }),
  ] as const;
  if (flavour === 'socialminer') return z.discriminatedUnion('type', [...options]);
  return z.discriminatedUnion('type', [
    ...options,
    z.strictObject({
      type: z.literal('location_request_message'),
      body: z.strictObject({ type: z.literal('text'), text: text(1024) }),
      action: z.strictObject({ name: z.literal('send_location') }),
    }),
  ]);
}
