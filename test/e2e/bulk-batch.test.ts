/**
 * `interflow bulk --batch N` end to end: the built binary against the sandbox's
 * POST /interflow/v1/messages/bulk (the shape PRODUCT.md assumes, "Interflow's remaining
 * endpoints"). Asserted on the server side: how many requests, how many messages, none twice.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REFUSED_RECIPIENT, type Sandbox } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, bulkFixture, phone, profileAt } from './harness.js';

const fx = bulkFixture({ name: 'batch-e2e', profiles: (url) => ({ local: profileAt.interflow(url), turn: profileAt.turn(url) }) });

const csvOf = (recipients: string[]): string =>
  fx.csv(
    recipients.map((to, i) => `${to},João ${i}`),
    { header: 'to,nome' },
  );
const many = (n: number): string[] => Array.from({ length: n }, (_, i) => phone(i));

const TEXT = ['--text', 'Olá {{nome}} 🎉'];
const BULK_PATH = '/interflow/v1/messages/bulk';

describe('bulk --batch N (interflow /messages/bulk)', () => {
  test('250 rows with --batch 100: 3 requests, 250 messages, each row sent with its id; a rerun sends nothing', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(many(250));
      const r = await bulk([csv, ...TEXT, '--batch', '100', '--json', '--profile', 'local']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.received.length, 3);
      assert.ok(sb.received.every((q) => q.method === 'POST' && q.path === BULK_PATH && q.status === 200));
      const sizes = sb.received.map((q) => (q.body as { messages: unknown[] }).messages.length).sort((a, b) => b - a);
      assert.deepEqual(sizes, [100, 100, 50]);
      // The envelope carries the channel once; items are /messages/send bodies without it.
      const first = sb.received[0]!.body as { channel_id: string; messages: Record<string, unknown>[] };
      assert.equal(first.channel_id, CHANNEL);
      assert.deepEqual(Object.keys(first.messages[0]!).sort(), ['content', 'to', 'type']);
      assert.equal(first.messages[0]!.type, 'text');
      const accepted = sb.accepted();
      assert.equal(accepted.length, 250);
      assert.equal(new Set(accepted.map((a) => a.to)).size, 250);
      assert.equal(sb.stats().distinctBodies, 250);
      // The status store knows each one (GET /messages/:id, webhooks build on it).
      assert.ok(accepted.every((a) => sb.messages.get(a.messageId) !== undefined));
      const out = r.lines;
      assert.equal(out.length, 250);
      const ids = new Set(accepted.map((a) => a.messageId));
      for (const o of out) {
        assert.equal(o.status, 'sent');
        assert.ok(ids.has(String(o.id)), `row ${String(o.row)}: id ${String(o.id)} is not one the server gave`);
      }
      const texts = accepted.map((a) => (a.body as { content: { text: string } }).content.text);
      assert.ok(texts.includes('Olá João 0 🎉'));

      // Rerun: everything comes from the journal, nothing is sent.
      const again = await bulk([csv, ...TEXT, '--batch', '100', '--json', '--profile', 'local']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sb.received.length, 3);
      assert.equal(again.lines.filter((o) => o.status === 'sent').length, 250);
    });
  });

  test('items the server refuses fail their rows with the code; the others are sent; exit 3; a rerun sends nothing', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const recipients = many(10);
      recipients[3] = REFUSED_RECIPIENT;
      recipients[7] = REFUSED_RECIPIENT;
      const csv = csvOf(recipients);
      const r = await bulk([csv, ...TEXT, '--batch', '10', '--json', '--profile', 'local']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(sb.received.length, 1);
      assert.equal((sb.received[0]!.body as { messages: unknown[] }).messages.length, 10);
      const out = r.lines;
      const failed = out.filter((o) => o.status === 'failed');
      assert.deepEqual(failed.map((o) => o.row).sort(), [5, 9]);
      for (const o of failed) {
        const error = o.error as { code: string; message: string };
        assert.equal(error.code, 'VALIDATION_ERROR');
        assert.match(error.message, /WhatsApp/);
      }
      assert.equal(out.filter((o) => o.status === 'sent').length, 8);
      assert.equal(sb.accepted().length, 8);

      const again = await bulk([csv, ...TEXT, '--batch', '10', '--json', '--profile', 'local']);
      assert.equal(again.code, 3, again.stderr);
      assert.equal(sb.received.length, 1, 'the rerun sent something');
      assert.equal(again.lines.filter((o) => o.status === 'failed').length, 2);
    });
  });

  test('rows that fail validation never enter a batch', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const recipients = many(5);
      recipients[2] = 'not-a-phone';
      const r = await bulk([csvOf(recipients), ...TEXT, '--batch', '100', '--json', '--profile', 'local']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(sb.received.length, 1);
      assert.equal((sb.received[0]!.body as { messages: unknown[] }).messages.length, 4);
      const bad = r.lines.find((o) => o.row === 4)!;
      assert.equal(bad.status, 'failed');
      assert.equal((bad.error as { code: string }).code, 'VALIDATION');
    });
  });

  test('a 429 on the batch endpoint is retried whole: every message once', async () => {
    await fx.withSandbox({ faults: { failFirst: 1, failStatus: 429, retryAfter: 1 } }, async ({ sb, bulk }) => {
      const r = await bulk([csvOf(many(30)), ...TEXT, '--batch', '30', '--json', '--profile', 'local']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        sb.received.map((q) => q.status),
        [429, 200],
      );
      assert.deepEqual(sb.received[0]!.rawBody, sb.received[1]!.rawBody);
      assert.equal(sb.accepted().length, 30);
      assert.equal(sb.stats().distinctBodies, 30);
      assert.ok(r.lines.every((o) => o.status === 'sent'));
    });
  });

  test('a batch reset after it was sent leaves every row unknown, not resent', async () => {
    await fx.withSandbox({ faults: { resetFirst: 1 } }, async ({ sb, bulk }) => {
      const csv = csvOf(many(5));
      const r = await bulk([csv, ...TEXT, '--batch', '5', '--json', '--profile', 'local']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(sb.received.length, 1);
      assert.ok(r.lines.every((o) => o.status === 'unknown'));
      const again = await bulk([csv, ...TEXT, '--batch', '5', '--json', '--profile', 'local']);
      assert.equal(again.code, 3, again.stderr);
      assert.equal(sb.received.length, 1, 'an unknown row was resent without --retry-unknown');
      const retried = await bulk([csv, ...TEXT, '--batch', '5', '--json', '--profile', 'local', '--retry-unknown']);
      assert.equal(retried.code, 0, retried.stderr);
      assert.equal(sb.received.length, 2);
      assert.equal((sb.received[1]!.body as { messages: unknown[] }).messages.length, 5);
      assert.ok(retried.lines.every((o) => o.status === 'sent'));
    });
  });

  test('--dry-run prints each batch request (key redacted) and sends nothing', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const r = await bulk([csvOf(many(5)), ...TEXT, '--batch', '2', '--dry-run', '--profile', 'local']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.received.length, 0);
      const out = r.lines;
      assert.deepEqual(
        out.map((o) => o.rows),
        [[2, 3], [4, 5], [6]],
      );
      const req = out[0]!.request as { method: string; url: string; headers: Record<string, string>; body: unknown };
      assert.equal(req.method, 'POST');
      assert.equal(req.url, `${sb.url}/interflow/v1/messages/bulk`);
      assert.ok(!JSON.stringify(req.headers).includes(CANARY));
      assert.match(req.headers.Authorization ?? req.headers.authorization ?? '', /\*|REDACTED|…/i);
      assert.deepEqual(req.body, {
        channel_id: CHANNEL,
        messages: [
          { to: phone(0), type: 'text', content: { text: 'Olá João 0 🎉' } },
          { to: phone(1), type: 'text', content: { text: 'Olá João 1 🎉' } },
        ],
      });
    });
  });

  test('--batch 101, --batch 0 and --batch with a turn profile are refused before anything is sent (exit 2)', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(many(3));
      for (const n of ['101', '0']) {
        const r = await bulk([csv, ...TEXT, '--batch', n, '--profile', 'local']);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /--batch must be a whole number from 1 to 100/);
      }
      const t = await bulk([csv, ...TEXT, '--batch', '10', '--profile', 'turn']);
      assert.equal(t.code, 2, t.stderr);
      assert.match(t.stderr, /--batch is for interflow profiles/);
      assert.equal(t.stdout, '');
      assert.equal(sb.received.length, 0);
    });
  });
});

/**
 * Item-level refusals inside a batch answer go through the same error classes as single sends
 * (src/providers/error-classes.ts): the sandbox (batchRefusals: 'item') refuses a chosen
 * recipient's item alone, with Interflow's answer for the --refuse code and the status a single
 * send would get, where by default it refuses the whole request.
 */
describe('bulk --batch N: refused items by the error classes', () => {
  const items = (q: { body: unknown }): string[] => (q.body as { messages: { to: string }[] }).messages.map((m) => m.to);
  const onceEach = (sb: Sandbox, recipients: string[]): void => {
    const got = sb.accepted().map((m) => m.to);
    assert.deepEqual([...got].sort(), [...recipients].sort(), 'each recipient accepted exactly once');
  };

  test('RATE_LIMIT_EXCEEDED (429) on an item (--refuse 130429): that row alone goes again in a batch of its own, after a pause; sent once', async () => {
    const recipients = many(10);
    const x = recipients[4]!;
    await fx.withSandbox({ batchRefusals: 'item', refusals: { [x]: { code: 130429, times: 2 } } }, async ({ sb, bulk }) => {
      const r = await bulk([csvOf(recipients), ...TEXT, '--batch', '10', '--json', '--profile', 'local']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(sb.received.map(items), [recipients, [x], [x]]);
      assert.ok(r.lines.every((o) => o.status === 'sent'));
      assert.match(r.stderr, /10 sent, 0 failed, 0 skipped, 0 unknown; 2 retries/);
      onceEach(sb, recipients);
    });
  });

  test('an item refused past --max-attempts (SERVICE_UNAVAILABLE, 503) fails its row as retryable: the rerun sends it once, nothing else again', async () => {
    const recipients = many(6);
    const x = recipients[1]!;
    await fx.withSandbox({ batchRefusals: 'item', refusals: { [x]: { code: 131057 } } }, async ({ sb, bulk }) => {
      const csv = csvOf(recipients);
      const args = [csv, ...TEXT, '--batch', '6', '--json', '--profile', 'local'];
      const r = await bulk([...args, '--max-attempts', '2']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(sb.received.length, 2);
      const failed = r.lines.filter((o) => o.status === 'failed');
      assert.deepEqual(
        failed.map((o) => [o.row, (o.error as { code: string }).code]),
        [[3, 'SERVICE_UNAVAILABLE']],
      );
      assert.match((failed[0]!.error as { message: string }).message, /gave up after 2 attempts; the next run tries again/);
      sb.refuse({});
      const again = await bulk(args);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(sb.received.slice(2).map(items), [[x]]);
      onceEach(sb, recipients);
    });
  });

  for (const [code, meta, exit, words] of [
    ['UNAUTHORIZED', 190, 4, /^error: interflow refused the request \(401 UNAUTHORIZED\): API key inválida/m],
    ['CHANNEL_DISCONNECTED', 368, 1, /^stopped: interflow refused the run \(CHANNEL_DISCONNECTED\)/m],
  ] as const) {
    test(`${code} on an item (--refuse ${meta}) stops the run with exit ${exit}, as a single send's answer does; the rerun sends the rest once`, async () => {
      const recipients = many(12);
      const x = recipients[2]!;
      await fx.withSandbox({ batchRefusals: 'item', refusals: { [x]: { code: meta, times: 1 } } }, async ({ sb, bulk }) => {
        const csv = csvOf(recipients);
        const args = [csv, ...TEXT, '--batch', '4', '--concurrency', '1', '--json', '--profile', 'local'];
        const r = await bulk(args);
        assert.equal(r.code, exit, r.stderr);
        assert.match(r.stderr, words);
        // The first batch's other items were sent; no batch went after it.
        assert.equal(sb.received.length, 1);
        const out = r.lines;
        assert.deepEqual(
          out.map((o) => [o.row, o.status]),
          [
            [2, 'sent'],
            [3, 'sent'],
            [4, 'failed'],
            [5, 'sent'],
          ],
        );
        assert.match(r.stderr, /bulk: 4 row\(s\) in .*: 3 sent, 1 failed, 0 skipped, 0 unknown/);
        // The same refusal to a single send: the same exit code.
        sb.refuse({ [x]: { code: meta, times: 1 } });
        const single = await bulk([csvOf([x]), ...TEXT, '--profile', 'local']);
        assert.equal(single.code, exit, single.stderr);
        // Solved: the rerun sends the refused row and the rest, each once.
        const rerun = await bulk(args);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.equal(rerun.lines.filter((o) => o.journal).length, 3);
        onceEach(sb, recipients);
      });
    });
  }
});
