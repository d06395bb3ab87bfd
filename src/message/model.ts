/**
 * The provider-neutral message model. Every way of making a message (flags, template file,
 * contact file, vCard, CSV row) produces one of these; every provider adapter turns one of these
 * into that provider's exact request, or refuses it naming what the provider supports.
 *
 * zod/mini keeps startup cheap (full zod costs about 2.5x a bare node start, mini about 1.5x).
 * Limits are WhatsApp's own (Meta's Cloud API): they are checked here so that a message that
 * WhatsApp would refuse is refused before anything is sent.
 */
import * as z from 'zod/mini';

/** Builds a schema on first use and keeps it. */
const once = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => (built ??= build());
};

/** Length in characters as a person counts them (code points, so an emoji counts once). */
const chars = (s: string): number => [...s].length;

/**
 * Whitespace and the zero-width characters (U+200B-U+200D, U+2060, U+FEFF): text made only of
 * these arrives empty. VISIBLE finds a character that is none of them (stopping at the first,
 * without copying the text: this runs on every bulk row).
 */
const VISIBLE = /[^\s\u200b-\u200d\u2060\ufeff]/;
export const isBlank = (s: string): boolean => !VISIBLE.test(s);

/** The rules of a text field, each its own check (its own message) in `text`, all at once in plainTextMessage. */
const hasNoNul = (s: string): boolean => !s.includes('\0');
// A string has at least as many UTF-16 units as characters: counting them is needed only past max units.
const fitsIn = (s: string, max: number): boolean => s.length <= max || chars(s) <= max;

const text = (field: string, max: number) =>
  z.string({ error: `${field} must be text` }).check(
    z.refine((s) => !isBlank(s), { message: `${field} must not be empty (spaces and zero-width characters do not count)` }),
    z.refine(hasNoNul, { message: `${field} holds a NUL character (\\0): remove it` }),
    z.refine((s) => fitsIn(s, max), { message: `${field} is longer than ${max} characters` }),
  );

const optionalText = (field: string, max: number) => z.optional(text(field, max));

/**
 * A public http(s) URL, exactly as it will be sent: a space, a line break or another control
 * character is refused, not encoded (the URL parser would silently drop a CR LF or re-encode a
 * space, so the provider would fetch another URL than the one given).
 */
const mediaUrl = (field: string) =>
  z.url({ protocol: /^https?$/, error: `${field} must be an http(s) URL` }).check(
    // eslint-disable-next-line no-control-regex -- a URL with a control character is refused
    z.refine((s) => !/[\s\x00-\x1f\x7f]/.test(s), {
      message: `${field} holds a space, a line break or a control character: percent-encode it (a space is %20)`,
    }),
  );

/**
 * What WhatsApp refuses in a template parameter's text (Meta's template docs: "cannot have
 * new-line/tab characters or more than 4 consecutive spaces"), or undefined when it is fine.
 */
export function parameterTextProblem(s: string): string | undefined {
  if (/[\r\n]/.test(s)) return 'holds a line break';
  if (s.includes('\t')) return 'holds a tab';
  if (s.includes('     ')) return 'holds more than 4 spaces in a row';
  return undefined;
}

const PARAMETER_RULE = 'WhatsApp refuses line breaks, tabs and more than 4 spaces in a row in template parameters';

/** A list of template parameter texts: each one checked, its number (from 1) named. */
const parameterTexts = <T>(text: (item: T) => string | undefined) =>
  z.superRefine((items: T[], ctx) => {
    items.forEach((item, i) => {
      const s = text(item);
      const problem = s === undefined ? undefined : parameterTextProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: `parameter ${i + 1} ${problem}: ${PARAMETER_RULE}`, path: [i], input: s });
    });
  });

/** A normalized recipient: digits with the country code (E.164 without +). */
const RECIPIENT = /^[1-9]\d{6,14}$/;

/** A recipient after normalization: country code + national number, digits only (E.164 without '+'). */
export const recipientSchema = once(() =>
  z
    .string({ error: 'to must be a phone number' })
    .check(z.regex(RECIPIENT, { message: 'to must be digits with country code (E.164 without +)' })),
);

/** A decimal coordinate kept as the user typed it (SocialMiner sends strings, Interflow numbers). */
const coordinate = (field: string, limit: number) =>
  z.string({ error: `${field} must be a number` }).check(
    z.regex(/^-?\d+(\.\d+)?$/, { message: `${field} must be a decimal number like -23.5505` }),
    z.refine((s) => Math.abs(Number(s)) <= limit, { message: `${field} must be between -${limit} and ${limit}` }),
  );

export const mediaKinds = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaKind = (typeof mediaKinds)[number];
export const isMediaKind = (k: string): k is MediaKind => (mediaKinds as readonly string[]).includes(k);

/** Interacto's per-message options. Other providers refuse them. */
export const interactoOptionsSchema = once(() =>
  z.strictObject({
    delay: z.optional(z.number().check(z.nonnegative({ message: 'delay must be 0 or more seconds' }))),
    typing: z.optional(z.number().check(z.nonnegative({ message: 'typing must be 0 or more seconds' }))),
    priority: z.optional(z.int({ error: 'priority must be a whole number' })),
    tags: z.optional(z.array(text('tag', 256))),
    metadata: z.optional(z.record(z.string(), z.string())),
  }),
);
export type InteractoOptions = z.infer<ReturnType<typeof interactoOptionsSchema>>;

const base = () => ({
  to: recipientSchema(),
  options: z.optional(interactoOptionsSchema()),
});

/** The longest text of a text message, in characters. */
const TEXT_MAX = 4096;

export const textMessageSchema = once(() =>
  z.strictObject({
    type: z.literal('text'),
    ...base(),
    text: text('text', TEXT_MAX),
    /** preview_url (Turn at the top level, SocialMiner inside text). */
    previewUrl: z.optional(z.boolean()),
  }),
);

export const mediaMessageSchema = once(() =>
  z
    .strictObject({
      type: z.literal('media'),
      ...base(),
      kind: z.enum(mediaKinds, { error: `kind must be one of ${mediaKinds.join(', ')}` }),
      /** Provider media id (Turn, SocialMiner). */
      id: optionalText('media id', 512),
      /** Public http(s) URL (Interflow; Turn and SocialMiner as `link`). */
      url: z.optional(mediaUrl('url')),
      caption: optionalText('caption', 1024),
      filename: optionalText('filename', 240),
    })
    .check(
      z.refine((m) => (m.id === undefined) !== (m.url === undefined), {
        message: 'give exactly one of --url or --id',
        path: ['url'],
      }),
      z.refine((m) => m.caption === undefined || ['image', 'video', 'document'].includes(m.kind), {
        message: 'caption is only for image, video and document',
        path: ['caption'],
      }),
      z.refine((m) => m.filename === undefined || m.kind === 'document', {
        message: 'filename is only for documents',
        path: ['filename'],
      }),
    ),
);

export const locationMessageSchema = once(() =>
  z.strictObject({
    type: z.literal('location'),
    ...base(),
    latitude: coordinate('latitude', 90),
    longitude: coordinate('longitude', 180),
    name: optionalText('name', 1000),
    address: optionalText('address', 1000),
  }),
);

/** The first value given twice, if any. */
function duplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/** A contact card in Meta's shape (SocialMiner sends it as is; Interacto uses name + first phone). */
const typed = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject({ ...shape, type: z.optional(z.string()) });
export const contactCardSchema = once(() =>
  z.strictObject({
    name: z.strictObject({
      formatted_name: text('contact name', 1024),
      first_name: z.optional(z.string()),
      last_name: z.optional(z.string()),
      middle_name: z.optional(z.string()),
      suffix: z.optional(z.string()),
      prefix: z.optional(z.string()),
    }),
    phones: z.optional(z.array(typed({ phone: z.optional(z.string()), wa_id: z.optional(z.string()) }))),
    emails: z.optional(z.array(typed({ email: z.optional(z.string()) }))),
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
    org: z.optional(
      z.strictObject({
        company: z.optional(z.string()),
        department: z.optional(z.string()),
        title: z.optional(z.string()),
      }),
    ),
    urls: z.optional(z.array(typed({ url: z.optional(z.string()) }))),
    birthday: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthday must be YYYY-MM-DD' }))),
  }),
);
export type ContactCard = z.infer<ReturnType<typeof contactCardSchema>>;

export const contactMessageSchema = once(() =>
  z.strictObject({
    type: z.literal('contact'),
    ...base(),
    contacts: z.array(contactCardSchema()).check(z.minLength(1, { message: 'at least one contact is needed' })),
  }),
);

export const templateHeaderSchema = once(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('text'),
      text: text('header text', 60).check(
        z.refine((s) => parameterTextProblem(s) === undefined, {
          message: `the header parameter cannot hold a line break, a tab or more than 4 spaces in a row (${PARAMETER_RULE})`,
        }),
      ),
    }),
    z
      .strictObject({
        type: z.enum(['image', 'video', 'document']),
        id: optionalText('header media id', 512),
        url: z.optional(mediaUrl('header media url')),
        filename: optionalText('header filename', 240),
      })
      .check(
        z.refine((h) => (h.id === undefined) !== (h.url === undefined), {
          message: 'a media header takes a URL or a media id',
        }),
        z.refine((h) => h.filename === undefined || h.type === 'document', {
          message: 'a header filename is only for document headers',
          path: ['filename'],
        }),
      ),
  ]),
);
export type TemplateHeader = z.infer<ReturnType<typeof templateHeaderSchema>>;

const buttonIndex = z
  .int({ error: 'button index must be a whole number' })
  .check(z.gte(0, { message: 'button index starts at 0' }), z.lte(9, { message: 'button index must be 9 or less' }));
export const templateButtonSchema = once(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('quick_reply'), index: buttonIndex, payload: text('quick-reply payload', 256) }),
    z.strictObject({ type: z.literal('url'), index: buttonIndex, text: text('url button text', 2000) }),
  ]),
);
export type TemplateButton = z.infer<ReturnType<typeof templateButtonSchema>>;

export const templatePolicies = ['deterministic', 'fallback'] as const;
const languageCode = z
  .string({ error: 'language must be a code like pt_BR' })
  .check(z.regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'language must be a code like pt_BR, en_US or es' }));
const templateName = z
  .string({ error: 'template name must be text' })
  .check(z.regex(/^[a-z0-9_]{1,512}$/, { message: 'template name must be lowercase letters, digits and _' }));

export const templateMessageSchema = once(() =>
  z
    .strictObject({
      type: z.literal('template'),
      ...base(),
      name: templateName,
      language: languageCode,
      policy: z.optional(z.enum(templatePolicies, { error: 'policy must be deterministic or fallback' })),
      namespace: optionalText('namespace', 256),
      header: z.optional(templateHeaderSchema()),
      body: z.array(text('template parameter', 32768)).check(parameterTexts((s: string) => s)),
      buttons: z.array(templateButtonSchema()),
    })
    .check(
      z.refine((t) => new Set(t.buttons.map((b) => b.index)).size === t.buttons.length, {
        message: 'two buttons have the same index',
        path: ['buttons'],
      }),
    ),
);

export const interactiveActionSchema = once(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('buttons'),
      buttons: z.array(z.strictObject({ id: text('button id', 256), title: text('button title', 20) })).check(
        z.minLength(1, { message: 'at least one button is needed' }),
        z.maxLength(3, { message: 'WhatsApp allows at most 3 reply buttons' }),
        z.refine((bs) => new Set(bs.map((b) => b.id)).size === bs.length, { message: 'button ids must be unique' }),
        z.superRefine((bs, ctx) => {
          const title = duplicate(bs.map((b) => b.title));
          if (title !== undefined)
            ctx.addIssue({ code: 'custom', message: `button titles must be unique ('${title}' is given twice)`, input: bs });
        }),
      ),
    }),
    z.strictObject({
      type: z.literal('list'),
      button: text('list button', 20),
      sections: z
        .array(
          z.strictObject({
            title: optionalText('section title', 24),
            rows: z
              .array(
                z.strictObject({
                  id: text('row id', 200),
                  title: text('row title', 24),
                  description: optionalText('row description', 72),
                }),
              )
              .check(z.minLength(1, { message: 'each section needs at least one row' })),
          }),
        )
        .check(
          z.minLength(1, { message: 'a list needs at least one section' }),
          z.maxLength(10, { message: 'WhatsApp allows at most 10 sections' }),
          z.refine((ss) => ss.reduce((n, s) => n + s.rows.length, 0) <= 10, {
            message: 'WhatsApp allows at most 10 rows in a list',
          }),
          z.refine((ss) => ss.length === 1 || ss.every((s) => s.title !== undefined), {
            message: 'every section needs a title when there is more than one',
          }),
          z.superRefine((ss, ctx) => {
            const id = duplicate(ss.flatMap((s) => s.rows.map((r) => r.id)));
            if (id !== undefined)
              ctx.addIssue({ code: 'custom', message: `row ids must be unique across the list ('${id}' is given twice)`, input: ss });
          }),
        ),
    }),
    z.strictObject({ type: z.literal('location_request') }),
  ]),
);
export type InteractiveAction = z.infer<ReturnType<typeof interactiveActionSchema>>;

export const interactiveMessageSchema = once(() =>
  z.strictObject({
    type: z.literal('interactive'),
    ...base(),
    body: text('body', 1024),
    header: optionalText('header', 60),
    footer: optionalText('footer', 60),
    action: interactiveActionSchema(),
  }),
);

/** One of Turn's hsm localizable_params, exactly in Turn's shape. */
export const localizableParamSchema = once(() =>
  z.strictObject({
    default: z
      .string({ error: 'every hsm parameter needs a default text' })
      .check(z.refine((s) => s.trim().length > 0, { message: 'an hsm parameter default must not be empty' })),
    currency: z.optional(
      z.strictObject({
        currency_code: z.string().check(z.regex(/^[A-Z]{3}$/, { message: 'currency_code must be like USD or BRL' })),
        amount_1000: z.int({ error: 'amount_1000 must be a whole number (the amount times 1000)' }),
      }),
    ),
    date_time: z.optional(
      z.union([
        z.strictObject({
          component: z.strictObject({
            day_of_week: z.optional(z.int()),
            day_of_month: z.optional(z.int()),
            year: z.optional(z.int()),
            month: z.optional(z.int()),
            hour: z.optional(z.int()),
            minute: z.optional(z.int()),
          }),
        }),
        z.strictObject({ unix_epoch: z.strictObject({ timestamp: z.int() }) }),
      ]),
    ),
  }),
);
export type LocalizableParam = z.infer<ReturnType<typeof localizableParamSchema>>;

/** Turn's deprecated hsm form of a template. */
export const hsmMessageSchema = once(() =>
  z.strictObject({
    type: z.literal('hsm'),
    ...base(),
    namespace: text('namespace', 256),
    elementName: templateName,
    language: languageCode,
    policy: z.enum(templatePolicies, { error: 'policy must be deterministic or fallback' }),
    params: z.array(localizableParamSchema()).check(parameterTexts((p: LocalizableParam) => p.default)),
  }),
);

const byType = {
  text: textMessageSchema,
  media: mediaMessageSchema,
  location: locationMessageSchema,
  contact: contactMessageSchema,
  template: templateMessageSchema,
  interactive: interactiveMessageSchema,
  hsm: hsmMessageSchema,
};

const unionSchema = once(() =>
  z.discriminatedUnion('type', [
    textMessageSchema(),
    mediaMessageSchema(),
    locationMessageSchema(),
    contactMessageSchema(),
    templateMessageSchema(),
    interactiveMessageSchema(),
    hsmMessageSchema(),
  ]),
);

/**
 * A text message that textMessageSchema accepts, checked by hand with the same rules (bulk checks
 * every row, and zod's walk was a good part of a row's cost): what the schema gives for it (its
 * keys, in the schema's order), or undefined for anything else — any other shape, key or value,
 * valid or not, goes through the schema, which gives its verdict and its words
 * (test/unit/message-model.test.ts holds the two to the same answers).
 */
function plainTextMessage(input: unknown): TextMessage | undefined {
  // A plain object only, as the schema takes (one with another prototype goes to it, for its refusal).
  if (typeof input !== 'object' || input === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const m = input as Record<string, unknown>;
  const { type, to, text, previewUrl } = m;
  if (type !== 'text' || typeof to !== 'string' || typeof text !== 'string') return undefined;
  // strictObject: no other key (`options` and the rest go through the schema); these are own.
  let keys = 0;
  for (const _ in m) keys++;
  if (keys !== (previewUrl === undefined ? 3 : 4) || !Object.hasOwn(m, 'type') || !Object.hasOwn(m, 'to') || !Object.hasOwn(m, 'text')) {
    return undefined;
  }
  if (previewUrl !== undefined && (typeof previewUrl !== 'boolean' || !Object.hasOwn(m, 'previewUrl'))) return undefined;
  if (!RECIPIENT.test(to) || isBlank(text) || !hasNoNul(text) || !fitsIn(text, TEXT_MAX)) return undefined;
  return previewUrl === undefined ? { type, to, text } : { type, to, text, previewUrl };
}

/**
 * The message schema. Each type's schema is built the first time a message of that type is
 * parsed (building all seven costs a one-off send several milliseconds); a candidate without a
 * known type goes through the whole union, for its error.
 */
export const messageSchema = {
  safeParse(input: unknown): z.core.util.SafeParseResult<Message> {
    const plain = plainTextMessage(input);
    if (plain) return { success: true, data: plain };
    const type = (input as { type?: unknown } | null)?.type;
    const schema = typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type as keyof typeof byType]() : unionSchema();
    return schema.safeParse(input) as z.core.util.SafeParseResult<Message>;
  },
  parse(input: unknown): Message {
    const result = messageSchema.safeParse(input);
    if (!result.success) throw result.error;
    return result.data;
  },
};

export type Message = z.infer<ReturnType<typeof unionSchema>>;
export type TextMessage = z.infer<ReturnType<typeof textMessageSchema>>;
export type MediaMessage = z.infer<ReturnType<typeof mediaMessageSchema>>;
export type LocationMessage = z.infer<ReturnType<typeof locationMessageSchema>>;
export type ContactMessage = z.infer<ReturnType<typeof contactMessageSchema>>;
export type TemplateMessage = z.infer<ReturnType<typeof templateMessageSchema>>;
export type InteractiveMessage = z.infer<ReturnType<typeof interactiveMessageSchema>>;
export type HsmMessage = z.infer<ReturnType<typeof hsmMessageSchema>>;

/**
 * The user-facing name of what a message is, as used in support tables and refusals:
 * text, image, video, audio, document, sticker, location, contact, template, hsm,
 * interactive buttons, interactive list, interactive location request.
 */
export type Capability =
  | 'text'
  | MediaKind
  | 'location'
  | 'contact'
  | 'template'
  | 'hsm'
  | 'interactive buttons'
  | 'interactive list'
  | 'interactive location request';

export function capabilityOf(msg: Message): Capability {
  switch (msg.type) {
    case 'media':
      return msg.kind;
    case 'interactive':
      return msg.action.type === 'buttons'
        ? 'interactive buttons'
        : msg.action.type === 'list'
          ? 'interactive list'
          : 'interactive location request';
    default:
      return msg.type;
  }
}

/** The result `type` field: what was sent, in the provider-neutral words of the CLI. */
export function resultTypeOf(msg: Message): string {
  return msg.type === 'media' ? msg.kind : msg.type;
}
