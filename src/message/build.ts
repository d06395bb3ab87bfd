/**
 * Builders: the `send` flags (strings, as typed, after any {{column}} substitution in bulk) →
 * one validated Message. Every error names the flag or file field and says how to fix it.
 */
import { decimal, splitPair } from '../commands/parsers.js';
import { isReservedName, reservedRule } from '../reserved.js';
import { readFileSync } from 'node:fs';
import { fileProblem, UsageError, ValidationError } from '../errors.js';
import type { Profile } from '../config/profile.js';
import { contactFromFlags, contactsFromJson, contactsFromVcard } from './contact.js';
import { mediaKinds, type Message } from './model.js';
import { normalizeRecipient } from './recipient.js';
import { validateMessage, type FieldNames } from './validate.js';

export type SendKind = 'text' | 'media' | 'location' | 'contact' | 'template' | 'interactive';

export interface BuildEnv {
  profile: Pick<Profile, 'defaultCountry' | 'namespace'>;
  /** Reads a file named by a flag (UTF-8). Errors must name the flag. */
  readFile(path: string, flag: string): string;
}

/** BuildEnv.readFile for real files: a file a flag names, as UTF-8; errors name the flag. */
export function readFlagFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${path}: ${fileProblem(err)}`);
  }
}

/** Options as commander gives them (camelCase), values as typed. */
export type Flags = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

function number(flags: Flags, key: string, flag: string, integer = false): number | undefined {
  const raw = str(flags[key]);
  return raw === undefined ? undefined : decimal(raw, flag, integer);
}

function parseJson(text: string, file: string, flag: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ValidationError(`${flag} ${file}: not valid JSON (${(err as Error).message})`);
  }
}

function interactoOptions(flags: Flags): Record<string, unknown> | undefined {
  // None given (every message but Interacto's): nothing to build (bulk asks for every row).
  if (
    flags.delay === undefined &&
    flags.typing === undefined &&
    flags.priority === undefined &&
    flags.tag === undefined &&
    flags.metadata === undefined
  ) {
    return undefined;
  }
  const options: Record<string, unknown> = {};
  const delay = number(flags, 'delay', '--delay');
  const typing = number(flags, 'typing', '--typing');
  const priority = number(flags, 'priority', '--priority', true);
  if (delay !== undefined) options.delay = delay;
  if (typing !== undefined) options.typing = typing;
  if (priority !== undefined) options.priority = priority;
  const tags = list(flags.tag);
  if (tags.length) options.tags = tags;
  const metadata = list(flags.metadata);
  if (metadata.length) {
    options.metadata = Object.fromEntries(
      metadata.map((m) => {
        const pair = splitPair(m, '--metadata', 'KEY=VALUE, like leadId=1234533');
        if (isReservedName(pair[0]))
          throw new UsageError(`--metadata: '${pair[0]}' cannot be a key (${reservedRule}); choose another name`);
        return pair;
      }),
    );
  }
  return Object.keys(options).length ? options : undefined;
}

const optionNames: FieldNames = {
  'options.delay': '--delay',
  'options.typing': '--typing',
  'options.priority': '--priority',
  'options.tags': '--tag',
  'options.metadata': '--metadata',
  to: 'to',
};

/** Read only (they name flags in errors): built once, not per message (bulk builds one a row). */
const textNames: FieldNames = { ...optionNames, text: 'text' };

function withOptions(candidate: Record<string, unknown>, flags: Flags): Record<string, unknown> {
  const options = interactoOptions(flags);
  return options ? { ...candidate, options } : candidate;
}

/** Builds and validates the message for `send <kind>`; `to` is normalized with the profile's country. */
export function buildMessage(kind: SendKind, rawTo: string, flags: Flags, env: BuildEnv): Message {
  const to = normalizeRecipient(rawTo, env.profile.defaultCountry);
  switch (kind) {
    case 'text':
      return validateMessage(
        withOptions({ type: 'text', to, text: str(flags.text), ...(flags.previewUrl ? { previewUrl: true } : {}) }, flags),
        textNames,
      );
    case 'media':
      return buildMedia(to, flags);
    case 'location':
      return validateMessage(
        withOptions(
          {
            type: 'location',
            to,
            latitude: requireFlag(flags, 'latitude', '--latitude', '-23.5505'),
            longitude: requireFlag(flags, 'longitude', '--longitude', '-46.6333'),
            name: str(flags.name),
            address: str(flags.address),
          },
          flags,
        ),
        { ...optionNames, latitude: '--latitude', longitude: '--longitude', name: '--name', address: '--address' },
      );
    case 'contact':
      return buildContact(to, flags, env);
    case 'template':
      return buildTemplate(to, flags, env);
    case 'interactive':
      return buildInteractive(to, flags, env);
  }
}

function requireFlag(flags: Flags, key: string, flag: string, example: string): string {
  const v = str(flags[key]);
  if (v === undefined) throw new UsageError(`${flag} is required (for example ${flag} ${example})`);
  return v.trim();
}

function buildMedia(to: string, flags: Flags): Message {
  const kind = str(flags.kind);
  if (!kind) throw new UsageError(`--kind is required: one of ${mediaKinds.join(', ')}`);
  if (!(mediaKinds as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind '${kind}' is not a media kind: use one of ${mediaKinds.join(', ')}`);
  }
  if (flags.url === undefined && flags.id === undefined) {
    throw new UsageError('give the media with --url URL (a public http(s) link) or --id MEDIA_ID (an uploaded media id)');
  }
  if (flags.url !== undefined && flags.id !== undefined) throw new UsageError('give either --url or --id, not both');
  return validateMessage(
    withOptions(
      {
        type: 'media',
        to,
        kind,
        url: str(flags.url),
        id: str(flags.id),
        caption: str(flags.caption),
        filename: str(flags.filename),
      },
      flags,
    ),
    { ...optionNames, kind: '--kind', url: '--url', id: '--id', caption: '--caption', filename: '--filename' },
  );
}

function buildContact(to: string, flags: Flags, env: BuildEnv): Message {
  const file = str(flags.file);
  const vcard = str(flags.vcard);
  const name = str(flags.name);
  const phone = str(flags.phone);
  const sources = [file && '--file', vcard && '--vcard', (name || phone) && '--name/--phone'].filter(Boolean);
  if (sources.length === 0) {
    throw new UsageError('give the contact with --name N --phone P, --file contact.json or --vcard card.vcf');
  }
  if (sources.length > 1) throw new UsageError(`give the contact one way only, not ${sources.join(' and ')}`);
  let contacts;
  let source = '--name/--phone';
  if (file) {
    contacts = contactsFromJson(parseJson(env.readFile(file, '--file'), file, '--file'), file);
    source = file;
  } else if (vcard) {
    contacts = contactsFromVcard(env.readFile(vcard, '--vcard'), vcard);
    source = vcard;
  } else {
    if (!name) throw new UsageError('--name is required with --phone (the contact name, like "João Silva")');
    if (!phone) throw new UsageError('--phone is required with --name (the contact phone, like +55 11 99999-9999)');
    contacts = [contactFromFlags(name, phone)];
  }
  // Contact phones must be numbers that can be valid (checked like recipients, naming the card),
  // but the card keeps them as written: `+1 (940) 555-1234` is what the recipient sees, as in
  // Meta's examples. Normalizing is for `to` (and for providers whose card takes digits only).
  for (const [i, card] of contacts.entries()) {
    for (const p of card.phones ?? []) {
      if (typeof p.phone === 'string' && p.phone.trim()) {
        normalizeRecipient(p.phone, env.profile.defaultCountry, `${source}: contact ${i + 1} phone`);
      }
    }
  }
  const names: FieldNames = file || vcard ? { ...optionNames } : { ...optionNames, contacts: '--name/--phone' };
  return validateMessage(withOptions({ type: 'contact', to, contacts }, flags), names, file || vcard ? source : undefined);
}

const templateFlagKeys = [
  'name',
  'param',
  'headerText',
  'headerImage',
  'headerVideo',
  'headerDocument',
  'headerFilename',
  'buttonUrl',
  'quickReply',
] as const;

function buildTemplate(to: string, flags: Flags, env: BuildEnv): Message {
  const { candidate, names, file } = templateCandidate(flags, env);
  return validateMessage(withOptions({ ...candidate, to }, flags), names, file);
}

/**
 * The template (or hsm) message the flags describe, without its recipient and not yet validated:
 * bulk's catalog preflight reads it for every row before anything is built for sending.
 */
export function templateCandidate(flags: Flags, env: BuildEnv): { candidate: Record<string, unknown>; names: FieldNames; file?: string } {
  const file = str(flags.file);
  let candidate: Record<string, unknown>;
  let names: FieldNames;
  if (file) {
    const used = templateFlagKeys.filter((k) => flags[k] !== undefined && list(flags[k]).length > 0);
    if (used.length) {
      throw new UsageError(`--file already describes the template: drop --${kebab(used[0]!)} (or put it in ${file})`);
    }
    candidate = templateFromFile(parseJson(env.readFile(file, '--file'), file, '--file'), file);
    // --language, --namespace and --policy may override the file.
    for (const k of ['language', 'namespace', 'policy'] as const) {
      const v = str(flags[k]);
      if (v !== undefined) candidate[k] = v;
    }
    names = { ...optionNames, language: '--language', namespace: '--namespace', policy: '--policy' };
  } else {
    const name = str(flags.name);
    if (!name)
      throw new UsageError('--name is required: the approved template name, like order_confirmation (or give --file template.json)');
    if (flags.hsm) {
      candidate = {
        type: 'hsm',
        namespace: str(flags.namespace) ?? env.profile.namespace,
        elementName: name,
        language: str(flags.language) ?? 'pt_BR',
        policy: str(flags.policy) ?? 'deterministic',
        params: list(flags.param).map((p) => ({ default: p })),
      };
      if (candidate.namespace === undefined) {
        throw new UsageError("hsm needs a namespace: give --namespace NS or set 'namespace' in the profile");
      }
      names = {
        ...optionNames,
        elementName: '--name',
        namespace: '--namespace',
        language: '--language',
        policy: '--policy',
        params: '--param',
      };
    } else {
      candidate = {
        type: 'template',
        name,
        language: str(flags.language) ?? 'pt_BR',
        policy: str(flags.policy),
        namespace: str(flags.namespace),
        header: templateHeaderFromFlags(flags),
        body: list(flags.param),
        buttons: [
          ...list(flags.quickReply).map((raw) => {
            const [index, payload] = splitPair(raw, '--quick-reply', 'INDEX=PAYLOAD, like 0=confirmar');
            return { type: 'quick_reply', index: buttonIndex(index, '--quick-reply'), payload };
          }),
          ...list(flags.buttonUrl).map((raw) => {
            const [index, text] = splitPair(raw, '--button-url', 'INDEX=TEXT, like 0=pedido/12345');
            return { type: 'url', index: buttonIndex(index, '--button-url'), text };
          }),
        ].sort((a, b) => a.index - b.index),
      };
      names = {
        ...optionNames,
        name: '--name',
        language: '--language',
        policy: '--policy',
        namespace: '--namespace',
        header: '--header-*',
        body: '--param',
        buttons: '--quick-reply/--button-url',
      };
    }
  }
  return { candidate, names, ...(file !== undefined ? { file } : {}) };
}

function buttonIndex(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag}: the button index must be a number from 0, got '${raw}'`);
  return Number(raw);
}

function templateHeaderFromFlags(flags: Flags): Record<string, unknown> | undefined {
  const given = (['headerText', 'headerImage', 'headerVideo', 'headerDocument'] as const).filter((k) => str(flags[k]) !== undefined);
  if (given.length > 1) throw new UsageError(`a template has one header: give only one of --${given.map(kebab).join(', --')}`);
  const filename = str(flags.headerFilename);
  if (filename !== undefined && given[0] !== 'headerDocument') throw new UsageError('--header-filename goes with --header-document');
  if (given.length === 0) return undefined;
  const key = given[0]!;
  const value = str(flags[key])!;
  if (key === 'headerText') return { type: 'text', text: value };
  const type = key === 'headerImage' ? 'image' : key === 'headerVideo' ? 'video' : 'document';
  return {
    type,
    ...(/^https?:\/\//i.test(value) ? { url: value } : { id: value }),
    ...(filename !== undefined ? { filename } : {}),
  };
}

const templateFileKeys = ['type', 'name', 'language', 'policy', 'namespace', 'header', 'body', 'buttons', 'params'];

/**
 * The template file format (provider-neutral; see README "Template files"):
 * `{"name","language","policy"?,"namespace"?,"header"?,"body"?:[…],"buttons"?:[…]}`, or for
 * Turn's deprecated hsm `{"type":"hsm","name","namespace","language","policy","params":[…]}`.
 */
export function templateFromFile(data: unknown, file: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError(
      `${file}: a template file is a JSON object like {"name":"order_confirmation","language":"pt_BR","body":["João"]}`,
    );
  }
  const t = data as Record<string, unknown>;
  const unknownKey = Object.keys(t).find((k) => !templateFileKeys.includes(k));
  if (unknownKey) throw new ValidationError(`${file}: unknown field '${unknownKey}' (a template file has ${templateFileKeys.join(', ')})`);
  if (t.type === 'hsm') {
    return {
      type: 'hsm',
      namespace: t.namespace,
      elementName: t.name,
      language: t.language ?? 'pt_BR',
      policy: t.policy ?? 'deterministic',
      params: Array.isArray(t.params) ? t.params.map((p) => (typeof p === 'string' ? { default: p } : p)) : (t.params ?? []),
    };
  }
  if (t.type !== undefined && t.type !== 'template') {
    throw new ValidationError(`${file}: type must be "template" or "hsm", got ${JSON.stringify(t.type)}`);
  }
  if (t.params !== undefined) throw new ValidationError(`${file}: 'params' is for hsm files; a template's parameters go in 'body'`);
  return {
    type: 'template',
    name: t.name,
    language: t.language ?? 'pt_BR',
    ...(t.policy !== undefined ? { policy: t.policy } : {}),
    ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    ...(t.header !== undefined ? { header: t.header } : {}),
    body: t.body ?? [],
    buttons: t.buttons ?? [],
  };
}

/**
 * The template file for a template message: the inverse of templateFromFile (what the composer
 * saves). Keys in the documented order; the recipient and Interacto options are not part of it.
 */
export function templateFileOf(msg: Extract<Message, { type: 'template' }>): Record<string, unknown> {
  return {
    name: msg.name,
    language: msg.language,
    ...(msg.policy !== undefined ? { policy: msg.policy } : {}),
    ...(msg.namespace !== undefined ? { namespace: msg.namespace } : {}),
    ...(msg.header !== undefined ? { header: msg.header } : {}),
    body: msg.body,
    buttons: msg.buttons,
  };
}

function buildInteractive(to: string, flags: Flags, env: BuildEnv): Message {
  const body = str(flags.body);
  if (body === undefined) throw new UsageError('--body is required: the message text above the buttons or list');
  const buttons = list(flags.button);
  const listFile = str(flags.list);
  const ways = [buttons.length && '--button', listFile && '--list', flags.locationRequest && '--location-request'].filter(Boolean);
  if (ways.length === 0) {
    throw new UsageError('give the choices with --button ID=TITLE (up to 3), --list list.json or --location-request');
  }
  if (ways.length > 1) throw new UsageError(`give one kind of interactive message, not ${ways.join(' and ')}`);
  let action: unknown;
  if (buttons.length) {
    action = {
      type: 'buttons',
      buttons: buttons.map((raw) => {
        const [id, title] = splitPair(raw, '--button', 'ID=TITLE, like sim="Sim, confirmo"');
        return { id, title };
      }),
    };
  } else if (listFile) {
    const data = parseJson(env.readFile(listFile, '--list'), listFile, '--list');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ValidationError(
        `--list ${listFile}: expected {"button":"Ver opções","sections":[{"title":"…","rows":[{"id":"…","title":"…"}]}]}`,
      );
    }
    action = { type: 'list', ...(data as Record<string, unknown>) };
  } else {
    action = { type: 'location_request' };
  }
  if (flags.locationRequest && (flags.header !== undefined || flags.footer !== undefined)) {
    throw new UsageError('a location request has only a --body: drop --header and --footer');
  }
  return validateMessage(
    withOptions({ type: 'interactive', to, body, header: str(flags.header), footer: str(flags.footer), action }, flags),
    {
      ...optionNames,
      body: '--body',
      header: '--header',
      footer: '--footer',
      'action.buttons': '--button',
      action: listFile ? `--list ${listFile}` : '--button',
    },
  );
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
