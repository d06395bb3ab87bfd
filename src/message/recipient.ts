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
