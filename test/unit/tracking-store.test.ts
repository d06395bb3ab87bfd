/**
 * The tracking store (src/tracking/): segments written whole per process, read back merged; the
 * latest status is the furthest along whatever the order or repeats; a torn last line is ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, recordLine, type TrackRecord } from '../../src/tracking/store.js';
import { loadIndex } from '../../src/tracking/index.js';
import { buildReport, selectMessages } from '../../src/tracking/query.js';

const msg = (id: string, extra: Partial<TrackRecord> = {}): TrackRecord =>
  ({ k: 'msg', id, t: 1_000, c: 'natal', tpl: 'promo', to: '5511999990001', provider: 'turn', profile: 'turn', dest: 'http://x', type: 'template', ...extra }) as TrackRecord;
const ev = (id: string, st: string, t: number, extra: Record<string, unknown> = {}): TrackRecord => ({ k: 'ev', id, st, t, ...extra }) as TrackRecord;

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
    const failed = store([[ev('b', 'failed', 5, { code: '131047', title: 'Re-engagement message' }), ev('b', 'delivered', 6), ev('b', 'sent', 2)], [msg('b')]]);
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

  it('each writer its own segment; the report merges them', () => {
    const dir = store([[msg('e', { t: 1000 }), msg('f', { t: 2000, tpl: 'other', c: 'x' })], [ev('e', 'read', 4000), ev('f', 'delivered', 2500)], [ev('e', 'delivered', 3000)]]);
    assert.equal(readdirSync(dir).length, 3);
    const ix = loadIndex(dir);
    const all = buildReport(ix);
    assert.equal(all.messages, 2);
    assert.equal(all.statuses.read.count, 1);
    assert.equal(all.statuses.delivered.count, 1);
    assert.equal(all.medianToReadMs, 3000);
    assert.equal(all.medianToDeliveredMs, 1250);
    assert.equal(buildReport(ix, 'natal').messages, 1);
    assert.equal(buildReport(ix, 'nope').messages, 0);
    assert.deepEqual(selectMessages(ix, { limit: 10 }).map((s) => ix.message(s)?.id), ['f', 'e'], 'newest first');
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
});
