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
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, bin, cleanEnv, runCli, type RunResult } from './harness.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'interflow-bulk-stop-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const phone = (i: number): string => String(5511910000000 + i);
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}}'];
const env = (): NodeJS.ProcessEnv => cleanEnv(dir, { TEST_KEY: CANARY });

/** A CSV of n rows (line i + 2 is row i); `pad` widens each row (to push lines past 64 KiB). */
function csvOf(n: number, opts: { pad?: number; edit?: (i: number, line: string) => string } = {}): string {
  const path = join(dir, `rows-${Math.random().toString(36).slice(2)}.csv`);
  const lines = [opts.pad ? 'to,nome,pedido,nota' : 'to,nome,pedido'];
  for (let i = 0; i < n; i++) {
    const line = `${phone(i)},João ${i},${1000 + i}` + (opts.pad ? `,${'x'.repeat(opts.pad)}` : '');
    lines.push(opts.edit ? opts.edit(i, line) : line);
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function configFor(url: string): string {
  const path = join(dir, `rc-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      profiles: { local: { provider: 'interflow', baseUrl: `${url}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL } },
    }),
    {
      mode: 0o600,
    },
  );
  return path;
}

/** A sandbox without the plan's limit unless a test sets one; `received(n)` resolves once n send requests arrived. */
async function withSandbox(
  opts: SandboxOptions,
  fn: (sb: Sandbox, received: (n: number) => Promise<void>) => Promise<void>,
): Promise<void> {
  let count = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const sb = await startSandbox({
    port: 0,
    apiKeys: [CANARY],
    rateLimit: 1_000_000,
    ...opts,
    onRequest: () => {
      count++;
      for (const w of waiting.filter((w) => count >= w.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    },
  });
  const received = (n: number): Promise<void> => (count >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve })));
  try {
    await fn(sb, received);
  } finally {
    await sb.close();
  }
}

interface Child {
  child: ChildProcess;
  /** Resolves with the first line of stdout. */
  firstLine: Promise<string>;
  done: Promise<RunResult>;
}

function start(args: string[], shell?: string): Child {
  const child = shell
    ? spawn('sh', ['-c', shell], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [bin, 'bulk', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let gotLine: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => (gotLine = resolve));
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const nl = out.indexOf('\n');
    if (nl >= 0) gotLine(out.slice(0, nl));
  });
  child.stdout!.on('error', () => undefined);
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err })),
  );
  return { child, firstLine, done };
}

async function bulk(args: string[]): Promise<RunResult> {
  const r = await runCli(['bulk', ...args], { env: env() });
  assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the key leaked');
  return r;
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

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
async function assertRerunCompletes(sb: Sandbox, args: string[], n: number): Promise<void> {
  const again = await bulk(args);
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
      await withSandbox({ faults: { latencyMs: 400 } }, async (sb, received) => {
        const csv = csvOf(40);
        const config = configFor(sb.url);
        const args = [csv, ...TEXT, '--config', config, '--concurrency', '4', '--json'];
        const run = start(args);
        await received(4);
        run.child.kill(signal);
        const r = await run.done;
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, new RegExp(`interrupted by ${signal}`));
        assert.match(r.stderr, /hint: run the same command again/);
        const out = jsonLines(r.stdout);
        assert.ok(out.length >= 4, 'the requests in flight were reported');
        assert.ok(
          out.every((o) => o.status === 'sent'),
          r.stdout,
        );
        assertDrained(r, `${csv}.journal`);
        assert.ok(sb.stats().accepted < 40, 'stopped before the end');
        await assertRerunCompletes(sb, args, 40);
      });
    });
  }
});

describe('a quiet input pipe', () => {
  test(
    'SIGTERM while stdin has nothing more to give yet: ends at once with 143, not when the producer closes',
    { timeout: 120_000 },
    async () => {
      await withSandbox({}, async (sb, received) => {
        const journal = join(dir, `stdin-${Math.random().toString(36).slice(2)}.journal`);
        const config = configFor(sb.url);
        const child = spawn(process.execPath, [bin, 'bulk', '-', ...TEXT, '--config', config, '--journal', journal], {
          env: env(),
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout.resume();
        const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
        // More than the 64 KiB read up front; then the producer goes quiet with its end still open.
        const rows = ['to,nome,pedido'];
        for (let i = 0; i < 600; i++) rows.push(`${phone(i)},João ${i} ${'x'.repeat(100)},${1000 + i}`);
        child.stdin.write(rows.join('\n') + '\n');
        await received(599);
        child.kill('SIGTERM');
        const code = await exited;
        child.stdin.destroy();
        assert.equal(code, 143, err);
        assert.match(err, /interrupted by SIGTERM/);
        assert.ok(err.includes(`journal: ${journal}`), err);
      });
    },
  );
});

describe('closed pipes', () => {
  test('stdout closed after the first line (| head -1): exit 141, in-flight rows recorded as sent', async () => {
    await withSandbox({ faults: { latencyMs: 300 } }, async (sb) => {
      const csv = csvOf(60);
      const config = configFor(sb.url);
      const args = [csv, ...TEXT, '--config', config, '--concurrency', '4', '--json'];
      const run = start(args);
      await run.firstLine;
      run.child.stdout!.destroy();
      const r = await run.done;
      assert.equal(r.code, 141, r.stderr);
      assert.match(r.stderr, /stdout was closed/);
      assertDrained(r, `${csv}.journal`);
      const sent = [...journalState(`${csv}.journal`).outcomes.values()].filter((s) => s === 'sent').length;
      assert.equal(sent, sb.stats().accepted, 'every request the server accepted is recorded as sent');
      await assertRerunCompletes(sb, args, 60);
    });
  });

  test('stderr closed during a --verbose run: exit 141, in-flight rows recorded, nothing unknown', async () => {
    await withSandbox({ faults: { latencyMs: 300 } }, async (sb, received) => {
      const csv = csvOf(60);
      const config = configFor(sb.url);
      const args = [csv, ...TEXT, '--config', config, '--concurrency', '4', '--json'];
      const run = start([...args, '--verbose']);
      await received(4);
      run.child.stderr!.destroy();
      const r = await run.done;
      assert.equal(r.code, 141);
      const state = journalState(`${csv}.journal`);
      assert.deepEqual(state.inFlight, [], 'every request in flight was recorded');
      assert.ok(![...state.outcomes.values()].includes('unknown'));
      assert.equal([...state.outcomes.values()].filter((s) => s === 'sent').length, sb.stats().accepted);
      await assertRerunCompletes(sb, args, 60);
    });
  });

  test('a real | head -1 in a shell: one line, the rest resumes without --retry-unknown', async () => {
    await withSandbox({ faults: { latencyMs: 100 } }, async (sb) => {
      const csv = csvOf(100);
      const config = configFor(sb.url);
      const run = start([], `"${process.execPath}" "${bin}" bulk "${csv}" --text 'Oi {{nome}}' --config "${config}" --json | head -1`);
      const r = await run.done;
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assertDrained(r, `${csv}.journal`);
      await assertRerunCompletes(sb, [csv, '--text', 'Oi {{nome}}', '--config', config], 100);
    });
  });
});

describe('files that cannot be written', () => {
  test('--output /dev/full: stops, exit 1 naming the output, nothing left waiting', async () => {
    await withSandbox({}, async (sb) => {
      const csv = csvOf(2000);
      const config = configFor(sb.url);
      const r = await bulk([csv, ...TEXT, '--config', config, '--output', '/dev/full']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /error: cannot write --output \/dev\/full: no space left on the device/);
      assertDrained(r, `${csv}.journal`);
      assert.ok(sb.stats().accepted < 2000, 'stopped');
      await assertRerunCompletes(sb, [csv, ...TEXT, '--config', config], 2000);
    });
  });

  test('a journal that cannot grow (file size limit): stops with exit 1, no request goes out unrecorded', async () => {
    await withSandbox({}, async (sb) => {
      const csv = csvOf(3000);
      const config = configFor(sb.url);
      const journal = join(dir, `limited-${Math.random().toString(36).slice(2)}.journal`);
      // ulimit -f counts 512-byte blocks: 200 blocks hold the journal of a few hundred rows.
      const run = start(
        [],
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
    await withSandbox({}, async (sb) => {
      // 300 bytes a row: line 300 is past the first 64 KiB.
      const good = csvOf(500, { pad: 300 });
      const csv = `${good}.bad.csv`;
      const lines = readFileSync(good, 'utf8').split('\n');
      lines[299] = lines[299]!.replace(',João', ',"João');
      writeFileSync(csv, lines.join('\n'));
      const config = configFor(sb.url);
      const args = [csv, ...TEXT, '--config', config];
      const r = await bulk(args);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /error: .*line 300 has a quoted field that is never closed/);
      assert.match(r.stderr, /hint: fix that record and run the same command again/);
      assertDrained(r, `${csv}.journal`);
      assert.equal(sb.stats().accepted, 298, 'every row before it was sent');
      writeFileSync(csv, readFileSync(good));
      await assertRerunCompletes(sb, args, 500);
    });
  });

  test('invalid UTF-8 at line 4,000: exit 3; the converted file resumes with the same --journal', async () => {
    await withSandbox({}, async (sb) => {
      const good = csvOf(4500);
      const csv = `${good}.latin1.csv`;
      const bytes = readFileSync(good);
      const at = bytes.indexOf(Buffer.from(`João 3998,`));
      const bad = Buffer.concat([bytes.subarray(0, at + 2), Buffer.from([0xe3]), bytes.subarray(at + 4)]);
      writeFileSync(csv, bad);
      const config = configFor(sb.url);
      const r = await bulk([csv, ...TEXT, '--config', config]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /line 4000 is not UTF-8 text/);
      const journal = `${csv}.journal`;
      assert.ok(r.stderr.includes(`--journal ${journal}`), 'the hint keeps the journal');
      assertDrained(r, journal);
      assert.equal(sb.stats().accepted, 3998);
      // What the hint says: the converted file, the same command, the same journal.
      await assertRerunCompletes(sb, [good, ...TEXT, '--config', config, '--journal', journal], 4500);
    });
  });
});

describe('deadlines and bounded answers', () => {
  test('an answer dripping a byte at a time is given up at --timeout: the row is unknown, the run goes on', async () => {
    await withSandbox({ faults: { dripFirst: 1, dripMs: 300 } }, async (sb) => {
      const csv = csvOf(3);
      const r = await bulk([csv, ...TEXT, '--config', configFor(sb.url), '--concurrency', '1', '--timeout', '1000', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(jsonLines(r.stdout).map((o) => [o.row, o]));
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
    await withSandbox({ faults: { oversizeFirst: 1 } }, async (sb) => {
      const r = await bulk([csvOf(3), ...TEXT, '--config', configFor(sb.url), '--concurrency', '1', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(jsonLines(r.stdout).map((o) => [o.row, o]));
      assert.equal((byRow.get(2)!.error as { code: string }).code, 'RESPONSE_TOO_LARGE');
      assert.equal(byRow.get(2)!.status, 'unknown');
      assert.equal(byRow.get(3)!.status, 'sent');
      assert.equal(byRow.get(4)!.status, 'sent');
    });
  });
});

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('connection failures', () => {
  test('a dead endpoint: stops after 5 rows in a row could not connect, exit 1, rows not sent; a rerun sends all once', async () => {
    const port = await freePort();
    const csv = csvOf(300);
    const config = configFor(`http://127.0.0.1:${port}`);
    const args = [csv, ...TEXT, '--config', config];
    const r = await bulk(args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: stopped after 5 rows in a row could not connect: could not connect to 127\.0\.0\.1:\d+ \(connection refused\)/,
    );
    assertDrained(r, `${csv}.journal`);
    for (const line of r.stdout.split('\n').filter(Boolean)) assert.match(line, /^\d+\t\d+\t(failed|skipped)\t/, 'one line per row');
    const sb = await startSandbox({ port, apiKeys: [CANARY], rateLimit: 1_000_000 });
    try {
      await assertRerunCompletes(sb, args, 300);
    } finally {
      await sb.close();
    }
  });

  test('https to a plain-HTTP server: "not sent" on one line, never unknown; the fixed profile sends each once', async () => {
    await withSandbox({}, async (sb) => {
      const csv = csvOf(20);
      const tls = configFor(sb.url.replace('http://', 'https://'));
      const r = await bulk([csv, ...TEXT, '--config', tls, '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /could not connect to 127\.0\.0\.1:\d+ \(TLS handshake failed/);
      const out = jsonLines(r.stdout);
      assert.ok(out.length >= 5);
      for (const o of out) {
        assert.notEqual(o.status, 'unknown');
        assert.doesNotMatch(JSON.stringify(o), /\\n/, 'no line break inside a row');
      }
      assert.equal(sb.stats().accepted, 0);
      assertDrained(r, `${csv}.journal`);
      await assertRerunCompletes(sb, [csv, ...TEXT, '--config', configFor(sb.url)], 20);
    });
  });
});

describe("Interflow's plan window", () => {
  test('--rate 100/s against a plan of 20 per second-long window: converges, no row fails on 429', async () => {
    await withSandbox({ rateLimit: 20, rateWindowMs: 1000 }, async (sb) => {
      const csv = csvOf(60);
      // Two attempts only: the 429s the window gives must not use them up.
      const r = await bulk([csv, ...TEXT, '--config', configFor(sb.url), '--rate', '100/s', '--max-attempts', '2', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(jsonLines(r.stdout).every((o) => o.status === 'sent'));
      assert.equal(sb.stats().accepted, 60);
      assert.equal(sb.stats().distinctBodies, 60);
    });
  });
});
