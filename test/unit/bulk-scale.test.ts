/**
 * The pieces of Scale (src/bulk/shard.ts, pool.ts, pacer.ts's PairPacer): the split is stable
 * (pinned values: the same on every machine and release), flags are validated, and the pair
 * rate spaces one recipient's requests from the end of the previous one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { openJournal, type Destination, type JournalMeta } from '../../src/bulk/journal.js';
import { parseDuration } from '../../src/commands/parsers.js';
import { PairPacer, type Clock } from '../../src/bulk/pacer.js';
import { pairIntervalOf, poolDestination, poolNames, poolPicker } from '../../src/bulk/pool.js';
import { bucket, parseShard, recipientHash, recipientKey, shardJournalPath } from '../../src/bulk/shard.js';
import type { CsvRow } from '../../src/bulk/types.js';

const row = (to: string): CsvRow => ({ row: 2, cells: { to }, missing: [], extra: 0, end: 0 });

describe('shards', () => {
  test('--shard I/N is parsed 1-based; anything else names the flag and the fix', () => {
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '3', '1/0', 'a/b', '', '1.5/3', '-1/2'])
      assert.throws(() => parseShard(bad), /--shard takes I\/N with 1 ≤ I ≤ N/);
  });

  test('a recipient is its normalized digits, however it is written; a non-number is hashed as written', () => {
    assert.equal(recipientKey('+55 (11) 91000-0001', 'BR'), '5511910000001');
    assert.equal(recipientKey('11 91000-0001', 'BR'), '5511910000001');
    assert.equal(recipientKey('  not-a-number ', 'BR'), 'not-a-number');
  });

  test('the split is pinned: SHA-256 of the digits, the first 4 bytes for the shard and the next 4 for the sender', () => {
    // Changing these moves recipients between shards of a run under way: never change them.
    assert.deepEqual(recipientHash('5511910000001'), { shard: 3526234703, lane: 3891457039 });
    // Shard 3 of 3 (bucket 2), second sender of a pool of two (bucket 1).
    assert.equal(bucket(recipientHash(recipientKey('+55 11 91000-0001', 'BR')).shard, 3), 2);
    assert.equal(poolPicker(2, 'to', 'BR')(row('+55 11 91000-0001')), 1);
  });

  test('shards spread recipients evenly enough, and the journal names the shard', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[bucket(recipientHash(String(5511910000000 + i)).shard, 3)]!++;
    for (const c of counts) assert.ok(c > 900 && c < 1100, JSON.stringify(counts));
    assert.equal(shardJournalPath('contatos.csv', { index: 2, count: 3 }), 'contatos.csv.shard-2-of-3.journal');
  });
});

describe('pools', () => {
  test('--profile a,b is a pool sorted by name; one name is no pool; empty or repeated names are refused', () => {
    assert.equal(poolNames('a'), undefined);
    assert.equal(poolNames(undefined), undefined);
    assert.deepEqual(poolNames('turn-b, turn-a'), ['turn-a', 'turn-b']);
    assert.throws(() => poolNames('a,,b'), /--profile takes one name or a comma-separated pool/);
    assert.throws(() => poolNames('a,b,a'), /names 'a' twice/);
  });

  test('a recipient always goes through the same sender, whichever way it is written; both senders get some', () => {
    const pick = poolPicker(2, 'to', 'BR');
    assert.equal(pick(row('+55 11 91000-0001')), pick(row('5511910000001')));
    const used = new Set(Array.from({ length: 50 }, (_, i) => pick(row(String(5511910000000 + i)))));
    assert.deepEqual([...used].sort(), [0, 1]);
  });

  test('--pair-interval: 6 s on Meta-shaped providers unless given, 0 is off, refused where there is no pair rate', () => {
    const turn = [{ name: 't', provider: 'turn' }];
    const interflow = [{ name: 'i', provider: 'interflow' }];
    assert.equal(pairIntervalOf({}, turn), 6000);
    assert.equal(pairIntervalOf({}, interflow), undefined);
    assert.equal(pairIntervalOf({}, [...interflow, { name: 's', provider: 'socialminer' }]), 6000);
    assert.equal(pairIntervalOf({ pairInterval: '0' }, turn), undefined);
    assert.equal(pairIntervalOf({ pairInterval: '1500ms' }, turn), 1500);
    assert.throws(() => pairIntervalOf({ pairInterval: '2s' }, interflow), /profile 'i' is interflow; drop --pair-interval/);
    assert.throws(() => pairIntervalOf({ pairInterval: 'x' }, turn), /--pair-interval takes a duration/);
  });

  test('durations: ms, s, m, bare seconds', () => {
    assert.deepEqual(['6s', '1500ms', '1m', '6', '0', '0.5s', 'x', '-1s', '6h'].map(parseDuration), [
      6000,
      1500,
      60000,
      6000,
      0,
      500,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

/** A clock tests move by hand: sleeps resolve when the time passes them. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  const sleepers: { until: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ until: now + ms, resolve })),
    async advance(ms) {
      now += ms;
      for (const s of sleepers.filter((s) => s.until <= now)) {
        sleepers.splice(sleepers.indexOf(s), 1);
        s.resolve();
      }
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('PairPacer', () => {
  test("a recipient's next request waits until `ms` after its previous one ended; other recipients do not wait", async () => {
    const clock = manualClock();
    const pairs = new PairPacer(1000, clock);
    const first = await pairs.take('x');
    let second: (() => void) | undefined;
    void pairs.take('x').then((r) => (second = r));
    // Another recipient goes at once.
    const other = await pairs.take('y');
    other();
    await clock.advance(5000);
    assert.equal(second, undefined, 'waits while the first request is in flight');
    first(); // ended at t=5000
    await clock.advance(999);
    assert.equal(second, undefined, 'waits the interval after the end');
    await clock.advance(1);
    assert.equal(typeof second, 'function');
  });
});

describe('a pool in the journal', () => {
  const member = (provider: string, key: string): Destination => ({ provider, baseUrl: `http://127.0.0.1:9/${provider}`, key });
  const pool = (members: Record<string, Destination>): JournalMeta => ({
    destination: poolDestination(Object.entries(members).map(([name, destination]) => ({ name, destination }))),
    message: { '--text': 'Olá {{nome}}' },
    source: 'contatos.csv',
  });

  test('the same pool resumes; another pool or a member sending elsewhere is refused, naming what changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-pool-journal-'));
    try {
      const path = join(dir, 'contatos.csv.journal');
      const a = member('interflow', 'aaaaaaaaaaaa');
      const t = member('turn', 'bbbbbbbbbbbb');
      // A message that reached a server: the journal is bound to its pool from then on.
      const j = await openJournal(path, pool({ a, t }));
      await j.intentSoon(2, '5b2281e41a78d3f7f4507f4452cdaa39');
      j.outcome({ row: 2, to: '5511910000000', status: 'sent', id: 'msg_1' });
      j.close();
      (await openJournal(path, pool({ t, a }))).close();
      const refused = async (meta: JournalMeta, message: RegExp): Promise<void> =>
        assert.rejects(openJournal(path, meta), (err: unknown) => err instanceof UsageError && message.test(err.message));
      await refused(
        pool({ a }),
        /was written for the pool a, t, this run sends through the pool a: recipients would move to other senders/,
      );
      await refused(pool({ a, b: t }), /the pool a, t, this run sends through the pool a, b/);
      await refused(pool({ a, t: member('turn', 'cccccccccccc') }), /\(profile t of the pool\) was written with another API key/);
      await refused(
        { ...pool({}), destination: a },
        /was written for the pool a, t, this run sends through one sender \(provider interflow/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
