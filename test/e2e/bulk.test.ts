/**
 * `interflow bulk` end to end: the built binary against the sandbox with injected faults. What
 * matters most is asserted on the server side: every message arrives, and none arrives twice.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bin, bulkFixture, freePort, phone, rowsOf } from './harness.js';

const fx = bulkFixture({ name: 'bulk-e2e' });
const csvOf = (n: number): string => fx.csv(rowsOf(n));
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];

describe('bulk happy path and output', () => {
  test('every row sent once, JSON lines in the README shape, unicode byte-exact, summary on stderr', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(25);
      const r = await bulk([csv, ...TEXT, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = r.lines;
      assert.equal(out.length, 25);
      for (const o of out) {
        assert.equal(o.status, 'sent');
        assert.match(String(o.id), /^msg_/);
        assert.match(String(o.to), /^55119100000\d\d$/);
        assert.equal(typeof o.row, 'number');
      }
      assert.deepEqual(
        out.map((o) => o.row).sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: 25 }, (_, i) => i + 2),
      );
      const stats = sb.stats();
      assert.equal(stats.accepted, 25);
      assert.equal(stats.distinctBodies, 25);
      const first = sb.accepted().find((a) => a.to === phone(0))!;
      assert.deepEqual((first.body as { content: unknown }).content, { text: 'Olá João 0, pedido 1000 🎉' });
      assert.match(r.stderr, /25 sent, 0 failed, 0 skipped, 0 unknown/);
      assert.ok(existsSync(`${csv}.journal`), 'journal beside the input');
    });
  });

  test('rerun sends nothing and reports every row from the journal', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(10);
      assert.equal((await bulk([csv, ...TEXT])).code, 0);
      const again = await bulk([csv, ...TEXT, '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sb.stats().accepted, 10, 'nothing sent twice');
      assert.ok(again.lines.every((o) => o.status === 'sent' && o.journal === true));
      assert.match(again.stderr, /10 from the journal/);
    });
  });

  test('a real-world CSV: BOM, CRLF, ;, quoted newlines, mangled phones, blank lines, duplicates, short rows', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = join(fx.dir, 'planilha.csv');
      const content =
        '\uFEFFtelefone;nome;cidade\r\n' + // line 1
        '11999990001;João;São Paulo\r\n' + // 2 sent
        '"11999990002";"Maria\r\nda Silva";"Rio; RJ"\r\n' + // 3-4 sent (quoted newline)
        '\r\n' + // 5 blank
        '5.5119E+12;Zé;Santos\r\n' + // 6 failed (mangled)
        '11999990001;João;São Paulo\r\n' + // 7 skipped (duplicate of 2)
        '11999990003;Ana\r\n' + // 8 failed (no cidade)
        '551199999999000;Bia;Natal\r\n' + // 9 failed (15+ digits ending in zeros)
        '11999990004;Caio;Belém\r\n'; // 10 sent
      writeFileSync(csv, content);
      const r = await bulk([csv, '--to-column', 'telefone', '--text', 'Olá {{nome}} de {{cidade}}', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(r.lines.map((o) => [o.row, o]));
      assert.deepEqual([...byRow.entries()].map(([row, o]) => `${row}:${o.status}`).sort(), [
        '10:sent',
        '2:sent',
        '3:sent',
        '6:failed',
        '7:skipped',
        '8:failed',
        '9:failed',
      ]);
      assert.equal((byRow.get(6)!.error as { code: string }).code, 'MANGLED_NUMBER');
      assert.equal((byRow.get(7)!.error as { code: string }).code, 'DUPLICATE');
      assert.match((byRow.get(8)!.error as { message: string }).message, /row 8: column 'cidade' is missing/);
      assert.equal((byRow.get(9)!.error as { code: string }).code, 'MANGLED_NUMBER');
      const maria = sb.accepted().find((a) => a.to === '5511999990002')!;
      assert.deepEqual((maria.body as { content: unknown }).content, { text: 'Olá Maria\r\nda Silva de Rio; RJ' });
      assert.equal(sb.stats().accepted, 3);
      assert.match(r.stderr, /3 sent, 3 failed, 1 skipped, 0 unknown/);
    });
  });

  test('--output CSV escapes formula cells; --dry-run sends nothing', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = join(fx.dir, 'formula.csv');
      writeFileSync(csv, 'to,nome\n11999990001,"=HYPERLINK(""x"")"\n123,Bad\n');
      const output = join(fx.dir, 'results.csv');
      const dry = await bulk([csv, '--text', '{{nome}}', '--dry-run']);
      assert.equal(dry.code, 3, dry.stderr); // one row is invalid
      assert.equal(sb.stats().requests, 0, 'dry run sent nothing');
      const req = dry.lines.find((o) => o.request) as {
        row: number;
        request: { headers: Record<string, string>; body: { content: { text: string } } };
      };
      assert.equal(req.row, 2);
      assert.equal(req.request.headers.Authorization, 'Bearer ***');
      assert.equal(req.request.body.content.text, '=HYPERLINK("x")');
      const r = await bulk([csv, '--text', '{{nome}}', '--output', output, '--journal', join(fx.dir, 'formula.journal')]);
      assert.equal(r.code, 3);
      const text = readFileSync(output, 'utf8');
      assert.match(text, /^row,to,status,id,error_code,error_message\n/);
      assert.match(text, /\n2,5511999990001,sent,msg_\w+,,\n/);
      assert.match(text, /\n3,,failed,,VALIDATION,/);
      // The sent text itself is not in the results; an error message starting with = would be escaped.
      assert.ok(!/\n=|,=/.test(text));
    });
  });

  test('usage errors before anything is sent: unknown placeholder, no recipient column', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(3);
      let r = await bulk([csv, '--text', 'Oi {{cidade}}']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /\{\{cidade\}\} names no column of the CSV; its columns are: to, nome, pedido/);
      const noTo = join(fx.dir, 'noto.csv');
      writeFileSync(noTo, 'celular,nome\n11999990001,Ana\n');
      r = await bulk([noTo, '--text', 'Oi']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no 'to' or 'phone' column.*--to-column/);
      assert.equal(sb.stats().requests, 0, 'nothing was sent');
    });
  });
});

describe('faults: retries never duplicate', () => {
  test('429 with Retry-After: each message reaches the server once', async () => {
    await fx.withSandbox({ faults: { failFirst: 3, failStatus: 429, retryAfter: 1 } }, async ({ sb, bulk }) => {
      const started = Date.now();
      const r = await bulk([csvOf(5), ...TEXT, '--concurrency', '1', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Date.now() - started >= 1000, 'waited at least the Retry-After');
      assert.equal(sb.stats().accepted, 5);
      assert.equal(sb.stats().distinctBodies, 5);
      assert.equal(sb.stats().byStatus[429], 3);
      assert.match(r.stderr, /3 retries/);
    });
  });

  test('32 rows waiting out one 429 at once: no Node warning on stderr, each message once', async () => {
    await fx.withSandbox({ faults: { failFirst: 32, failStatus: 429, retryAfter: 1 } }, async ({ sb, bulk }) => {
      const r = await bulk([csvOf(40), ...TEXT, '--concurrency', '32', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.stats().accepted, 40);
      assert.equal(sb.stats().distinctBodies, 40);
      assert.doesNotMatch(r.stderr, /Warning|MaxListeners/, 'a listener per waiting row is not a leak: no warning for users');
    });
  });

  test('503 is retried; 500 makes the row unknown and it is not resent', async () => {
    await fx.withSandbox({ faults: { failFirst: 1, failStatus: 500 } }, async ({ sb, bulk }) => {
      const csv = csvOf(3);
      const r = await bulk([csv, ...TEXT, '--concurrency', '1', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const unknown = r.lines.filter((o) => o.status === 'unknown');
      assert.equal(unknown.length, 1);
      assert.equal((unknown[0]!.error as { status: number }).status, 500);
      assert.equal(sb.stats().requests, 3, 'no retry of the 500');
      const again = await bulk([csv, ...TEXT]);
      assert.equal(again.code, 3);
      assert.equal(sb.stats().requests, 3, 'the rerun sent nothing');
    });
  });

  for (const fault of ['reset', 'hang'] as const) {
    test(`${fault} after the request was written: unknown; rerun sends nothing; --retry-unknown sends once`, async () => {
      const faults = fault === 'reset' ? { resetFirst: 1 } : { hangFirst: 1 };
      await fx.withSandbox({ faults }, async ({ sb, bulk }) => {
        const csv = csvOf(4);
        // The hung request needs a deadline; the others must answer well within it on any machine.
        const args = [csv, ...TEXT, '--concurrency', '1', '--timeout', '5000', '--json'];
        const r = await bulk(args);
        assert.equal(r.code, 3, r.stderr);
        const unknown = r.lines.filter((o) => o.status === 'unknown');
        assert.equal(unknown.length, 1, r.stdout);
        assert.equal(unknown[0]!.row, 2);
        assert.match(r.stderr, /hint: unknown rows may have reached the recipient/);
        assert.equal(sb.stats().accepted, 4, 'the server did accept the unknown row');
        const rerun = await bulk(args);
        assert.equal(rerun.code, 3);
        assert.equal(sb.stats().accepted, 4, 'a rerun does not resend an unknown row');
        const retry = await bulk([...args, '--retry-unknown']);
        assert.equal(retry.code, 0, retry.stderr);
        assert.equal(sb.stats().accepted, 5, '--retry-unknown sends it exactly once more');
      });
    });
  }

  test('connection refused, then the server comes up: every row sent', async () => {
    const port = await freePort();
    const config = fx.rc(`http://127.0.0.1:${port}`);
    const csv = csvOf(3);
    const journal = `${csv}.journal`;
    const child = fx.bulk([csv, ...TEXT, '--config', config, '--max-attempts', '12', '--json', '--journal', journal]);
    let ended = false;
    void child.then(() => (ended = true));
    // The first intent is in the journal just before the first request goes out (and is refused).
    while (!ended && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('"t":"intent"')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    await fx.withSandbox({ port }, async ({ sb }) => {
      const r = await child;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.stats().accepted, 3);
      assert.equal(sb.stats().distinctBodies, 3);
    });
  });

  test('a refused key (401) stops the run at once: exit 4, the rest unsent', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const r = await bulk([csvOf(20), ...TEXT, '--concurrency', '1'], { env: { TEST_KEY: 'wrong_key_abcdef' } });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /401/);
      assert.equal(sb.stats().requests, 1);
    });
  });

  test('--max-errors stops a doomed run early; a rerun resumes the rest', async () => {
    await fx.withSandbox({ faults: { failFirst: 1000, failStatus: 500 } }, async ({ sb, bulk }) => {
      const csv = csvOf(30);
      const r = await bulk([csv, ...TEXT, '--concurrency', '1', '--max-errors', '3']);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /--max-errors reached/);
      assert.equal(sb.stats().requests, 3);
    });
  });
});

describe('interruptions: nothing lost, nothing twice', () => {
  const ARGS = [...TEXT, '--concurrency', '4', '--json'];

  test('SIGINT after part of a 1,000-row run, then resume: exactly 1,000 distinct messages', async () => {
    await fx.withSandbox({ faults: { latencyMs: 3 } }, async ({ sb, bulk, start }) => {
      const csv = csvOf(1000);
      const r = await start([csv, ...ARGS]).stopAfter(150, 'SIGINT');
      assert.equal(r.code, 130, r.stderr);
      const firstPart = sb.stats().accepted;
      assert.ok(firstPart >= 150 && firstPart < 1000, `accepted ${firstPart}`);
      assert.match(r.stderr, /interrupted/);
      const resume = await bulk([csv, ...TEXT, '--concurrency', '4']);
      assert.equal(resume.code, 0, resume.stderr);
      assert.equal(sb.stats().accepted, 1000);
      assert.equal(sb.stats().distinctBodies, 1000);
    });
  });

  test('kill -9 mid-run, then resume: no message twice; in-flight rows are unknown until --retry-unknown', async () => {
    await fx.withSandbox({ faults: { latencyMs: 3 } }, async ({ sb, bulk, start }) => {
      const csv = csvOf(1000);
      await start([csv, ...ARGS]).stopAfter(200, 'SIGKILL');
      const resume = await bulk([csv, ...TEXT, '--concurrency', '4', '--json']);
      const unknown = resume.lines.filter((o) => o.status === 'unknown');
      assert.ok(unknown.length <= 4, `at most the requests in flight are unknown, got ${unknown.length}`);
      assert.equal(resume.code, unknown.length ? 3 : 0, resume.stderr);
      assert.equal(sb.stats().accepted, sb.stats().distinctBodies, 'no message twice');
      assert.ok(sb.stats().accepted >= 1000 - unknown.length);
      const retry = await bulk([csv, ...TEXT, '--retry-unknown']);
      assert.equal(retry.code, 0, retry.stderr);
      assert.equal(sb.stats().distinctBodies, 1000, 'every message arrived');
    });
  });

  test('Ctrl-C while rows wait for paced slots: they are not sent afterwards; a rerun sends them once', async () => {
    await fx.withSandbox({}, async ({ sb, bulk, start }) => {
      const csv = csvOf(20);
      const r = await start([csv, ...ARGS, '--rate', '60/min']).stopAfter(2, 'SIGINT');
      assert.equal(r.code, 130, r.stderr);
      // One slot a second: rows still waiting for theirs when it ended were not sent (however slow
      // the machine was to deliver the signal, it was not 10 s).
      const before = sb.stats().accepted;
      assert.ok(before < 10, `accepted ${before}`);
      // Interrupted again while the same rows wait: each must still resume as 'not sent'.
      const r2 = await start([csv, ...ARGS, '--rate', '60/min']).stopAfter(before + 1, 'SIGINT');
      assert.equal(r2.code, 130, r2.stderr);
      const resume = await bulk([csv, ...TEXT, '--rate', '60000/min', '--json']);
      assert.equal(resume.code, 0, resume.stderr);
      assert.equal(sb.stats().accepted, 20);
      assert.equal(sb.stats().distinctBodies, 20);
    });
  });

  test('a closed stdout (| head -1) ends quietly and leaves a journal that resumes', async () => {
    await fx.withSandbox({}, async ({ sb, config, bulk }) => {
      const csv = csvOf(300);
      const r = await fx.shell(`"${process.execPath}" "${bin}" bulk "${csv}" --text 'Oi {{nome}}' --config "${config}" --json | head -1`)
        .done;
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
      const resume = await bulk([csv, '--text', 'Oi {{nome}}', '--retry-unknown']);
      assert.equal(resume.code, 0, resume.stderr);
      assert.equal(sb.stats().distinctBodies, 300);
    });
  });
});

describe('pacing', () => {
  test('--rate spreads requests evenly: no 429 from a server enforcing the same rate', async () => {
    await fx.withSandbox({ faults: { rate: 600 } }, async ({ sb, bulk }) => {
      const started = Date.now();
      const r = await bulk([csvOf(20), ...TEXT, '--rate', '600/min']);
      const elapsed = Date.now() - started;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.stats().byStatus[429] ?? 0, 0);
      // 20 requests at one per 100 ms span 1.9 s.
      assert.ok(elapsed >= 1900, `took ${elapsed} ms`);
    });
  });

  test('a per-row refusal (the sandbox refuses one magic number) fails that row, the rest go on', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = join(fx.dir, 'refuse.csv');
      writeFileSync(csv, 'to,nome\n11999990001,Ana\n5511900000422,Bia\n11999990003,Caio\n');
      const r = await bulk([csv, '--text', 'Oi {{nome}}', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const failed = r.lines.filter((o) => o.status === 'failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.row, 3);
      assert.equal((failed[0]!.error as { status: number }).status, 400);
      assert.equal(sb.stats().accepted, 2);
    });
  });
});
