/**
 * The tracking store (src/tracking/): segments written whole per process, read back merged; the
 * latest status is the furthest along whatever the order or repeats; a torn last line is ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, recordLine, type TrackRecord } from '../../src/tracking/store.js';
import { loadIndex } from '../../src/tracking/index.js';
import { buildReport, selectMessages } from '../../src/tracking/query.js';
import { bulkRecorder } from '../../src/tracking/record.js';
import { createIo } from '../../src/output/io.js';
import type { Profile } from '../../src/config/profile.js';

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

  it('writers killed with SIGKILL mid-stream, two at once: the store stays readable, every whole line counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-track-kill-'));
    const store = new URL('../../src/tracking/store.ts', import.meta.url).href;
    const writer = `import { Recorder } from ${JSON.stringify(store)};
      const r = new Recorder(process.argv[1], (w) => { console.error(w); process.exit(9); });
      let i = 0;
      const turn = () => { for (let k = 0; k < 500; k++, i++) r.batch({ k: 'msg', id: 'p' + process.pid + '-' + i, t: i, c: 'kill', tpl: '', to: '5511' + i, provider: 'turn', profile: 't', dest: 'd', type: 'text' }); setImmediate(turn); };
      turn();`;
    const { spawn } = await import('node:child_process');
    const children = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer, dir], { stdio: 'ignore' }));
    // Wait (on the files, not the clock) until both have written a good deal, then kill -9.
    const { statSync } = await import('node:fs');
    const size = (): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    while (readdirSync(dir).length < 2 || size() < 2_000_000) await new Promise((r) => setTimeout(r, 20));
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)))));
    let whole = 0;
    for (const f of readdirSync(dir)) {
      const text = (await import('node:fs')).readFileSync(join(dir, f), 'utf8');
      whole += text.split('\n').length - 1; // lines ended by their newline
    }
    const ix = loadIndex(dir);
    assert.equal(ix.skipped, 0);
    assert.equal(buildReport(ix, 'kill').messages, whole);
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
      const profile = { name: 'p "1"', provider: 'turn', apiKey: 'k', baseUrl: 'http://127.0.0.1:1/turn', defaultCountry: 'BR', source: '' } as Profile;
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
      assert.equal(lines[0], recordLine(whole));
      rmSync(dir, { recursive: true });
    }
  });
});

