/**
 * How a bulk run stops, end to end: the built binary against the sandbox. Whatever stops it (a
 * signal, a closed stdout, a failing --output or journal, a bad row deep in the file, a dead
 * endpoint), it takes no new row, finishes and records the requests in flight (never leaving
 * them `unknown`), prints the summary and the journal path, and exits with PRODUCT.md's code;
 * a rerun then sends each remaining recipient exactly once (counted on the sandbox). Also: the
 * total per-request deadline (a dripping answer), bounded answers, and Interflow's plan window.
 *
 * Every wait is for an event (requests the sandbox received, a line on stdout, an exit).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bin, bulkFixture, freePort, phone, rowsOf, type BulkSandbox, type RunResult } from './harness.js';

const fx = bulkFixture({ name: 'bulk-stop' });
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}}'];

/** A CSV of n rows (line i + 2 is row i); `pad` widens each row (to push lines past 64 KiB). */
function csvOf(n: number, opts: { pad?: number } = {}): string {
  if (!opts.pad) return fx.csv(rowsOf(n));
  return fx.csv(
    rowsOf(n).map((line) => `${line},${'x'.repeat(opts.pad!)}`),
    { header: 'to,nome,pedido,nota' },
  );
}

/** The journal's rows: the last line of each (an intent with nothing after it is in flight). */
function journalState(path: string): { outcomes: Map<number, string>; inFlight: number[] } {
  const last = new Map<number, Record<string, unknown>>();
  const lines = readFileSync(path, 'utf8').split('\n').slice(1);
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      if (i === lines.length - 1) continue; // a last line cut short (a write that failed midway)
      throw err;
    }
    last.set(rec.row as number, rec);
  }
  const outcomes = new Map<number, string>();
  const inFlight: number[] = [];
  for (const [row, rec] of last) {
    if (rec.t === 'intent') inFlight.push(row);
    else outcomes.set(row, rec.status as string);
  }
  return { outcomes, inFlight };
}

/** Asserts what every stop leaves: the summary, the journal path, no unknown, nothing in flight. */
function assertDrained(r: RunResult, journal: string): void {
  assert.match(r.stderr, /^bulk: \d+ row\(s\) in /m, r.stderr);
  assert.ok(r.stderr.includes(`journal: ${journal}`), r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
  const state = journalState(journal);
  assert.deepEqual(state.inFlight, [], 'every request in flight was recorded');
  assert.ok(![...state.outcomes.values()].includes('unknown'), 'a stop made no row unknown');
}

/** Reruns and checks each of the n recipients got its message exactly once. */
async function assertRerunCompletes(
  { sb, bulk }: Pick<BulkSandbox, 'sb' | 'bulk'>,
  args: string[],
  n: number,
  opts: { config?: string } = {},
): Promise<void> {
  const again = await bulk(args, opts);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(sb.stats().accepted, n, 'every recipient once');
  assert.equal(sb.stats().distinctBodies, n, 'no message twice');
  const recipients = new Set(sb.accepted().map((a) => a.to));
  assert.equal(recipients.size, n);
}

describe('signals: finish the requests in flight, record them, exit 128+n', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const) {
    test(`${signal} while requests are in flight: exit ${code}, summary and journal, rerun sends the rest once`, async () => {
      // Each answer waits 400 ms: the signal comes while the first requests are held.
      await fx.withSandbox({ faults: { latencyMs: 400 } }, async ({ sb, bulk, start, requests }) => {
        const csv = csvOf(40);
        const args = [csv, ...TEXT, '--concurrency', '4', '--json'];
        const run = start(args);
        await requests(4);
        run.child.kill(signal);
        const r = await run.done;
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, new RegExp(`interrupted by ${signal}`));
        assert.match(r.stderr, /hint: run the same command again/);
        const out = r.lines;
        assert.ok(out.length >= 4, 'the requests in flight were reported');
        assert.ok(
          out.every((o) => o.status === 'sent'),
          r.stdout,
        );
        assertDrained(r, `${csv}.journal`);
        assert.ok(sb.stats().accepted < 40, 'stopped before the end');
        await assertRerunCompletes({ sb, bulk }, args, 40);
      });
    });
  }
});

describe('a quiet input pipe', () => {
  test(
    'SIGTERM while stdin has nothing more to give yet: ends at once with 143, not when the producer closes',
    { timeout: 120_000 },
    async () => {
      await fx.withSandbox({}, async ({ start, requests }) => {
        const journal = `${fx.path('stdin')}.journal`;
        const { child, done } = start(['-', ...TEXT, '--journal', journal], { stdin: 'pipe' });
        // More than the 64 KiB read up front; then the producer goes quiet with its end still open.
        const rows = ['to,nome,pedido'];
        for (let i = 0; i < 600; i++) rows.push(`${phone(i)},João ${i} ${'x'.repeat(100)},${1000 + i}`);
        child.stdin!.write(rows.join('\n') + '\n');
        await requests(599);
        child.kill('SIGTERM');
        const { code, stderr } = await done;
        child.stdin!.destroy();
        assert.equal(code, 143, stderr);
        assert.match(stderr, /interrupted by SIGTERM/);
        assert.ok(stderr.includes(`journal: ${journal}`), stderr);
      });
    },
  );
});

describe('closed pipes', () => {
  test('stdout closed after the first line (| head -1): exit 141, in-flight rows recorded as sent', async () => {
    await fx.withSandbox({ faults: { latencyMs: 300 } }, async ({ sb, bulk, start }) => {
      const csv = csvOf(60);
      const args = [csv, ...TEXT, '--concurrency', '4', '--json'];
      const run = start(args);
      await run.printed(1);
      run.child.stdout!.destroy();
      const r = await run.done;
      assert.equal(r.code, 141, r.stderr);
      assert.match(r.stderr, /stdout was closed/);
      assertDrained(r, `${csv}.journal`);
      const sent = [...journalState(`${csv}.journal`).outcomes.values()].filter((s) => s === 'sent').length;
      assert.equal(sent, sb.stats().accepted, 'every request the server accepted is recorded as sent');
      await assertRerunCompletes({ sb, bulk }, args, 60);
    });
  });

  test('stderr closed during a --verbose run: exit 141, in-flight rows recorded, nothing unknown', async () => {
    await fx.withSandbox({ faults: { latencyMs: 300 } }, async ({ sb, bulk, start, requests }) => {
      const csv = csvOf(60);
      const args = [csv, ...TEXT, '--concurrency', '4', '--json'];
      const run = start([...args, '--verbose']);
      await requests(4);
      run.child.stderr!.destroy();
      const r = await run.done;
      assert.equal(r.code, 141);
      const state = journalState(`${csv}.journal`);
      assert.deepEqual(state.inFlight, [], 'every request in flight was recorded');
      assert.ok(![...state.outcomes.values()].includes('unknown'));
      assert.equal([...state.outcomes.values()].filter((s) => s === 'sent').length, sb.stats().accepted);
      await assertRerunCompletes({ sb, bulk }, args, 60);
    });
  });

  test('a real | head -1 in a shell: one line, the rest resumes without --retry-unknown', async () => {
    await fx.withSandbox({ faults: { latencyMs: 100 } }, async ({ sb, bulk, config }) => {
      const csv = csvOf(100);
      const run = fx.shell(`"${process.execPath}" "${bin}" bulk "${csv}" --text 'Oi {{nome}}' --config "${config}" --json | head -1`);
      const r = await run.done;
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assertDrained(r, `${csv}.journal`);
      await assertRerunCompletes({ sb, bulk }, [csv, '--text', 'Oi {{nome}}'], 100);
    });
  });
});

describe('files that cannot be written', () => {
  test('--output /dev/full: stops, exit 1 naming the output, nothing left waiting', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(2000);
      const r = await bulk([csv, ...TEXT, '--output', '/dev/full']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /error: cannot write --output \/dev\/full: no space left on the device/);
      assertDrained(r, `${csv}.journal`);
      assert.ok(sb.stats().accepted < 2000, 'stopped');
      await assertRerunCompletes({ sb, bulk }, [csv, ...TEXT], 2000);
    });
  });

  test('a journal that cannot grow (file size limit): stops with exit 1, no request goes out unrecorded', async () => {
    await fx.withSandbox({}, async ({ sb, config }) => {
      const csv = csvOf(3000);
      const journal = `${fx.path('limited')}.journal`;
      // ulimit -f counts 512-byte blocks: 200 blocks hold the journal of a few hundred rows.
      const run = fx.shell(
        `ulimit -f 200; exec "${process.execPath}" "${bin}" bulk "${csv}" --text 'Oi {{nome}}' --config "${config}" --journal "${journal}" --json`,
      );
      const r = await run.done;
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /error: cannot write the journal/);
      assert.match(r.stderr, /journal: /);
      const recorded =
        [...journalState(journal).outcomes.values()].filter((s) => s === 'sent').length + journalState(journal).inFlight.length;
      assert.ok(sb.stats().accepted <= recorded + 8, `accepted ${sb.stats().accepted}, recorded ${recorded}`);
      assert.ok(sb.stats().accepted < 3000, 'stopped');
    });
  });
});

describe('a bad row deep in the file', () => {
  test('an unclosed quote at line 300 of 500: rows before it sent, exit 3 naming the line, fixing it and rerunning sends the rest once', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      // 300 bytes a row: line 300 is past the first 64 KiB.
      const good = csvOf(500, { pad: 300 });
      const csv = `${good}.bad.csv`;
      const lines = readFileSync(good, 'utf8').split('\n');
      lines[299] = lines[299]!.replace(',João', ',"João');
      writeFileSync(csv, lines.join('\n'));
      const args = [csv, ...TEXT];
      const r = await bulk(args);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /error: .*line 300 has a quoted field that is never closed/);
      assert.match(r.stderr, /hint: fix that record and run the same command again/);
      assertDrained(r, `${csv}.journal`);
      assert.equal(sb.stats().accepted, 298, 'every row before it was sent');
      writeFileSync(csv, readFileSync(good));
      await assertRerunCompletes({ sb, bulk }, args, 500);
    });
  });

  test('invalid UTF-8 at line 4,000: exit 3; the converted file resumes with the same --journal', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const good = csvOf(4500);
      const csv = `${good}.latin1.csv`;
      const bytes = readFileSync(good);
      const at = bytes.indexOf(Buffer.from(`João 3998,`));
      const bad = Buffer.concat([bytes.subarray(0, at + 2), Buffer.from([0xe3]), bytes.subarray(at + 4)]);
      writeFileSync(csv, bad);
      const r = await bulk([csv, ...TEXT]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /line 4000 is not UTF-8 text/);
      const journal = `${csv}.journal`;
      assert.ok(r.stderr.includes(`--journal ${journal}`), 'the hint keeps the journal');
      assertDrained(r, journal);
      assert.equal(sb.stats().accepted, 3998);
      // What the hint says: the converted file, the same command, the same journal.
      await assertRerunCompletes({ sb, bulk }, [good, ...TEXT, '--journal', journal], 4500);
    });
  });
});

describe('deadlines and bounded answers', () => {
  test('an answer dripping a byte at a time is given up at --timeout: the row is unknown, the run goes on', async () => {
    await fx.withSandbox({ faults: { dripFirst: 1, dripMs: 300 } }, async ({ sb, bulk }) => {
      const csv = csvOf(3);
      const r = await bulk([csv, ...TEXT, '--concurrency', '1', '--timeout', '1000', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(r.lines.map((o) => [o.row, o]));
      assert.equal(byRow.get(2)?.status, 'unknown', r.stdout);
      assert.match(
        String((byRow.get(2)!.error as { message: string }).message),
        /the answer did not finish within 1000 ms after the request was sent/,
      );
      assert.equal(byRow.get(3)?.status, 'sent');
      assert.equal(byRow.get(4)?.status, 'sent');
      assert.equal(sb.stats().accepted, 3);
    });
  });

  test('a 64 MiB answer is not read: the row ends unknown with the reason, the rest are sent', async () => {
    await fx.withSandbox({ faults: { oversizeFirst: 1 } }, async ({ bulk }) => {
      const r = await bulk([csvOf(3), ...TEXT, '--concurrency', '1', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(r.lines.map((o) => [o.row, o]));
      assert.equal((byRow.get(2)!.error as { code: string }).code, 'RESPONSE_TOO_LARGE');
      assert.equal(byRow.get(2)!.status, 'unknown');
      assert.equal(byRow.get(3)!.status, 'sent');
      assert.equal(byRow.get(4)!.status, 'sent');
    });
  });
});

describe('connection failures', () => {
  test('a dead endpoint: stops after 5 rows in a row could not connect, exit 1, rows not sent; a rerun sends all once', async () => {
    const port = await freePort();
    const csv = csvOf(300);
    const config = fx.rc(`http://127.0.0.1:${port}`);
    const args = [csv, ...TEXT];
    const r = await fx.bulk([...args, '--config', config]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: stopped after 5 rows in a row could not connect: could not connect to 127\.0\.0\.1:\d+ \(connection refused\)/,
    );
    assertDrained(r, `${csv}.journal`);
    for (const line of r.stdout.split('\n').filter(Boolean)) assert.match(line, /^\d+\t\d+\t(failed|skipped)\t/, 'one line per row');
    await fx.withSandbox({ port }, (s) => assertRerunCompletes(s, args, 300, { config }));
  });

  test('https to a plain-HTTP server: "not sent" on one line, never unknown; the fixed profile sends each once', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(20);
      const tls = fx.rc(sb.url.replace('http://', 'https://'));
      const r = await bulk([csv, ...TEXT, '--json'], { config: tls });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /could not connect to 127\.0\.0\.1:\d+ \(TLS handshake failed/);
      const out = r.lines;
      assert.ok(out.length >= 5);
      for (const o of out) {
        assert.notEqual(o.status, 'unknown');
        assert.doesNotMatch(JSON.stringify(o), /\\n/, 'no line break inside a row');
      }
      assert.equal(sb.stats().accepted, 0);
      assertDrained(r, `${csv}.journal`);
      await assertRerunCompletes({ sb, bulk }, [csv, ...TEXT], 20);
    });
  });
});

describe("Interflow's plan window", () => {
  test('--rate 100/s against a plan of 20 per second-long window: converges, no row fails on 429', async () => {
    await fx.withSandbox({ rateLimit: 20, rateWindowMs: 1000 }, async ({ sb, bulk }) => {
      const csv = csvOf(60);
      // Two attempts only: the 429s the window gives must not use them up.
      const r = await bulk([csv, ...TEXT, '--rate', '100/s', '--max-attempts', '2', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.lines.every((o) => o.status === 'sent'));
      assert.equal(sb.stats().accepted, 60);
      assert.equal(sb.stats().distinctBodies, 60);
    });
  });
});
