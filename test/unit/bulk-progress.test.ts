/**
 * What the bulk progress line says the run waits for (src/commands/bulk/progress.ts): a sender's
 * pause (in a pool, naming its profile) and the recipients backed off for their pair rate, masked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pacer, type Clock } from '../../src/bulk/pacer.js';
import { RecipientHolds } from '../../src/bulk/holds.js';
import { maskRecipient, waitsText } from '../../src/commands/bulk/progress.js';

function clock(): Clock & { t: number } {
  const c = { t: 1000, now: () => c.t, sleep: async () => undefined };
  return c;
}

describe('bulk progress line: what the run waits for', () => {
  test('a recipient shows as its first two digits and its last four', () => {
    assert.equal(maskRecipient('5511910000004'), '+55…0004');
    assert.equal(maskRecipient('+55 (11) 99999-0001'), '+55…0001');
    assert.equal(maskRecipient('123'), '+…');
  });

  test('nothing to wait for says nothing; the longest pause of a pool names its profile', () => {
    const c = clock();
    const a = new Pacer(undefined, c);
    const b = new Pacer(undefined, c);
    const holds = new RecipientHolds(c.now);
    const pool = [
      { pacer: a, name: 'a' },
      { pacer: b, name: 'b' },
    ];
    assert.equal(waitsText(pool, holds), '');
    a.pause(1_000, '429 from the provider');
    b.pause(2_500, '503 from the provider');
    assert.equal(waitsText(pool, holds), 'waiting 3 s: 503 from the provider (profile b) · ');
    assert.equal(waitsText([{ pacer: a }], holds), 'waiting 1 s: 429 from the provider · ');
  });

  test('recipients backed off: the longest wait, how many others wait, and ended waits dropped', () => {
    const c = clock();
    const holds = new RecipientHolds(c.now);
    holds.hold('5511910000004', 16_000);
    holds.hold('5511910000005', 4_000);
    const none: { pacer: Pacer }[] = [];
    assert.equal(waitsText(none, holds), 'waiting 16 s: 131056 pair rate for +55…0004 and 1 other recipient(s) · ');
    c.t += 5_000;
    assert.equal(waitsText(none, holds), 'waiting 11 s: 131056 pair rate for +55…0004 · ');
    c.t += 11_000;
    assert.equal(waitsText(none, holds), '');
    assert.equal(holds.longest(), undefined);
  });
});
