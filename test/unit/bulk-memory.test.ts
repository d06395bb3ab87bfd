/**
 * The runner keeps nothing per row once the row is settled: memory stays flat over a million-row
 * run (bench/bulk.js --million measures the whole process; this holds the runner to it in-process).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pacer } from '../../src/bulk/pacer.js';
import { runBulk } from '../../src/bulk/runner.js';
import type { CsvRow } from '../../src/bulk/types.js';
import type { Profile } from '../../src/config/profile.js';
import { getAdapter } from '../../src/providers/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const profile: Profile = {
  name: 'mem',
  provider: 'interflow',
  apiKey: 'if_test_key_123456',
  baseUrl: 'http://127.0.0.1:9/interflow/v1',
  channelId: '550e8400-e29b-41d4-a716-446655440000',
  defaultCountry: 'BR',
  source: '',
};

async function* rows(n: number): AsyncGenerator<CsvRow> {
  for (let i = 0; i < n; i++) {
    yield { row: i + 2, end: 0, missing: [], extra: 0, cells: { to: String(5511910000000 + i), nome: `João ${i}` } };
  }
}

/** The heap (after a full GC) when `at` rows of a run of `n` have been settled, for each `at`. */
async function heapDuring(n: number, at: number[]): Promise<number[]> {
  const heap: number[] = [];
  let sent = 0;
  const summary = await runBulk({
    plan: { kind: 'text', flags: { text: 'Olá {{nome}}' }, toColumn: 'to', files: new Map() },
    profile,
    adapter: getAdapter('interflow'),
    rows: rows(n),
    // Answers a turn of the event loop later, as a server on this machine would.
    sender: {
      send: () =>
        new Promise((resolve) =>
          setImmediate(() =>
            resolve({
              status: 201,
              headers: {},
              text: '',
              json: { success: true, data: { id: `m${sent}`, status: 'queued' } },
              elapsedMs: 0,
            }),
          ),
        ),
    },
    pacer: new Pacer(undefined),
    concurrency: 16,
    maxAttempts: 1,
    retryUnknown: false,
    dryRun: false,
    stop: new AbortController().signal,
    onOutcome: (o) => {
      if (o.status !== 'sent') return;
      sent++;
      if (at.includes(sent)) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
    },
  });
  assert.equal(summary.counts.sent, n);
  return heap;
}

test('the heap of a run does not grow with the rows it has sent', async () => {
  const [early, late] = await heapDuring(100_000, [5_000, 99_000]);
  // The keys of the duplicate check take 8 to 16 bytes a row (KeySet); a promise or a closure kept
  // per row takes hundreds (a reaction left on a promise per read took 550).
  const perRow = (late! - early!) / 94_000;
  assert.ok(perRow < 60, `the heap grew ${perRow.toFixed(0)} bytes a row over 94,000 rows`);
});
