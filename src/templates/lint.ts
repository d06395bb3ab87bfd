/**
 * `templates lint`: what in a catalog entry WhatsApp would refuse or a send could not fill:
 * placeholder gaps ({{1}} {{3}}), positional and named placeholders mixed (or not what
 * parameter_format says), unknown component, header format and button types, URL buttons whose
 * {{1}} is not at the end of the URL, placeholders where none are allowed (footer), more than one
 * header placeholder, an entry twice (same name and language).
 */
import type { TemplateEntry } from './catalog.js';
import { labelOf, placeholders } from './check.js';

export const componentTypes = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];
export const headerFormats = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];
export const buttonTypes = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'CATALOG', 'MPM', 'VOICE_CALL', 'APP'];

const isPositional = (p: string): boolean => /^\d+$/.test(p);
const isNamed = (p: string): boolean => /^[a-z_][a-z0-9_]*$/.test(p);

export function lintEntry(entry: TemplateEntry): string[] {
  const label = labelOf(entry);
  const out: string[] = [];
  const all: string[] = [];
  const seen = new Set<string>();
  for (const [i, c] of entry.components.entries()) {
    const type = c.type.toUpperCase();
    if (!componentTypes.includes(type)) {
      out.push(`${label}: components.${i}: unknown component type '${c.type}' (expected ${componentTypes.join(', ')})`);
      continue;
    }
    if (seen.has(type)) out.push(`${label}: ${type} appears twice (a template has at most one)`);
    seen.add(type);
    const ps = c.text !== undefined ? placeholders(c.text) : [];
    for (const p of ps) {
      if (p === '') out.push(`${label}: ${type}: an empty placeholder {{}}`);
      else if (!isPositional(p) && !isNamed(p))
        out.push(`${label}: ${type}: placeholder {{${p}}} is neither a number nor a lowercase name`);
    }
    if (type === 'HEADER') {
      const format = (c.format ?? 'TEXT').toUpperCase();
      if (!headerFormats.includes(format))
        out.push(`${label}: HEADER: unknown format '${c.format}' (expected ${headerFormats.join(', ')})`);
      if (ps.length > 1) out.push(`${label}: HEADER: ${ps.length} placeholders; a header takes at most one`);
      if (format === 'TEXT' && ps.length === 1 && isPositional(ps[0]!) && ps[0] !== '1')
        out.push(`${label}: HEADER: its placeholder must be {{1}}, not {{${ps[0]}}}`);
      if (format !== 'TEXT' && c.text !== undefined && ps.length) out.push(`${label}: HEADER: a ${format} header has no text placeholders`);
      all.push(...ps);
      gaps(label, 'HEADER', ps, out);
    } else if (type === 'BODY') {
      if (c.text === undefined || c.text.trim() === '') out.push(`${label}: BODY has no text`);
      all.push(...ps);
      gaps(label, 'BODY', ps, out);
    } else if (type === 'FOOTER') {
      if (ps.length) out.push(`${label}: FOOTER: placeholders are not allowed in a footer (${ps.map((p) => `{{${p}}}`).join(', ')})`);
    } else if (type === 'BUTTONS') {
      const buttons = c.buttons ?? [];
      if (buttons.length === 0) out.push(`${label}: BUTTONS has no buttons`);
      for (const [j, b] of buttons.entries()) {
        const bt = b.type.toUpperCase();
        if (!buttonTypes.includes(bt)) {
          out.push(`${label}: BUTTONS button ${j}: unknown type '${b.type}' (expected ${buttonTypes.slice(0, 4).join(', ')}, …)`);
        }
        if (bt === 'URL') {
          if (typeof b.url !== 'string' || b.url === '') out.push(`${label}: BUTTONS button ${j}: a URL button needs a url`);
          else {
            const ups = placeholders(b.url);
            if (ups.length > 1 || (ups.length === 1 && ups[0] !== '1')) {
              out.push(`${label}: BUTTONS button ${j}: a URL takes one placeholder, {{1}}, got ${ups.map((p) => `{{${p}}}`).join(', ')}`);
            } else if (ups.length === 1 && !/\{\{\s*1\s*\}\}\s*$/.test(b.url)) {
              out.push(`${label}: BUTTONS button ${j}: {{1}} must be at the end of the URL (${b.url})`);
            }
          }
        }
        if (bt === 'PHONE_NUMBER' && !b.phone_number) out.push(`${label}: BUTTONS button ${j}: a PHONE_NUMBER button needs a phone_number`);
      }
    }
  }
  if (!seen.has('BODY')) out.push(`${label}: has no BODY component`);
  const positional = all.filter(isPositional);
  const named = all.filter((p) => p !== '' && !isPositional(p));
  if (positional.length && named.length) {
    out.push(
      `${label}: mixes positional and named placeholders (${[positional[0], named[0]].map((p) => `{{${p}}}`).join(', ')}): use one kind`,
    );
  } else if (entry.parameter_format === 'NAMED' && positional.length) {
    out.push(`${label}: parameter_format is NAMED but the placeholders are numbers ({{${positional[0]}}})`);
  } else if (entry.parameter_format !== 'NAMED' && named.length) {
    out.push(
      `${label}: has named placeholders ({{${named[0]}}}) but parameter_format is ${entry.parameter_format ?? 'not set (POSITIONAL)'}: set "parameter_format": "NAMED"`,
    );
  }
  return out;
}

/** `{{1}} {{3}}`: numbers must run 1…n with none left out. */
function gaps(label: string, component: string, ps: string[], out: string[]): void {
  const numbers = [...new Set(ps.filter(isPositional).map(Number))].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let n = 1, i = 0; i < numbers.length; n++) {
    if (numbers[i] === n) i++;
    else missing.push(n);
    if (missing.length > 20) break;
  }
  if (missing.length) {
    out.push(
      `${label}: ${component}: placeholder gap: ${missing.map((n) => `{{${n}}}`).join(', ')} missing (it has ${numbers.map((n) => `{{${n}}}`).join(', ')}); number them 1…${numbers.length}`,
    );
  }
}

/** Every problem of a catalog, entries in order, then entries that appear twice. */
export function lintCatalog(templates: readonly TemplateEntry[]): string[] {
  const out = templates.flatMap(lintEntry);
  const seen = new Set<string>();
  for (const t of templates) {
    const k = `${t.name}\u0000${t.language}`;
    if (seen.has(k)) out.push(`${labelOf(t)}: appears more than once in the catalog (the last one wins)`);
    seen.add(k);
  }
  return out;
}
