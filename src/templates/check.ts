/**
 * A template message checked against its catalog entry, before anything is sent: what Meta would
 * refuse with 132000 (parameter count), 132012 (parameter format) or 132001 (not approved).
 *
 *  - status: PAUSED, DISABLED, REJECTED (and DELETED, PENDING_DELETION) refused; PENDING (and any
 *    other status but APPROVED) a warning;
 *  - HEADER: a TEXT header with {{1}} needs --header-text; IMAGE / VIDEO / DOCUMENT need the
 *    matching --header-* flag; a header value for a template without a header parameter is refused;
 *  - BODY: POSITIONAL takes exactly as many --param as {{1}}…{{n}}; NAMED takes `--param NAME=VALUE`
 *    for each {{name}} (sent in the order the names first appear in the body);
 *  - BUTTONS: --button-url I=… only for a URL button whose URL ends in {{1}}, and every such button
 *    needs one; --quick-reply I=… only for a QUICK_REPLY button;
 *  - parameter text: not empty, no line break or tab, at most 4 spaces in a row, at most 1024
 *    characters (60 for a header).
 *
 * Every problem names the template, the component and what was expected.
 */
import { parameterTextProblem, type TemplateMessage } from '../message/model.js';
import type { TemplateEntry } from './catalog.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface ButtonShape {
  index: number;
  type: string;
  text?: string;
  url?: string;
  /** A URL button whose URL ends in a {{1}} suffix. */
  dynamic: boolean;
}

export interface TemplateShape {
  named: boolean;
  header?: { format: string; text?: string; param?: string };
  body: { text: string; positional: number[]; names: string[] };
  footer?: string;
  buttons: ButtonShape[];
}

/** The placeholders of a text, as written inside the braces, in order. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

const shapes = new WeakMap<TemplateEntry, TemplateShape>();

/** What a catalog entry takes when it is sent (computed once per entry). */
export function shapeOf(entry: TemplateEntry): TemplateShape {
  let shape = shapes.get(entry);
  if (shape) return shape;
  const find = (type: string) => entry.components.find((c) => c.type.toUpperCase() === type);
  const header = find('HEADER');
  const body = find('BODY');
  const footer = find('FOOTER');
  const buttons = find('BUTTONS');
  const bodyText = body?.text ?? '';
  const bodyPlaceholders = placeholders(bodyText);
  const names: string[] = [];
  for (const p of bodyPlaceholders) if (!/^\d+$/.test(p) && !names.includes(p)) names.push(p);
  const positional = [...new Set(bodyPlaceholders.filter((p) => /^\d+$/.test(p)).map(Number))].sort((a, b) => a - b);
  shape = {
    named: entry.parameter_format === 'NAMED' || (entry.parameter_format === undefined && names.length > 0 && positional.length === 0),
    ...(header
      ? {
          header: {
            format: (header.format ?? 'TEXT').toUpperCase(),
            ...(header.text !== undefined ? { text: header.text } : {}),
            ...(header.text !== undefined && placeholders(header.text)[0] !== undefined ? { param: placeholders(header.text)[0] } : {}),
          },
        }
      : {}),
    body: { text: bodyText, positional, names },
    ...(footer?.text !== undefined ? { footer: footer.text } : {}),
    buttons: (buttons?.buttons ?? []).map((b, index) => ({
      index,
      type: b.type.toUpperCase(),
      ...(b.text !== undefined ? { text: b.text } : {}),
      ...(b.url !== undefined ? { url: b.url } : {}),
      dynamic: b.type.toUpperCase() === 'URL' && typeof b.url === 'string' && /\{\{\s*1\s*\}\}\s*$/.test(b.url),
    })),
  };
  shapes.set(entry, shape);
  return shape;
}

/** `template 'order_update' (pt_BR)`. */
export const labelOf = (entry: Pick<TemplateEntry, 'name' | 'language'>): string => `template '${entry.name}' (${entry.language})`;

export const refusedStatuses = ['PAUSED', 'DISABLED', 'REJECTED', 'DELETED', 'PENDING_DELETION'];

const BAD = /[\r\n\t]| {5}/;

/**
 * Meta's rules for a parameter's text; undefined when it passes. Fast on the good path (bulk
 * checks every cell of a million rows).
 */
export function textProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return 'must be text';
  if (value.trim() === '') return 'is empty';
  if (BAD.test(value)) {
    const p = parameterTextProblem(value);
    if (p) return `${p} (WhatsApp refuses line breaks, tabs and more than 4 spaces in a row in template parameters)`;
  }
  if (value.length > max && [...value].length > max) return `is longer than ${max} characters`;
  return undefined;
}

export const BODY_PARAM_MAX = 1024;
export const HEADER_PARAM_MAX = 60;
export const BUTTON_PARAM_MAX = 2000;

const headerFlag: Record<string, string> = {
  IMAGE: '--header-image URL|MEDIA_ID',
  VIDEO: '--header-video URL|MEDIA_ID',
  DOCUMENT: '--header-document URL|MEDIA_ID',
  TEXT: '--header-text TEXT',
};
const flagOfHeader: Record<string, string> = {
  text: '--header-text',
  image: '--header-image',
  video: '--header-video',
  document: '--header-document',
};

/** How a problem names the parameter it is about (bulk's preflight names them the same way). */
export const slotName = {
  header: (param: string): string => `HEADER parameter {{${param}}} (--header-text)`,
  body: (key: string | number): string => `BODY parameter {{${key}}}`,
  url: (index: number): string => `BUTTONS button ${index} URL parameter (--button-url)`,
};

/** A template message as built (validated), or a bulk row's candidate (not yet validated). */
export type TemplateLike = Pick<TemplateMessage, 'name' | 'language' | 'body' | 'buttons'> & {
  header?: TemplateMessage['header'] | { type: string; text?: unknown };
};

export interface CheckResult {
  problems: string[];
  warnings: string[];
  /** For a NAMED template: the parameter names, in the body values' order. */
  bodyNames?: string[];
  /** The body values (for NAMED: without their `NAME=`), in the order sent. */
  body: string[];
  /** The body text with the parameters in place. */
  rendered: string;
}

/** Checks one message against its entry. Never throws. */
export function checkAgainst(msg: TemplateLike, entry: TemplateEntry): CheckResult {
  const shape = shapeOf(entry);
  const label = labelOf(entry);
  const problems: string[] = [];
  const warnings: string[] = [];
  checkStatus(entry, label, problems, warnings);
  checkHeader(shape.header, msg.header, label, problems);
  const values = Array.isArray(msg.body) ? msg.body : [];
  const { body, bodyNames } = shape.named ? namedBody(shape, values, label, problems) : positionalBody(shape, values, label, problems);
  checkButtons(shape, Array.isArray(msg.buttons) ? msg.buttons : [], label, problems);
  return { problems, warnings, body, ...(bodyNames ? { bodyNames } : {}), rendered: renderBody(shape, body, bodyNames) };
}

/** A refused status (PAUSED, …) is a problem; any other status but APPROVED a warning. */
function checkStatus(entry: TemplateEntry, label: string, problems: string[], warnings: string[]): void {
  const status = entry.status?.toUpperCase();
  if (status && refusedStatuses.includes(status)) {
    problems.push(
      `${label} is ${status} in the catalog: WhatsApp refuses to send it${status === 'PAUSED' ? ' (paused for low quality; it resumes or is disabled by Meta)' : ''}`,
    );
  } else if (status && status !== 'APPROVED') {
    warnings.push(`${label} is ${status} in the catalog, not APPROVED: WhatsApp may refuse it`);
  }
}

/** HEADER: the header given must be the one the template takes (none when it takes none). */
function checkHeader(h: TemplateShape['header'], given: TemplateLike['header'], label: string, problems: string[]): void {
  if (h && h.format === 'LOCATION') {
    problems.push(`${label}: HEADER is LOCATION: interflow cannot send a location header`);
  } else if (h && (h.format !== 'TEXT' || h.param !== undefined)) {
    const want = h.format === 'TEXT' ? 'text' : h.format.toLowerCase();
    if (!given)
      problems.push(
        `${label}: HEADER is ${h.format}${h.format === 'TEXT' ? ` with {{${h.param}}}` : ''}: give ${headerFlag[h.format] ?? `a ${want} header`}`,
      );
    else if (given.type !== want)
      problems.push(
        `${label}: HEADER is ${h.format}, got ${flagOfHeader[given.type] ?? given.type}: give ${headerFlag[h.format] ?? `a ${want} header`} instead`,
      );
    else if (want === 'text') {
      const p = textProblem((given as { text?: unknown }).text, HEADER_PARAM_MAX);
      if (p) problems.push(`${label}: ${slotName.header(h.param!)} ${p}`);
    }
  } else if (given) {
    problems.push(
      `${label}: HEADER ${h ? 'is fixed text with no parameter' : 'does not exist in this template'}: drop ${flagOfHeader[given.type] ?? '--header-*'}`,
    );
  }
}

/** The body values as sent, and for a NAMED template their names. */
interface BodyValues {
  body: string[];
  bodyNames?: string[];
}

/** BODY of a NAMED template: one `NAME=VALUE` for each {{name}}, sent in the body's order. */
function namedBody(shape: TemplateShape, values: readonly string[], label: string, problems: string[]): BodyValues {
  const names = shape.body.names;
  const byName = new Map<string, string>();
  const bad: string[] = [];
  for (const v of values) {
    const eq = typeof v === 'string' ? v.indexOf('=') : -1;
    const name = eq > 0 ? v.slice(0, eq).trim() : '';
    if (!names.includes(name)) bad.push(typeof v === 'string' ? v : String(v));
    else byName.set(name, v.slice(eq + 1));
  }
  const missing = names.filter((n) => !byName.has(n));
  if (bad.length || missing.length) {
    problems.push(
      `${label}: BODY is NAMED (${names.map((n) => `{{${n}}}`).join(', ') || 'no parameters'}): give --param NAME=VALUE for each` +
        (missing.length ? `; missing ${missing.join(', ')}` : '') +
        (bad.length ? `; not a parameter of it: ${bad.map((b) => `'${b.length > 40 ? b.slice(0, 40) + '…' : b}'`).join(', ')}` : ''),
    );
  }
  const bodyNames = names.filter((n) => byName.has(n));
  for (const n of bodyNames) {
    const p = textProblem(byName.get(n), BODY_PARAM_MAX);
    if (p) problems.push(`${label}: ${slotName.body(n)} ${p}`);
  }
  return { body: bodyNames.map((n) => byName.get(n)!), bodyNames };
}

/** BODY of a POSITIONAL template: exactly as many --param as {{1}}…{{n}}. */
function positionalBody(shape: TemplateShape, values: readonly string[], label: string, problems: string[]): BodyValues {
  const want = shape.body.positional.length ? shape.body.positional[shape.body.positional.length - 1]! : 0;
  if (values.length !== want) {
    problems.push(
      `${label}: BODY expects ${want} parameter${want === 1 ? '' : 's'}${want ? ` ({{1}}${want > 1 ? `…{{${want}}}` : ''})` : ''}, got ${values.length} (--param)`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const p = textProblem(values[i], BODY_PARAM_MAX);
    if (p) problems.push(`${label}: ${slotName.body(i + 1)} ${p}`);
  }
  return { body: values as string[] };
}

/** BUTTONS: each button value must fit its button; every URL button ending in {{1}} needs one. */
function checkButtons(shape: TemplateShape, buttons: NonNullable<TemplateLike['buttons']>, label: string, problems: string[]): void {
  const describe = (b: ButtonShape): string => `${b.type}${b.text ? ` "${b.text}"` : ''}`;
  for (const b of buttons) {
    const def = shape.buttons[b.index];
    const flag = b.type === 'url' ? '--button-url' : '--quick-reply';
    if (!def) {
      problems.push(
        `${label}: BUTTONS has no button ${b.index} (${shape.buttons.length ? shape.buttons.map((d) => `${d.index}: ${describe(d)}`).join(', ') : 'the template has no buttons'}): drop ${flag} ${b.index}=…`,
      );
    } else if (b.type === 'url' && !def.dynamic) {
      problems.push(
        `${label}: BUTTONS button ${b.index} is ${def.type === 'URL' ? `a URL button with a fixed URL (${def.url ?? ''})` : describe(def)}: ${flag} is for a URL button ending in {{1}}; drop ${flag} ${b.index}=…`,
      );
    } else if (b.type === 'url') {
      const p = textProblem((b as { text?: unknown }).text, BUTTON_PARAM_MAX);
      if (p) problems.push(`${label}: ${slotName.url(b.index)} ${p}`);
    } else if (b.type === 'quick_reply' && def.type !== 'QUICK_REPLY') {
      problems.push(`${label}: BUTTONS button ${b.index} is ${describe(def)}: --quick-reply is for QUICK_REPLY buttons`);
    }
  }
  for (const def of shape.buttons) {
    if (def.dynamic && !buttons.some((b) => b.index === def.index && b.type === 'url')) {
      problems.push(
        `${label}: BUTTONS button ${def.index} is a URL button ending in {{1}} (${def.url}): give --button-url ${def.index}=TEXT`,
      );
    }
    if (def.type === 'COPY_CODE') {
      problems.push(`${label}: BUTTONS button ${def.index} is COPY_CODE: WhatsApp needs its coupon code, which interflow cannot send yet`);
    }
  }
}

/** The body text with the parameters in place (a missing one stays as {{n}}). */
export function renderBody(shape: TemplateShape, body: readonly string[], names?: readonly string[]): string {
  return shape.body.text.replace(PLACEHOLDER, (whole, key: string) => {
    if (names) {
      const i = names.indexOf(key);
      return i >= 0 && typeof body[i] === 'string' ? body[i]! : whole;
    }
    const v = /^\d+$/.test(key) ? body[Number(key) - 1] : undefined;
    return typeof v === 'string' ? v : whole;
  });
}
