/**
 * Provider error classes in `bulk` (src/providers/error-classes.ts, README "When a provider
 * refuses"): the built binary against the sandbox, which refuses chosen recipients with Meta's
 * codes in Meta's envelope (SandboxOptions.refusals, `sandbox --refuse`). What the server received
 * is asserted: how many requests each recipient got, in what order, and that nothing was accepted
 * twice across reruns.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, startWorld, type CliResult, type RunResult, type World } from './harness.js';

let world: World;
before(async () => void (world = await startWorld()));
after(() => world.close());
// Each test starts from an empty sandbox that refuses nobody.
beforeEach(() => void (world.sandbox.reset(), world.sandbox.refuse({})));

const phone = (i: number): string => String(5511930000000 + i);

/** A CSV of `to,nome` rows for these recipients; returns its path (its journal is beside it). */
function csvOf(recipients: string[]): string {
  const path = join(world.dir, `classes-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, ['to,nome', ...recipients.map((to, i) => `${to},João ${i}`)].join('\n') + '\n');
  return path;
}

const TEXT = ['--text', 'Olá {{nome}} 🎉'];
/** Interacto sends contact cards only. */
const CONTACT = ['--name', '{{nome}}', '--phone', '5511988887777'];

async function bulk(csv: string, profile: string, extra: string[] = []): Promise<CliResult> {
  const r = await world.run(['bulk', csv, ...(profile === 'interacto' ? CONTACT : TEXT), '--profile', profile, '--json', ...extra]);
  assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the key leaked');
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+\)?/, 'no stack trace');
  return r;
}

/** The send requests the sandbox received, in order: recipient and status. */
const received = (): { to: string; status: number }[] =>
  world.sandbox.received.filter((r) => r.to !== undefined).map((r) => ({ to: r.to!, status: r.status }));

/** Every one of `expected` was accepted exactly once, and nobody else was. */
function eachAcceptedOnce(expected: string[]): void {
  const got = world.sandbox.accepted().map((m) => m.to);
  assert.deepEqual([...got].sort(), [...expected].sort());
}

describe('retry later', () => {
  test('131056 backs off that recipient only (1 s, then 4 s), holding its other row; every other row flows on', async () => {
    const slow = phone(1);
    const others = [phone(2), phone(3), phone(4), phone(5)];
    world.sandbox.refuse({ [slow]: { code: 131056, times: 2 } });
    // --concurrency 1: a worker held by the backoff would hold every row behind it.
    const csv = csvOf([slow, ...others, slow]);
    const r = await bulk(csv, 'socialminer', ['--concurrency', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.lines.map((l) => l.status),
      ['sent', 'sent', 'sent', 'sent', 'sent', 'sent'],
    );
    const got = received();
    const toSlow = got.filter((g) => g.to === slow);
    // Two rows to it: two refusals (429 131056), then each accepted once.
    assert.deepEqual(toSlow.map((g) => g.status).sort(), [200, 200, 429, 429]);
    assert.deepEqual(got[0], { to: slow, status: 429 }, 'the first request is the refused one');
    // The other rows went while it waited: all of them before its first acceptance (≥ 5 s later).
    const firstAccepted = got.findIndex((g) => g.to === slow && g.status === 200);
    for (const to of others) assert.ok(got.findIndex((g) => g.to === to) < firstAccepted, `${to} was held behind the backoff`);
    assert.equal(got.filter((g) => others.includes(g.to)).length, others.length, 'the other rows were sent once each');
    eachAcceptedOnce([slow, ...others, slow]);
    assert.match(r.stderr, /2 retries/);
  });

  test('SIGTERM while a recipient waits out its backoff: exit 143 at once, the row not sent; the rerun sends it once', async () => {
    const slow = phone(8);
    world.sandbox.refuse({ [slow]: { code: 131056, times: 1 } });
    const csv = csvOf([phone(9), slow]);
    const run = world.start(['bulk', csv, ...TEXT, '--profile', 'socialminer']);
    // Once both rows were answered (the slow one refused), the run has nothing left but the wait.
    while (world.sandbox.received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    run.child.kill('SIGTERM');
    const { code, stderr } = await run.done;
    assert.equal(code, 143, stderr);
    assert.match(stderr, /1 sent, 0 failed, 0 skipped, 0 unknown, 1 not sent/);
    world.sandbox.refuse({});
    const rerun = await bulk(csv, 'socialminer');
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(
      received()
        .filter((g) => g.to === slow)
        .map((g) => g.status),
      [429, 200],
    );
    eachAcceptedOnce([phone(9), slow]);
  });

  test('131057 (maintenance, HTTP 500) is retried, not unknown', async () => {
    world.sandbox.refuse({ [phone(6)]: { code: 131057, times: 1 } });
    const r = await bulk(csvOf([phone(6), phone(7)]), 'turn');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      received()
        .filter((g) => g.to === phone(6))
        .map((g) => g.status),
      [500, 200],
    );
    eachAcceptedOnce([phone(6), phone(7)]);
  });
});

describe('stop the run', () => {
  test('190 (expired token) stops at once with exit 4, the rest unsent; the rerun after fixing sends only the rest', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => phone(10 + i));
    world.sandbox.refuse({ [rows[2]!]: { code: 190 } });
    const csv = csvOf(rows);
    const r = await bulk(csv, 'socialminer', ['--concurrency', '1']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^error: socialminer refused the request \(401 190\): \(#190\) Access token has expired/m);
    assert.match(r.stderr, /^hint: .*access token is invalid or expired/m);
    assert.match(r.stderr, /journal: .*\.journal/);
    const out = r.lines;
    assert.deepEqual(
      out.map((l) => [l.row, l.status]),
      [
        [2, 'sent'],
        [3, 'sent'],
        [4, 'failed'],
      ],
    );
    assert.equal(out[2]!.error?.code, '190');
    assert.deepEqual(
      received().map((g) => g.to),
      rows.slice(0, 3),
      'nothing after the refused row was sent',
    );

    world.sandbox.refuse({});
    const rerun = await bulk(csv, 'socialminer', ['--concurrency', '1']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(
      received()
        .slice(3)
        .map((g) => g.to),
      rows.slice(2),
      'the rerun sends the refused row and the rest, once each',
    );
    eachAcceptedOnce(rows);
    assert.deepEqual(
      rerun.lines.filter((l) => l.journal).map((l) => l.row),
      [2, 3],
    );
  });

  for (const [code, profile, status, words] of [
    ['368', 'turn', 403, /Temporarily blocked for policies violations/],
    ['131048', 'socialminer', 429, /Spam rate limit hit/],
  ] as const) {
    test(`${code} (HTTP ${status}) stops the run with exit 1 and the reason (${profile})`, async () => {
      const rows = Array.from({ length: 6 }, (_, i) => phone(20 + i));
      world.sandbox.refuse({ [rows[1]!]: { code: Number(code) } });
      const csv = csvOf(rows);
      const r = await bulk(csv, profile, ['--concurrency', '1']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^stopped: ${profile} refused the run \\(${code}\\); rows not yet sent were not sent$`, 'm'));
      assert.match(r.stderr, new RegExp(`^error: ${profile} refused the request \\(${status} ${code}\\): .*${words.source}`, 'm'));
      assert.match(r.stderr, /^hint: .*WhatsApp Manager.*run the same command again/m);
      assert.deepEqual(
        received().map((g) => g.to),
        rows.slice(0, 2),
      );
      // Solved: the rerun sends the refused row and the rest.
      world.sandbox.refuse({});
      const rerun = await bulk(csv, profile);
      assert.equal(rerun.code, 0, rerun.stderr);
      eachAcceptedOnce(rows);
    });
  }
  test("Interflow's CHANNEL_DISCONNECTED stops the run with exit 1 after one request", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => phone(30 + i));
    const r = await bulk(csvOf(rows), 'interflow-disconnected', ['--concurrency', '1']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^stopped: interflow refused the run \(CHANNEL_DISCONNECTED\)/m);
    assert.match(
      r.stderr,
      /^hint: the profile's channel is disconnected: reconnect it in Interflow, then send again; then run the same command again/m,
    );
    assert.equal(world.sandbox.received.length, 1);
  });

  test('a one-off send gives the same exit codes: 368 (HTTP 403) is 1, 190 is 4', async () => {
    world.sandbox.refuse({ [phone(36)]: { code: 368 }, [phone(37)]: { code: 190 } });
    const blocked = await world.run(['send', 'text', phone(36), 'Olá', '--profile', 'turn']);
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stderr, /^error: turn refused the request \(403 368\)/m);
    const expired = await world.run(['send', 'text', phone(37), 'Olá', '--profile', 'socialminer']);
    assert.equal(expired.code, 4, expired.stderr);
  });
});

describe('systemic stop: the same template error 10 rows in a row', () => {
  const TEMPLATE = ['--template', 'pedido_confirmado', '--language', 'pt_BR', '--param', '{{nome}}'];

  test('132001 on 10 rows in a row stops the run: the rest unsent, a hint; the rerun after fixing sends every row exactly once', async () => {
    const rows = Array.from({ length: 15 }, (_, i) => phone(40 + i));
    world.sandbox.refuse({ '*': { code: 132001 } });
    const csv = csvOf(rows);
    const run = (): Promise<CliResult> => world.run(['bulk', csv, ...TEMPLATE, '--profile', 'socialminer', '--json', '--concurrency', '1']);
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^stopped: 10 rows in a row were refused with 132001: the template is wrong, not the rows; rows not yet sent were not sent$/m,
    );
    assert.match(
      r.stderr,
      /^error: stopped after 10 rows in a row were refused with the same template error: socialminer refused the request \(404 132001\)/m,
    );
    assert.match(
      r.stderr,
      /^hint: .*fix the template with the provider .*run the same command again: the rows it refused and the rows not sent are sent, each once$/m,
    );
    assert.match(r.stderr, /10 failed, 0 skipped, 0 unknown/);
    const out = r.lines;
    assert.equal(out.length, 10);
    assert.ok(out.every((l) => l.status === 'failed' && l.error?.code === '132001' && l.error.retryable === true));
    assert.equal(received().length, 10, 'no row after the tenth was sent');

    world.sandbox.refuse({});
    const rerun = await run();
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(received().length, 25);
    assert.deepEqual(
      received()
        .slice(10)
        .map((g) => g.to),
      rows,
      'the refused rows and the rest, once each',
    );
    eachAcceptedOnce(rows);
  });

  test('a row sent between them breaks the streak: 18 refused rows fail, the run goes to the end (exit 3)', async () => {
    const refused = Array.from({ length: 18 }, (_, i) => phone(60 + i));
    const fine = phone(99);
    world.sandbox.refuse(Object.fromEntries(refused.map((to) => [to, { code: 132012 }])));
    const r = await world.run([
      'bulk',
      csvOf([...refused.slice(0, 9), fine, ...refused.slice(9)]),
      ...TEMPLATE,
      '--profile',
      'turn',
      '--json',
      '--concurrency',
      '1',
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /1 sent, 18 failed/);
    assert.doesNotMatch(r.stderr, /stopped/);
    assert.equal(received().length, 19);
  });
});

describe('fail the row', () => {
  test('131026, 131047, 131051, 131052, 131053: those rows fail with the reason and a hint, once; the others go on; a rerun does not send them again', async () => {
    const codes = [131026, 131047, 131051, 131052, 131053];
    const refused = codes.map((_, i) => phone(80 + i));
    const fine = [phone(90), phone(91)];
    world.sandbox.refuse(Object.fromEntries(refused.map((to, i) => [to, { code: codes[i]! }])));
    const csv = csvOf([fine[0]!, ...refused, fine[1]!]);
    const r = await bulk(csv, 'socialminer');
    assert.equal(r.code, 3, r.stderr);
    const byTo = new Map(r.lines.map((l) => [l.to, l]));
    codes.forEach((code, i) => {
      const l = byTo.get(refused[i]!)!;
      assert.equal(l.status, 'failed');
      assert.equal(l.error?.code, String(code));
      assert.equal(l.error?.retryable, undefined);
      assert.ok(l.error?.hint, `a hint for ${code}`);
    });
    for (const to of fine) assert.equal(byTo.get(to)?.status, 'sent');
    for (const to of refused) assert.equal(received().filter((g) => g.to === to).length, 1, 'not retried');

    const rerun = await bulk(csv, 'socialminer');
    assert.equal(rerun.code, 3);
    assert.equal(received().length, refused.length + fine.length, 'nothing sent again');
  });
});

// The same --refuse codes, answered by Interflow and Interacto in their own shapes (README, "The sandbox").
for (const [profile, own] of [
  ['interflow', { recipient: '400 VALIDATION_ERROR', auth: '401 UNAUTHORIZED', blocked: '422 CHANNEL_DISCONNECTED', accepted: 201 }],
  ['interacto', { recipient: '400 BAD_REQUEST', auth: '401 UNAUTHORIZED', blocked: '422 UNPROCESSABLE_ENTITY', accepted: 201 }],
] as const) {
  describe(`${profile}: --refuse in its own words`, () => {
    test('a refused recipient (131026) fails its row with the reason, once; the others are sent; a rerun does not send it again', async () => {
      const refused = phone(100);
      const fine = [phone(101), phone(102)];
      world.sandbox.refuse({ [refused]: { code: 131026 } });
      const csv = csvOf([fine[0]!, refused, fine[1]!]);
      const r = await bulk(csv, profile);
      assert.equal(r.code, 3, r.stderr);
      const byTo = new Map(r.lines.map((l) => [l.to, l]));
      const row = byTo.get(refused)!;
      assert.equal(row.status, 'failed');
      assert.equal(`${row.error?.status} ${row.error?.code}`, own.recipient);
      assert.match(row.error!.message, /Message undeliverable \(WhatsApp 131026\)/);
      assert.equal(row.error?.retryable, undefined);
      for (const to of fine) assert.equal(byTo.get(to)?.status, 'sent');
      assert.equal(received().filter((g) => g.to === refused).length, 1, 'not retried');
      eachAcceptedOnce(fine);

      const rerun = await bulk(csv, profile);
      assert.equal(rerun.code, 3, rerun.stderr);
      assert.equal(received().length, 3, 'nothing sent again');
    });

    test('an auth refusal (190) stops the run with exit 4, the rest unsent; the rerun sends the refused row and the rest', async () => {
      const rows = Array.from({ length: 5 }, (_, i) => phone(110 + i));
      world.sandbox.refuse({ [rows[1]!]: { code: 190 } });
      const csv = csvOf(rows);
      const r = await bulk(csv, profile, ['--concurrency', '1']);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, new RegExp(`^error: ${profile} refused the request \\(${own.auth}\\)`, 'm'));
      assert.match(r.stderr, /^hint: check the profile's apiKey/m);
      assert.deepEqual(
        received().map((g) => g.to),
        rows.slice(0, 2),
        'nothing after the refused row was sent',
      );
      world.sandbox.refuse({});
      const rerun = await bulk(csv, profile, ['--concurrency', '1']);
      assert.equal(rerun.code, 0, rerun.stderr);
      eachAcceptedOnce(rows);
    });

    test('a rate-limit refusal (130429, once) is retried after its Retry-After, then sent once', async () => {
      const slow = phone(120);
      world.sandbox.refuse({ [slow]: { code: 130429, times: 1 } });
      const r = await bulk(csvOf([slow, phone(121)]), profile);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        r.lines.map((l) => l.status),
        ['sent', 'sent'],
      );
      assert.deepEqual(
        received()
          .filter((g) => g.to === slow)
          .map((g) => g.status),
        [429, own.accepted],
      );
      eachAcceptedOnce([slow, phone(121)]);
    });

    test('a blocked account (368) stops the run with exit 1 and the reason; the rerun once solved sends the rest', async () => {
      const rows = Array.from({ length: 4 }, (_, i) => phone(130 + i));
      world.sandbox.refuse({ [rows[1]!]: { code: 368 } });
      const csv = csvOf(rows);
      const r = await bulk(csv, profile, ['--concurrency', '1']);
      assert.equal(r.code, 1, r.stderr);
      const code = own.blocked.split(' ')[1]!;
      assert.match(r.stderr, new RegExp(`^stopped: ${profile} refused the run \\(${code}\\); rows not yet sent were not sent$`, 'm'));
      assert.match(r.stderr, new RegExp(`^error: ${profile} refused the request \\(${own.blocked}\\)`, 'm'));
      assert.match(r.stderr, /^hint: .*disconnected.*reconnect it/m);
      assert.equal(received().length, 2);
      world.sandbox.refuse({});
      const rerun = await bulk(csv, profile);
      assert.equal(rerun.code, 0, rerun.stderr);
      eachAcceptedOnce(rows);
    });

    test('a one-off send gives the same exit codes: a blocked account is 1, a refused key is 4, a refused recipient is 1', async () => {
      world.sandbox.refuse({ [phone(140)]: { code: 131031 }, [phone(141)]: { code: 190 }, [phone(142)]: { code: 131026 } });
      const send = (to: string): Promise<RunResult> =>
        world.run(
          profile === 'interacto'
            ? ['send', 'contact', to, '--name', 'João', '--phone', '5511988887777', '--profile', profile]
            : ['send', 'text', to, 'Olá', '--profile', profile],
        );
      const blocked = await send(phone(140));
      assert.equal(blocked.code, 1, blocked.stderr);
      assert.match(blocked.stderr, new RegExp(`^error: ${profile} refused the request \\(${own.blocked}\\)`, 'm'));
      assert.equal((await send(phone(141))).code, 4);
      const recipient = await send(phone(142));
      assert.equal(recipient.code, 1, recipient.stderr);
      assert.match(recipient.stderr, /Message undeliverable \(WhatsApp 131026\)/);
      assert.equal(world.sandbox.accepted().length, 0);
    });
  });
}
