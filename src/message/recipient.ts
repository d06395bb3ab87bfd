/**
 * Recipients as users type them (`+55 (11) 99999-9999`, `11999999999`, `5511999999999`) become
 * what every provider document shows: country code + number, digits only (E.164 without '+').
 * Numbers without a country code take the profile's defaultCountry (BR when unset).
 */
// The core API with the 'min' metadata given explicitly: the same parsing as libphonenumber-js/min
// without its per-call argument wrapper (measurable in bulk, where every row is parsed).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { ValidationError } from '../errors.js';

export function normalizeRecipient(input: string, defaultCountry: CountryCode = 'BR', field = 'to'): string {
  const raw = input.trim();
  if (defaultCountry === 'BR' && brazil !== undefined) {
    const fast = brazil(raw);
    if (fast !== undefined) return fast;
  }
  return parseRecipient(raw, defaultCountry, field);
}

/** The library's answer for a trimmed input (what normalizeRecipient returns, or throws). */
export function parseRecipient(raw: string, defaultCountry: CountryCode = 'BR', field = 'to'): string {
  if (raw === '') throw new ValidationError(`${field} is empty: give a phone number like +55 11 99999-9999`);
  // Spreadsheets turn long numbers into 5.5119E+12: that is not a number we can trust.
  if (/e\+?\d+$/i.test(raw) || /[^\d\s()+\-.]/.test(raw)) {
    throw new ValidationError(`${field} '${raw}' is not a phone number: use digits with the country code, like +55 11 99999-9999`);
  }
  const parsed = parsePhoneNumberFromString(raw, { defaultCountry, extract: false }, metadata);
  if (!parsed || !parsed.isValid()) {
    throw new ValidationError(
      `${field} '${raw}' cannot be a valid phone number${raw.startsWith('+') ? '' : ` in ${defaultCountry}`}: ` +
        'check the digits, or write it with its country code (+55 11 99999-9999)',
    );
  }
  return parsed.number.slice(1);
}

/**
 * A shortcut for the common bulk input with defaultCountry BR: digits only, either 55 + a
 * 10-11 digit national number or the national number alone, neither starting with 0 or 90.
 * It returns only a number libphonenumber accepts, and exactly what it returns for it; anything
 * else (undefined) goes through the library. Why that is libphonenumber's answer, following
 * parse() with BR's metadata:
 *
 * - digits only: no extension, no RFC 3966 context, a viable number, unchanged by
 *   parseIncompletePhoneNumber; not starting with 0, it has no IDD prefix (BR's starts with 00);
 * - 55 + 10 or 11 digits (12-13 digits): longer than BR's longest number (11), so the leading 55
 *   is taken as the country code (TOO_LONG) whatever the patterns say; the rest, not starting
 *   with 0 or 90, matches no national prefix to strip (BR's need a leading 0 or 90);
 * - 10 or 11 digits not starting with 55: no country code in it, the number is BR's national number,
 *   with no national prefix to strip, as above;
 * - 55 belongs to BR alone, and the min metadata has no number types, so isValid() is exactly
 *   the national number matching BR's national number pattern; the result is 55 + that number.
 *
 * Those facts are checked against the metadata below: with other metadata (a libphonenumber-js
 * update that changes them), there is no shortcut and every number goes through the library.
 * test/unit/recipient.test.ts compares both over many numbers.
 */
/** The shape of libphonenumber-js's metadata (format version 4) that the shortcut reads. */
interface MetadataView {
  version: number;
  countries: Record<string, unknown[] | undefined>;
  country_calling_codes: Record<string, string[] | undefined>;
}

const brazil = ((): ((raw: string) => string | undefined) | undefined => {
  const m = metadata as unknown as MetadataView;
  const br = m.countries.BR;
  if (m.version !== 4 || !br || typeof br[2] !== 'string') return undefined;
  // Calling code, IDD prefix, possible lengths, national prefix, national prefix for parsing and
  // its transform rule, no number types (nothing past index 8), and 55 is BR's alone.
  const expected = JSON.stringify([
    '55',
    '00(?:1[245]|2[1-35]|31|4[13]|[56]5|99)',
    [8, 9, 10, 11],
    '0',
    '(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\\d{10,11}))?',
    '$2',
    9,
    ['BR'],
  ]);
  const actual = JSON.stringify([br[0], br[1], br[3], br[5], br[7], br[8], br.length, m.country_calling_codes['55']]);
  if (actual !== expected) return undefined;
  const nationalPattern = new RegExp(`^(?:${br[2]})$`);
  return (raw) => {
    const n = raw.length;
    if (n < 10 || n > 13) return undefined;
    for (let i = 0; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    let national: string;
    if (n >= 12) {
      if (raw.charCodeAt(0) !== 53 || raw.charCodeAt(1) !== 53) return undefined; // 55
      national = raw.slice(2);
    } else {
      // 55 + 8-9 digits, or a national number in area 55: the library weighs both readings.
      if (raw.charCodeAt(0) === 53 && raw.charCodeAt(1) === 53) return undefined;
      national = raw;
    }
    const first = national.charCodeAt(0);
    if (first === 48 || (first === 57 && national.charCodeAt(1) === 48)) return undefined; // 0, 90
    if (!nationalPattern.test(national)) return undefined;
    return n >= 12 ? raw : '55' + national;
  };
})();

/** For the tests: the BR shortcut, undefined when the metadata is not the one it was checked against. */
export const brazilShortcut = brazil;
