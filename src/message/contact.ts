/**
 * Contact cards from flags, a JSON file, or a .vcf file, all into Meta's contact shape (which the
 * model uses; Interacto takes the name and first phone of it).
 */
import { ValidationError } from '../errors.js';
import type { ContactCard } from './model.js';

/** `--name N --phone P`. */
export function contactFromFlags(name: string, phone: string): ContactCard {
  return { name: { formatted_name: name }, phones: [{ phone }] };
}

/**
 * A contact JSON file: Interacto's simple `{"name","phone"}`, a Meta contact object
 * (`{"name":{"formatted_name":…},"phones":[…]}`), or an array of either.
 */
export function contactsFromJson(data: unknown, file: string): ContactCard[] {
  const list = Array.isArray(data) ? data : [data];
  if (list.length === 0) throw new ValidationError(`${file}: the file holds no contact`);
  return list.map((item, i) => {
    const where = Array.isArray(data) ? `${file}: contact ${i + 1}` : file;
    if (typeof item !== 'object' || item === null) throw new ValidationError(`${where}: a contact must be an object`);
    const c = item as Record<string, unknown>;
    if (typeof c.name === 'string') {
      const keys = Object.keys(c).filter((k) => k !== 'name' && k !== 'phone');
      if (keys.length) throw new ValidationError(`${where}: unknown field '${keys[0]}' (a simple contact has only name and phone)`);
      if (typeof c.phone !== 'string' || !c.phone.trim()) throw new ValidationError(`${where}: phone must be text like "5511999999999"`);
      return contactFromFlags(c.name, c.phone);
    }
    // A Meta-shaped card: the model's schema checks it field by field.
    return c as ContactCard;
  });
}

/** Parses a vCard (2.1, 3.0 or 4.0) file: FN, N, TEL, EMAIL, ADR, ORG, TITLE, BDAY, URL. */
export function contactsFromVcard(text: string, file: string): ContactCard[] {
  const cards: ContactCard[] = [];
  let open: OpenCard | undefined;
  for (const line of unfoldVcard(text)) {
    const prop = vcardProperty(line);
    if (!prop) continue;
    if (prop.name === 'BEGIN' && prop.value.toUpperCase() === 'VCARD') {
      open = { card: { name: { formatted_name: '' } } };
      continue;
    }
    if (!open) continue;
    if (prop.name === 'END') {
      cards.push(closeCard(open));
      open = undefined;
    } else addProperty(open, prop);
  }
  if (cards.length === 0) throw new ValidationError(`${file}: no vCard found (expected BEGIN:VCARD … END:VCARD)`);
  cards.forEach((c, i) => {
    if (!c.name.formatted_name) throw new ValidationError(`${file}: vCard ${i + 1} has no name (FN or N)`);
  });
  return cards;
}

/** A card between its BEGIN and END lines, with the FN and N it has named so far. */
interface OpenCard {
  card: ContactCard;
  fn?: string;
  n?: string[];
}

/** One content line: the property's name (group prefix dropped, upper case), its value and type. */
interface VcardProperty {
  name: string;
  value: string;
  type: string | undefined;
}

function unfoldVcard(text: string): string[] {
  // Unfold continuation lines (RFC 6350 §3.2) and drop the BOM.
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/);
}

/** A line's property, or undefined for a blank line or one without a colon. */
function vcardProperty(line: string): VcardProperty | undefined {
  if (!line.trim()) return undefined;
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const [rawName, ...params] = line.slice(0, colon).split(';');
  const name = rawName!.replace(/^item\d+\./i, '').toUpperCase();
  return { name, value: line.slice(colon + 1), type: vcardType(params) };
}

/** The card at its END line: its name from FN, else built from N. */
function closeCard({ card, fn, n }: OpenCard): ContactCard {
  const [last, first, middle, prefix, suffix] = n ?? [];
  const formatted = fn || [prefix, first, middle, last, suffix].filter(Boolean).join(' ');
  card.name = {
    formatted_name: formatted,
    ...(first ? { first_name: first } : {}),
    ...(last ? { last_name: last } : {}),
    ...(middle ? { middle_name: middle } : {}),
    ...(prefix ? { prefix } : {}),
    ...(suffix ? { suffix } : {}),
  };
  return card;
}

/** Adds one property to the open card; properties it does not know are ignored. */
function addProperty(open: OpenCard, { name, value, type }: VcardProperty): void {
  const card = open.card;
  switch (name) {
    case 'FN':
      open.fn = unescape(value);
      break;
    case 'N':
      open.n = splitStructured(value);
      break;
    case 'TEL':
      (card.phones ??= []).push({ phone: value.replace(/^tel:/i, '').trim(), ...(type ? { type } : {}) });
      break;
    case 'EMAIL':
      (card.emails ??= []).push({ email: unescape(value), ...(type ? { type } : {}) });
      break;
    case 'URL':
      (card.urls ??= []).push({ url: unescape(value), ...(type ? { type } : {}) });
      break;
    case 'ADR': {
      const [, , street, city, state, zip, country] = splitStructured(value);
      (card.addresses ??= []).push({
        ...(street ? { street } : {}),
        ...(city ? { city } : {}),
        ...(state ? { state } : {}),
        ...(zip ? { zip } : {}),
        ...(country ? { country } : {}),
        ...(type ? { type } : {}),
      });
      break;
    }
    case 'ORG': {
      const [company, department] = splitStructured(value);
      card.org = { ...card.org, ...(company ? { company } : {}), ...(department ? { department } : {}) };
      break;
    }
    case 'TITLE':
      card.org = { ...card.org, title: unescape(value) };
      break;
    case 'BDAY': {
      const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(value);
      if (m) card.birthday = `${m[1]}-${m[2]}-${m[3]}`;
      break;
    }
  }
}

function vcardType(params: string[]): string | undefined {
  // TYPE=WORK,VOICE · TYPE=INTERNET,WORK · 2.1's bare WORK;VOICE: HOME or WORK, the only types
  // Meta's contact schema accepts (a CELL phone is sent without a type rather than refused).
  const values = params.flatMap((p) => p.replace(/^TYPE=/i, '').split(',')).map((v) => v.toUpperCase());
  return values.find((v) => v === 'HOME' || v === 'WORK');
}

function splitStructured(value: string): string[] {
  return value.split(/(?<!\\);/).map(unescape);
}

function unescape(value: string): string {
  return value.replace(/\\([,;\\nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c)).trim();
}
