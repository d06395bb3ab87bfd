/**
 * The tracking store (src/tracking/): one segment a month shared by every writer (O_APPEND, a
 * newline and whole lines a write), read back merged with earlier segments; the latest status is
 * the furthest along whatever the order or repeats; a torn line is skipped alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, appendLines, recordLine, segmentName, type TrackRecord } from '../../src/tracking/store.js';
import { loadIndex } from '../../src/tracking/index.js';
import { buildReport, selectMessages } from '../../src/tracking/query.js';
import { bulkRecorder } from '../../src/tracking/record.js';
import { createIo } from '../../src/output/io.js';
import type { Profile } from '../../src/config/profile.js';

const msg = (id: string, extra: Partial<TrackRecord> = {}): TrackRecord =>
  ({
    k: 'msg',
    id,
    t: 1_000,
    c: 'natal',
    tpl: 'promo',
    to: '5511999990001',
    provider: 'turn',
    profile: 'turn',
    dest: 'http://x',
    type: 'template',
    ...extra,
  }) as TrackRecord;
const ev = (id: string, st: string, t: number, extra: Record<string, unknown> = {}): TrackRecord =>
  ({ k: 'ev', id, st, t, ...extra }) as TrackRecord;

function store(records: TrackRecord[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'interflow-track-unit-'));
  for (const seg of records) {
    const r = new Recorder(dir, (w) => assert.fail(w));
    for (const rec of seg) r.add(rec);
    r.close();
  }
  return dir;
}

const statusOf = (dir: string, id: string): string => {
  const ix = loadIndex(dir);
  return ix.status(ix.find(id));
};

describe('tracking store', () => {
  it('latest status: read > failed > delivered > sent, in any order, repeats changing nothing', () => {
    const orders = [
      [ev('a', 'sent', 2), ev('a', 'delivered', 3), ev('a', 'read', 4)],
      [ev('a', 'read', 4), ev('a', 'sent', 2), ev('a', 'delivered', 3), ev('a', 'read', 4), ev('a', 'sent', 2)],
    ];
    for (const events of orders) {
      const dir = store([[msg('a')], events]);
      assert.equal(statusOf(dir, 'a'), 'read');
      rmSync(dir, { recursive: true });
    }
    const failed = store([
      [ev('b', 'failed', 5, { code: '131047', title: 'Re-engagement message' }), ev('b', 'delivered', 6), ev('b', 'sent', 2)],
      [msg('b')],
    ]);
    assert.equal(statusOf(failed, 'b'), 'failed', 'a failure stands against a later delivered; events before the message count');
    const ix = loadIndex(failed);
    assert.deepEqual(ix.failureOf(ix.find('b')), { code: '131047', title: 'Re-engagement message' });
    const proved = store([[msg('c'), ev('c', 'failed', 5, { code: '131047' }), ev('c', 'read', 9)]]);
    assert.equal(statusOf(proved, 'c'), 'read', 'a read proves it arrived');
  });

  it('ids with escapes, unknown statuses and foreign lines are read through JSON; garbage is skipped and counted', () => {
    const dir = store([[msg('id "quoted" \\ é'), ev('id "quoted" \\ é', 'delivered', 7), ev('id "quoted" \\ é', 'deleted', 8)]]);
    appendFileSync(join(dir, readdirSync(dir)[0]!), 'not json\n{"k":"msg"}\n');
    const ix = loadIndex(dir);
    assert.equal(ix.status(ix.find('id "quoted" \\ é')), 'delivered');
    assert.equal(ix.skipped, 2);
  });

  it('a torn last line (a writer killed mid-write) is ignored; the records before it stand', () => {
    const dir = store([[msg('d'), ev('d', 'delivered', 3)]]);
    appendFileSync(join(dir, readdirSync(dir)[0]!), recordLine(ev('d', 'read', 4)).slice(0, 20));
    assert.equal(statusOf(dir, 'd'), 'delivered');
    assert.equal(loadIndex(dir).skipped, 0);
  });

  it("every writer appends to the month's one segment; segments of earlier versions are merged in", () => {
    const dir = store([[msg('e', { t: 1000 })], [ev('e', 'read', 4000), ev('f', 'delivered', 2500)]]);
    // An earlier version wrote one segment per process: still read.
    writeFileSync(
      join(dir, 'mi3k2x-4242-0a1b2c3d.jsonl'),
      recordLine(msg('f', { t: 2000, tpl: 'other', c: 'x' })) + recordLine(ev('e', 'delivered', 3000)),
    );
    assert.deepEqual(readdirSync(dir).sort(), [segmentName(), 'mi3k2x-4242-0a1b2c3d.jsonl'].sort());
    const ix = loadIndex(dir);
    const all = buildReport(ix);
    assert.equal(all.messages, 2);
    assert.equal(all.statuses.read.count, 1);
    assert.equal(all.statuses.delivered.count, 1);
    assert.equal(all.medianToReadMs, 3000);
    assert.equal(all.medianToDeliveredMs, 1250);
    assert.equal(buildReport(ix, 'natal').messages, 1);
    assert.equal(buildReport(ix, 'nope').messages, 0);
    assert.deepEqual(
      selectMessages(ix, { limit: 10 }).map((s) => ix.message(s)?.id),
      ['f', 'e'],
      'newest first',
    );
  });

  it('a store larger than its first estimate: every message and status kept as the index grows', () => {
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => `wamid.grow-${i}`);
    // Events first (in reverse), then the messages: the index grows while statuses wait in a batch.
    const dir = store([
      ids.map((id, i) => ev(id, i % 2 ? 'read' : 'delivered', 5000 + i)).reverse(),
      ids.map((id, i) => msg(id, { t: i })),
    ]);
    const ix = loadIndex(dir);
    const r = buildReport(ix);
    assert.equal(r.messages, n);
    assert.equal(r.statuses.read.count, n / 2);
    assert.equal(r.statuses.delivered.count, n / 2);
    assert.equal(ix.status(ix.find('wamid.grow-4999')), 'read');
    assert.equal(ix.deliveredAt(ix.find('wamid.grow-4998')), 5000 + 4998);
    rmSync(dir, { recursive: true });
  });

  it(
    'writers killed with SIGKILL mid-stream, two at once: the store stays readable, every whole line counted',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'interflow-track-kill-'));
      const store = new URL('../../src/tracking/store.ts', import.meta.url).href;
      const writer = `import { Recorder } from ${JSON.stringify(store)};
      const r = new Recorder(process.argv[1], (w) => { console.error(w); process.exit(9); });
      let i = 0;
      const turn = () => { for (let k = 0; k < 500; k++, i++) r.batch({ k: 'msg', id: 'p' + process.pid + '-' + i, t: i, c: 'kill', tpl: '', to: '5511' + i, provider: 'turn', profile: 't', dest: 'd', type: 'text' }); if (i === 5000) process.stdout.write('written\\n'); setImmediate(turn); };
      turn();`;
      const { spawn } = await import('node:child_process');
      const children = [0, 1].map(() =>
        spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] }),
      );
      // Each tells when it has written 5,000 records (10 turns): both are writing to the one segment.
      await Promise.all(
        children.map(
          (c) => new Promise((r, j) => (c.stdout!.once('data', r), c.once('exit', (code) => j(new Error(`writer exited ${code}`))))),
        ),
      );
      // Wait (on the files, not the clock) until both have written a good deal, then kill -9.
      const { statSync } = await import('node:fs');
      const size = (): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      while (size() < 2_000_000) await new Promise((r) => setTimeout(r, 20));
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(
        children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)))),
      );
      // A third writer after the kills: every one of its records stands, whatever the others left.
      const after = new Recorder(dir, (w) => assert.fail(w));
      for (let i = 0; i < 1000; i++) after.add(msg(`after-${i}`, { c: 'after' }));
      after.close();
      const files = readdirSync(dir);
      assert.deepEqual(files, [segmentName()], 'one shared segment');
      const lines = readFileSync(join(dir, files[0]!), 'utf8').split('\n');
      lines.pop(); // what follows the last newline is not a line yet
      const whole = lines.filter((l) => l !== '').length;
      const ix = loadIndex(dir);
      assert.ok(ix.skipped <= 2, `at most one torn piece a killed writer (${ix.skipped})`);
      assert.equal(buildReport(ix, 'kill').messages + ix.skipped, whole - 1000);
      assert.equal(buildReport(ix, 'after').messages, 1000);
      rmSync(dir, { recursive: true });
    },
  );

  it('four processes writing at once, batches and one-off writes: nothing lost, nothing joined', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-track-concurrent-'));
    const store = new URL('../../src/tracking/store.ts', import.meta.url).href;
    // Half in batches of 200 (bulk, the listener), half one recorder per record (one-off sends).
    const writer = `import { Recorder } from ${JSON.stringify(store)};
      const rec = (i) => ({ k: 'msg', id: 'w' + process.argv[2] + '-' + i, t: i, c: 'c' + process.argv[2], tpl: '', to: '5511' + i, provider: 'turn', profile: 't', dest: 'd', type: 'text' });
      const fail = (w) => { console.error(w); process.exit(9); };
      const batched = new Recorder(process.argv[1], fail);
      let i = 0;
      const turn = () => {
        for (let k = 0; k < 200 && i < 2000; k++, i++) batched.batch(rec(i));
        for (let k = 0; k < 20 && i < 2000; k++, i++) { const r = new Recorder(process.argv[1], fail); r.add(rec(i)); r.close(); }
        if (i < 2000) setImmediate(turn); else batched.close();
      };
      turn();`;
    const { spawn } = await import('node:child_process');
    const codes = await Promise.all(
      [0, 1, 2, 3].map(
        (n) =>
          new Promise((resolve) =>
            spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer, dir, String(n)], {
              stdio: ['ignore', 'ignore', 'inherit'],
            }).once('exit', resolve),
          ),
      ),
    );
    assert.deepEqual(codes, [0, 0, 0, 0]);
    assert.equal(readdirSync(dir).length, 1);
    const ix = loadIndex(dir);
    assert.equal(ix.skipped, 0);
    for (const n of [0, 1, 2, 3]) assert.equal(buildReport(ix, `c${n}`).messages, 2000, `writer ${n}`);
    assert.equal(ix.size, 8000);
    rmSync(dir, { recursive: true });
  });

  it('a piece left by a killed writer ends at the next write, alone: the records after it stand', () => {
    const dir = store([[msg('m1')]]);
    appendFileSync(join(dir, segmentName()), recordLine(msg('torn')).slice(0, 40));
    const r = new Recorder(dir, (w) => assert.fail(w));
    r.add(msg('m2'));
    r.close();
    const ix = loadIndex(dir);
    assert.equal(ix.skipped, 1);
    assert.deepEqual(
      selectMessages(ix, { limit: 10 })
        .map((s) => ix.message(s)?.id)
        .sort(),
      ['m1', 'm2'],
    );
    rmSync(dir, { recursive: true });
  });

  it('a short write (a full disk, another writer in between): the cut line is written again whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-track-short-'));
    const file = join(dir, segmentName());
    const fd = openSync(file, 'a');
    const lines = Buffer.from('\n' + recordLine(msg('s1')) + recordLine(msg('s2')) + recordLine(msg('s3')));
    let calls = 0;
    appendLines(fd, lines, (f, buf, off, len) => {
      calls++;
      // The first write stops in the middle of s2; another process appends before the rest.
      const n = calls === 1 ? (buf as Buffer).indexOf('s2') - (off as number) : (len as number);
      const written = writeSync(f, buf as Buffer, off as number, n);
      if (calls === 1) appendFileSync(file, '\n' + recordLine(msg('other')));
      return written;
    });
    closeSync(fd);
    assert.equal(calls, 2);
    const ix = loadIndex(dir);
    assert.equal(ix.skipped, 1, 'the cut piece of s2');
    assert.deepEqual(
      selectMessages(ix, { limit: 10 })
        .map((s) => ix.message(s)?.id)
        .sort(),
      ['other', 's1', 's2', 's3'],
    );
    rmSync(dir, { recursive: true });
  });

  it('a write error is told once and never thrown', () => {
    const warnings: string[] = [];
    const r = new Recorder('/dev/null/not-a-dir', (w) => warnings.push(w));
    r.add(msg('g'));
    r.flush();
    r.add(msg('h'));
    r.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /not recorded in the tracking store/);
  });

  it('bulk: each sent row is recordLine of its whole record, whatever the campaign or template holds', () => {
    for (const input of ['/tmp/natal "2026".csv', '-']) {
      const dir = mkdtempSync(join(tmpdir(), 'interflow-track-unit-'));
      const io = createIo({ env: { INTERFLOW_STATE_DIR: dir }, stdout: { write: () => true }, stderr: { write: () => true } });
      const profile = {
        name: 'p "1"',
        provider: 'turn',
        apiKey: 'k',
        baseUrl: 'http://127.0.0.1:1/turn',
        defaultCountry: 'BR',
        source: '',
      } as Profile;
      const plan = { kind: 'template', flags: { name: 'promo"t":0', language: 'pt_BR' } };
      const track = bulkRecorder(io, [profile], plan, 'camp "to":"" \u2028 🎉', input);
      const before = Date.now();
      track.row({ row: 7, to: '5511999990001', status: 'sent', id: 'wamid."id":""', attempts: 1 });
      track.row({ row: 8, to: '5511999990002', status: 'failed', attempts: 1 });
      track.close();
      const lines = readdirSync(join(dir, 'tracking')).map((f) => readFileSync(join(dir, 'tracking', f), 'utf8'));
      assert.equal(lines.length, 1);
      const rec = JSON.parse(lines[0]!) as TrackRecord & { t: number };
      assert.ok(rec.t >= before && rec.t <= Date.now());
      const whole: TrackRecord = {
        k: 'msg',
        id: 'wamid."id":""',
        t: rec.t,
        c: 'camp "to":"" \u2028 🎉',
        tpl: 'promo"t":0',
        to: '5511999990001',
        lang: 'pt_BR',
        provider: 'turn',
        profile: 'p "1"',
        dest: 'http://127.0.0.1:1/turn',
        type: 'template',
        ...(input === '-' ? {} : { row: 7, input: '/tmp/natal "2026".csv' }),
      };
      assert.equal(lines[0], '\n' + recordLine(whole), 'a write: a newline, then the line');
      rmSync(dir, { recursive: true });
    }
  });
});
