/**
 * normalizeRecipient's shortcut for digits-only Brazilian numbers (src/message/recipient.ts) must
 * give exactly libphonenumber's answer: compared here over every 3-digit start and every length
 * around BR's, with and without 55, plus formatted, foreign and invalid numbers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CountryCode } from 'libphonenumber-js/core';
import { brazilShortcut, normalizeRecipient, parseRecipient } from '../../src/message/recipient.js';

/** What the library says: the number, or the refusal's message. */
const library = (input: string, country: CountryCode = 'BR'): string => {
  try {
    return parseRecipient(input.trim(), country);
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
};
const normalized = (input: string, country: CountryCode = 'BR'): string => {
  try {
    return normalizeRecipient(input, country);
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
};

/** A deterministic pseudo-random digit string. */
let seed = 12345;
const digits = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    s += String(seed % 10);
  }
  return s;
};

/** Every 3-digit start (000-999), at every length from 8 to 14 digits (10 and 11, BR's, six times), with and without 55 in front. */
function digitsOnly(): string[] {
  const out: string[] = [];
  for (let start = 0; start < 1000; start++) {
    const head = String(start).padStart(3, '0');
    for (let len = 8; len <= 14; len++) {
      for (let k = 0; k < (len === 10 || len === 11 ? 6 : 2); k++) {
        const n = head + digits(len - 3);
        out.push(n, '55' + n);
      }
    }
  }
  return out;
}

const others = [
  '5511999999999',
  '551199999999',
  '11999999999',
  '1199999999',
  '5511910000000',
  '5555999999999',
  '55999999999',
  '5555555555555',
  '555555555555',
  '55555555555',
  '5590999999999',
  '559099999999',
  '90999999999',
  '9099999999',
  '0011999999999',
  '01199999999',
  '0115511999999999',
  '09011999999999',
  '9911999999999',
  '5591988887777',
  ' 5511999999999 ',
  '\t11999999999\n',
  '+5511999999999',
  '+55 11 99999-9999',
  '(11) 99999-9999',
  '+55 (11) 3333-4444',
  '+1 212 555 0123',
  '+12125550123',
  '12125550123',
  '+44 20 7946 0958',
  '+351 912 345 678',
  '+54 9 11 2345-6789',
  '+49 30 123456',
  '+33 6 12 34 56 78',
  '+5511999999999000',
  '55119999999990000',
  '123',
  '',
  ' ',
  'abc',
  '5.5119E+12',
  '+55 11 9999',
  '0',
  '00',
  '55',
  '5500000000000',
  '550000000000',
  '0000000000',
  '1000000000',
  '19999999999',
];

describe('recipient shortcut', () => {
  test('is on with the metadata it was checked against', () => assert.equal(typeof brazilShortcut, 'function'));

  test('gives exactly the library answer (digits only, every start and length, with and without 55)', () => {
    const inputs = [...digitsOnly(), ...others];
    let taken = 0;
    for (const input of inputs) {
      const expected = library(input);
      const fast = brazilShortcut?.(input.trim());
      if (fast !== undefined) {
        taken++;
        assert.equal(fast, expected, input);
      }
      assert.equal(normalized(input), expected, input);
    }
    // Most valid Brazilian numbers of 10-13 digits take it (the test is not vacuous).
    assert.ok(taken > 20_000, `shortcut taken ${taken} times`);
  });

  test('other default countries go through the library', () => {
    for (const input of others) {
      for (const country of ['PT', 'US', 'AR'] as CountryCode[])
        assert.equal(normalized(input, country), library(input, country), `${input} ${country}`);
    }
  });

  test('refusals name the field and the number as before', () => {
    assert.throws(() => normalizeRecipient('0011999999999'), /to '0011999999999' cannot be a valid phone number in BR/);
    assert.throws(() => normalizeRecipient('5555555555555'), /to '5555555555555' cannot be a valid phone number in BR/);
  });
});
