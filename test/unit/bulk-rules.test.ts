/**
 * The pure rules of bulk: which answers are retried, Retry-After and X-RateLimit parsing,
 * backoff bounds, even pacing, --rate parsing and {{column}} placeholders.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRate } from '../../src/commands/parsers.js';
import { Pacer, type Clock } from '../../src/bulk/pacer.js';
import { MissingColumnError, checkPlaceholders, collectPlaceholders, render, renderDeep } from '../../src/bulk/placeholders.js';
import {
  backoffMs,
  rateLimitPauseMs,
  rateLimitSpacingMs,
  retryAfterMs,
  RETRY_AFTER_CAP_MS,
  verdictForStatus,
} from '../../src/bulk/retry.js';
import { UsageError } from '../../src/errors.js';

describe('verdicts: only what the provider surely did not accept is retried', () => {
  const table: [number, string][] = [
    [200, 'sent'],
    [201, 'sent'],
    [429, 'retry'],
    [503, 'retry'],
    [500, 'unknown'],
    [502, 'unknown'],
    [504, 'unknown'],
    [401, 'auth'],
    [403, 'auth'],
    [400, 'failed'],
    [404, 'failed'],
    [422, 'failed'],
  ];
  for (const [status, verdict] of table) test(`${status} → ${verdict}`, () => assert.equal(verdictForStatus(status), verdict));
});

describe('Retry-After and X-RateLimit', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  test('delta seconds, HTTP date, capped, absent or bad', () => {
    assert.equal(retryAfterMs('3', now), 3000);
    assert.equal(retryAfterMs('0.5', now), 500);
    assert.equal(retryAfterMs('Sat, 21 Nov 2026 10:00:07 GMT', now), 7000);
    assert.equal(retryAfterMs('Sat, 21 Nov 2026 09:59:00 GMT', now), 0);
    assert.equal(retryAfterMs('86400', now), RETRY_AFTER_CAP_MS);
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
  });
  test('Remaining 0 pauses until Reset (epoch seconds or seconds from now)', () => {
    assert.equal(rateLimitPauseMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 12) }, now), 12_000);
    assert.equal(rateLimitPauseMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' }, now), 5000);
    assert.equal(rateLimitPauseMs({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '5' }, now), undefined);
    assert.equal(rateLimitPauseMs({}, now), undefined);
  });
  test('the window left: the time to Reset shared by the Remaining requests', () => {
    assert.equal(rateLimitSpacingMs({ 'x-ratelimit-remaining': '299', 'x-ratelimit-reset': String(now / 1000 + 59.8) }, now), 200);
    assert.equal(rateLimitSpacingMs({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '2' }, now), 500);
    // None left is a pause (rateLimitPauseMs), not a pace; without both headers there is no window.
    assert.equal(rateLimitSpacingMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' }, now), undefined);
    assert.equal(rateLimitSpacingMs({ 'x-ratelimit-remaining': '4' }, now), undefined);
    assert.equal(rateLimitSpacingMs({ 'x-ratelimit-remaining': '', 'x-ratelimit-reset': '2' }, now), undefined);
  });
  test('full-jitter backoff stays within [0, min(cap, base·2^n))', () => {
    assert.equal(
      backoffMs(0, 250, 20_000, () => 0),
      0,
    );
    assert.equal(
      backoffMs(3, 250, 20_000, () => 0.999999),
      1999,
    );
    assert.equal(
      backoffMs(20, 250, 20_000, () => 0.5),
      10_000,
    );
  });
});

describe('pacing', () => {
  function fakeClock(): Clock & { t: number; sleeps: number[] } {
    const c = {
      t: 0,
      sleeps: [] as number[],
      now: () => c.t,
      sleep: async (ms: number) => {
        c.sleeps.push(ms);
        c.t += ms;
      },
    };
    return c;
  }

  test('slots are spread evenly at the rate, not burst', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(1200, clock); // one every 50 ms
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.take();
      times.push(clock.t);
    }
    assert.deepEqual(times, [0, 50, 100, 150, 200]);
  });

  test('a pause (Retry-After) holds every later slot', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(600, clock); // one every 100 ms
    await pacer.take();
    pacer.pause(1000);
    await pacer.take();
    assert.equal(clock.t, 1000);
    await pacer.take();
    assert.equal(clock.t, 1100);
  });

  test('paused() says how long a pause still lasts and why (for the progress line)', () => {
    const clock = fakeClock();
    const pacer = new Pacer(undefined, clock);
    assert.equal(pacer.paused(), undefined);
    pacer.pause(12_000, '429 from the provider');
    assert.deepEqual(pacer.paused(), { ms: 12_000, reason: '429 from the provider' });
    pacer.pause(1_000, 'a shorter one');
    assert.deepEqual(pacer.paused(), { ms: 12_000, reason: '429 from the provider' });
    clock.t += 12_000;
    assert.equal(pacer.paused(), undefined);
  });

  test('unpaced without a rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(undefined, clock);
    for (let i = 0; i < 3; i++) await pacer.take();
    assert.deepEqual(clock.sleeps, []);
  });

  test('takeNow takes a slot only when take() would not wait, and the same one', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(1200, clock); // one every 50 ms
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      if (!pacer.takeNow()) await pacer.take();
      times.push(clock.t);
    }
    assert.deepEqual(times, [0, 50, 100, 150, 200]);
    clock.t += 1000;
    assert.equal(pacer.takeNow(), true);
    pacer.pause(500);
    assert.equal(pacer.takeNow(), false);
    await pacer.take();
    assert.equal(clock.t, 1700);
    const unpaced = new Pacer(undefined, clock);
    for (let i = 0; i < 3; i++) assert.equal(unpaced.takeNow(), true);
    unpaced.pause(10);
    assert.equal(unpaced.takeNow(), false);
  });

  test('follow(): the window slows a faster --rate down to it, never speeds it up', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(6000, clock); // --rate 100/s: one every 10 ms
    await pacer.take();
    pacer.follow(200); // the plan: 300 a minute
    await pacer.take();
    await pacer.take();
    assert.equal(clock.t, 210);
    pacer.follow(2); // a window with room: back to the asked pace, not faster
    await pacer.take();
    await pacer.take();
    assert.equal(clock.t, 420);
    const unpaced = new Pacer(undefined, clock);
    unpaced.follow(0.01); // 6,000,000 a minute: no pace to keep
    for (let i = 0; i < 3; i++) assert.equal(unpaced.takeNow(), true);
  });

  test('--rate forms', () => {
    assert.equal(parseRate('300/min'), 300);
    assert.equal(parseRate('5/s'), 300);
    assert.equal(parseRate('1200'), 1200);
    assert.equal(parseRate(' 20 / second '), 1200);
    assert.equal(parseRate('0/min'), undefined);
    assert.equal(parseRate('fast'), undefined);
  });
});

describe('placeholders', () => {
  test('render, render deep, missing column', () => {
    assert.equal(render('Olá, {{nome}}! Pedido {{ pedido }} 🎉', { nome: 'João', pedido: '12345' }), 'Olá, João! Pedido 12345 🎉');
    assert.deepEqual(renderDeep({ param: ['{{a}}', 'x'], text: '{{b}}' }, { a: '1', b: '2' }), { param: ['1', 'x'], text: '2' });
    assert.throws(
      () => render('{{cidade}}', {}),
      (e: unknown) => e instanceof MissingColumnError && e.column === 'cidade',
    );
    assert.equal(render('{{vazio}}', { vazio: '' }), '');
  });
  test('render is a replace of every placeholder by its cell, in order, the first missing one refused', () => {
    const cells: Record<string, string> = { a: 'A', b: '$1 $& {{a}}', 'c d': 'CD', nome: 'João 🎉' };
    const texts = [
      '',
      'x',
      '{{a}}',
      '{{a}}{{b}}',
      ' {{ a }} {{b}} ',
      '{{a}',
      '{a}}',
      '{{{a}}}',
      '{{{{a}}}}',
      '{{}}',
      '{{ }}',
      '{{c d}}',
      'Olá {{nome}}, {{nome}}!',
      '{{a}} {{zz}} {{yy}}',
      '{{zz}} {{a}}',
      '🎉{{a}}🎉{{b}}🎉',
      '{{a\n}}',
      'x {{a}} {{ b}} {{c d }}x',
    ];
    const byReplace = (text: string): string =>
      text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_, name: string) => {
        if (cells[name] === undefined) throw new MissingColumnError(name);
        return cells[name];
      });
    for (const text of texts) {
      for (let round = 0; round < 2; round++) {
        let expected: string | MissingColumnError;
        let actual: string | MissingColumnError;
        try {
          expected = byReplace(text);
        } catch (e) {
          expected = e as MissingColumnError;
        }
        try {
          actual = render(text, cells);
        } catch (e) {
          actual = e as MissingColumnError;
        }
        if (typeof expected === 'string') assert.equal(actual, expected, text);
        else assert.ok(actual instanceof MissingColumnError && actual.column === expected.column, text);
      }
    }
  });
  test('unknown columns are refused before anything is sent, listing the columns', () => {
    const names = collectPlaceholders({ text: 'Oi {{nome}} de {{cidade}}', param: ['{{pedido}}'] });
    assert.deepEqual([...names].sort(), ['cidade', 'nome', 'pedido']);
    assert.throws(
      () => checkPlaceholders(names, ['to', 'nome', 'pedido'], 'message flags'),
      (e: unknown) =>
        e instanceof UsageError && /\{\{cidade\}\} names no column of the CSV; its columns are: to, nome, pedido/.test(e.message),
    );
    assert.doesNotThrow(() => checkPlaceholders(['nome'], ['to', 'nome'], 'x'));
  });
});
