/**
 * The bulk journal (create, reopen, last outcome wins, in-flight rows, refusals, crash tolerance,
 * kill -9, a 1,000,000-row journal's open time and memory) and the KeySet used for duplicates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openJournal, type JournalMeta } from '../../src/bulk/journal.js';
import { KeySet } from '../../src/bulk/keyset.js';
import type { JournalEntry } from '../../src/bulk/types.js';
import { CliError, ExitCode, UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'interflow-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `j${++n}.journal`);
const meta: JournalMeta = { fingerprint: 'a'.repeat(64), spec: 'b'.repeat(64), source: 'contacts.csv' };
const key = (s: string) => KeySet.keyHex(KeySet.keyOf(s, 'body'));
const root = fileURLToPath(new URL('../..', import.meta.url));
const journalUrl = new URL('../../src/bulk/journal.ts', import.meta.url).href;
const keysetUrl = new URL('../../src/bulk/keyset.ts', import.meta.url).href;

/** Runs an ES module snippet in a fresh node (with tsx and gc); its last stdout line is JSON. */
function inChild(code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch (err) {
        reject(err);
      }
    });
  });
}
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

async function refused(path: string, m: JournalMeta, pattern: RegExp): Promise<void> {
  await assert.rejects(openJournal(path, m), (err: unknown) => {
    assert.ok(err instanceof CliError, String(err));
    assert.equal(err.exitCode, ExitCode.usage);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('bulk journal', () => {
  test('a new journal: mode 0600, the first line identifies input and command', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const first = JSON.parse(lines(path)[0]!) as Record<string, unknown>;
    assert.equal(first.journal, 'interflow-bulk');
    assert.equal(first.v, 1);
    assert.equal(first.fingerprint, meta.fingerprint);
    assert.equal(first.spec, meta.spec);
    assert.equal(first.source, 'contacts.csv');
    assert.ok(!Number.isNaN(Date.parse(String(first.created))));
    assert.deepEqual(j.counts(), { sent: 0, failed: 0, skipped: 0, unknown: 0, inFlight: 0 });
  });

  test('reopened: entry() of sent, failed, skipped, unknown, in-flight and unrecorded rows', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([
      { row: 2, key: key('2') },
      { row: 3, key: key('3') },
      { row: 5, key: key('5') },
      { row: 6, key: key('6') },
    ]);
    j.outcome({ row: 2, to: '5511999999999', status: 'sent', id: 'wamid.ABC', attempts: 1 });
    const refusal = { status: 422, code: 'CHANNEL_DISCONNECTED', message: 'canal "x" desconectado', retryable: false };
    j.outcome({ row: 3, to: '5511888888888', status: 'failed', error: refusal, attempts: 1 });
    j.outcome({ row: 4, status: 'skipped', error: { code: 'DUPLICATE', message: 'row 4: same as row 2' } });
    j.outcome({ row: 5, to: '5511777777777', status: 'unknown', error: { code: 'NO_RESPONSE', message: 'timeout' } });
    // row 6: intent only (killed in flight)
    j.close();
    assert.equal(lines(path).filter((l) => l.includes('"t":"intent"')).length, 4);

    const k = await openJournal(path, meta);
    assert.deepEqual(k.entry(2), { inFlight: false, outcome: { row: 2, to: '5511999999999', status: 'sent', id: 'wamid.ABC', attempts: 0, fromJournal: true } });
    assert.deepEqual(k.entry(3), { inFlight: false, outcome: { row: 3, to: '5511888888888', status: 'failed', error: refusal, attempts: 0, fromJournal: true } });
    assert.equal(k.entry(4)?.outcome?.status, 'skipped');
    assert.equal(k.entry(4)?.outcome?.error?.code, 'DUPLICATE');
    assert.equal(k.entry(5)?.outcome?.status, 'unknown');
    assert.deepEqual(k.entry(6), { inFlight: true });
    for (const row of [0, 1, 7, 1e9, -1, 2.5]) assert.equal(k.entry(row), undefined, String(row));
    assert.deepEqual(k.counts(), { sent: 1, failed: 1, skipped: 1, unknown: 1, inFlight: 1 });
    k.close();
  });

  test('the last outcome wins; an intent after an outcome makes the row in flight again', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: key('2') }]);
    j.outcome({ row: 2, status: 'failed', error: { code: '429', message: 'slow down' } });
    j.intent([{ row: 2, key: key('2') }]);
    j.outcome({ row: 2, to: '551199', status: 'sent', id: 'second' });
    j.outcome({ row: 3, status: 'failed', error: { code: 'NO', message: 'x' } });
    j.intent([{ row: 3, key: key('3') }]); // a retry that never reported back
    j.close();
    const k = await openJournal(path, meta);
    assert.equal(k.entry(2)?.outcome?.id, 'second');
    assert.equal(k.entry(2)?.inFlight, false);
    assert.deepEqual(k.entry(3), { inFlight: true });
    assert.deepEqual(k.counts(), { sent: 1, failed: 0, skipped: 0, unknown: 0, inFlight: 1 });
    k.close();
  });

  test('entry() and counts() describe earlier runs; this run appends; a third run sees both', async () => {
    const path = fresh();
    const a = await openJournal(path, meta);
    a.outcome({ row: 2, status: 'sent', id: 'one' });
    a.close();
    const b = await openJournal(path, meta);
    b.outcome({ row: 3, status: 'sent', id: 'two' });
    assert.equal(b.entry(3), undefined);
    b.close();
    const c = await openJournal(path, meta);
    assert.equal(c.entry(2)?.outcome?.id, 'one');
    assert.equal(c.entry(3)?.outcome?.id, 'two');
    c.close();
  });

  test('outcomes that came from the journal are not written again', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.outcome({ row: 2, status: 'sent', id: 'x' });
    const before = readFileSync(path, 'utf8');
    j.outcome({ row: 2, status: 'sent', id: 'x', fromJournal: true, attempts: 0 });
    j.intent([]);
    assert.equal(readFileSync(path, 'utf8'), before);
    j.close();
    assert.throws(() => j.outcome({ row: 3, status: 'sent' }), /closed/);
    j.close(); // idempotent
  });

  test('line formats', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: 'k2' }]);
    j.outcome({ row: 2, to: '55', status: 'failed', error: { status: 400, code: 'X', message: 'm' }, attempts: 3 });
    j.close();
    const [, intent, done] = lines(path).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(intent!), ['t', 'row', 'key', 'at']);
    assert.deepEqual({ ...intent, at: 0 }, { t: 'intent', row: 2, key: 'k2', at: 0 });
    assert.deepEqual({ ...done, at: 0 }, { t: 'done', row: 2, status: 'failed', to: '55', error: { status: 400, code: 'X', message: 'm' }, at: 0 });
  });

  test('a journal of a different input is refused, naming both and how to fix it', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    const before = readFileSync(path);
    await refused(path, { ...meta, fingerprint: 'c'.repeat(64), source: 'other.csv' }, new RegExp(`journal ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} belongs to a different input: it was made from contacts\\.csv, and other\\.csv does not match it`));
    await refused(path, { ...meta, fingerprint: 'c'.repeat(64) }, /made from contacts\.csv as it was then, and contacts\.csv does not match it/);
    await assert.rejects(openJournal(path, { ...meta, fingerprint: 'c'.repeat(64) }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.hint ?? '', /use another --journal, or delete .* to start over/);
      return true;
    });
    assert.deepEqual(readFileSync(path), before, 'a refused journal is left untouched');
  });

  test('a journal made by a different command (message flags) is refused', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    await refused(path, { ...meta, spec: 'd'.repeat(64) }, /was made by a different command: the message flags/);
  });

  test('a last line cut short by a crash is ignored, and cut off before new lines are appended', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: 'k' }]);
    j.outcome({ row: 2, status: 'sent', id: 'ok' });
    j.intent([{ row: 3, key: 'k' }]);
    j.close();
    appendFileSync(path, '{"t":"done","row":3,"status":"sent","to":"5511","id":"wam'); // kill -9 mid-write
    const k = await openJournal(path, meta);
    assert.deepEqual(k.entry(3), { inFlight: true });
    assert.equal(k.entry(2)?.outcome?.id, 'ok');
    k.outcome({ row: 3, status: 'sent', id: 'retried' });
    k.close();
    assert.ok(!readFileSync(path, 'utf8').includes('"id":"wam"'));
    const l = await openJournal(path, meta);
    assert.equal(l.entry(3)?.outcome?.id, 'retried');
    l.close();
    for (const line of lines(path)) JSON.parse(line); // every line whole
  });

  test("a cut line that happens to end in '}' is still recognized as cut", async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    appendFileSync(path, '{"t":"done","row":4,"status":"failed","error":{"code":"X","message":"m"}');
    const k = await openJournal(path, meta);
    assert.equal(k.entry(4), undefined);
    k.close();
  });

  test('a whole last line without its newline is kept, and the newline added', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    appendFileSync(path, '{"t":"done","row":4,"status":"sent","id":"kept","at":"2025-01-01T00:00:00.000Z"}');
    const k = await openJournal(path, meta);
    assert.equal(k.entry(4)?.outcome?.id, 'kept');
    k.outcome({ row: 5, status: 'sent' });
    k.close();
    assert.equal(lines(path).length, 3);
  });

  test('a corrupt line in the middle is refused, naming the journal and the line', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.outcome({ row: 2, status: 'sent' });
    j.close();
    appendFileSync(path, '{"t":"done","row":3,"sta{"t":"intent","row":4,"key":"k","at":"x"}\n');
    appendFileSync(path, '{"t":"done","row":5,"status":"sent"}\n');
    await refused(path, meta, new RegExp(`journal .*j${n}\\.journal is corrupt at line 3`));
    const other = fresh();
    (await openJournal(other, meta)).close();
    appendFileSync(other, '{"t":"done","row":2,"status":"delivered"}\nnot json\n');
    await refused(other, meta, /is corrupt at line 2/);
  });

  test('corruption inside a value is caught when that outcome is read back, naming the line', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.outcome({ row: 2, status: 'sent', id: 'fine' });
    j.close();
    appendFileSync(path, '{"t":"done","row":3,"status":"sent","id":"x\u0001y\x7F,,}\n');
    const k = await openJournal(path, meta);
    assert.equal(k.entry(2)?.outcome?.id, 'fine');
    assert.throws(() => k.entry(3), /corrupt at line 3/);
    k.close();
  });

  test('a file that is not a journal is refused and left untouched', async () => {
    const path = fresh();
    writeFileSync(path, 'to,name\n5511999999999,Ana\n');
    await refused(path, meta, /is not an interflow bulk journal/);
    assert.equal(readFileSync(path, 'utf8'), 'to,name\n5511999999999,Ana\n');
    const noNewline = fresh();
    writeFileSync(noNewline, 'to,name');
    await refused(noNewline, meta, /is not an interflow bulk journal/);
    assert.equal(readFileSync(noNewline, 'utf8'), 'to,name');
  });

  test('an empty file, or one whose first line was cut while being created, becomes a new journal', async () => {
    for (const content of ['', '{"journal":"interfl', '{"journal":"interflow-bulk","v":1,"finger']) {
      const path = fresh();
      writeFileSync(path, content, { mode: 0o644 });
      const j = await openJournal(path, meta);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      j.outcome({ row: 2, status: 'sent' });
      j.close();
      const k = await openJournal(path, meta);
      assert.equal(k.entry(2)?.outcome?.status, 'sent', JSON.stringify(content));
      k.close();
    }
  });

  test('a journal in a missing directory is a usage error naming it', async () => {
    await refused(join(dir, 'no', 'such', 'dir.journal'), meta, /cannot open the journal .*dir\.journal/);
  });

  test('kill -9 while writing leaves a journal that reopens: done rows are done, the rest in flight or absent', async () => {
    const path = fresh();
    const script = `
      const { openJournal } = await import(${JSON.stringify(journalUrl)});
      const j = await openJournal(${JSON.stringify(path)}, ${JSON.stringify(meta)});
      for (let row = 2; ; row++) {
        // Outcomes go out with the next intent: at row 503, rows 2 to 501 are in the file.
        if (row === 503) process.stdout.write('500 rows written\\n');
        j.intent([{ row, key: 'k' + row }]);
        j.outcome({ row, to: '5511999999999', status: row % 7 ? 'sent' : 'failed', id: 'id' + row, error: row % 7 ? undefined : { code: 'X', message: 'm'.repeat(row % 300) } });
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Killed once 500 rows are written, while it goes on writing.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const j = await openJournal(path, meta);
    const c = j.counts();
    assert.ok(c.sent + c.failed >= 500, `only ${c.sent + c.failed} rows written before the kill`);
    assert.ok(c.inFlight <= 1, `${c.inFlight} rows in flight`);
    const last = c.sent + c.failed + c.inFlight + 1;
    for (let row = 2; row <= last; row++) {
      const e = j.entry(row);
      if (row < last) assert.equal(e?.outcome?.id, `id${row}`, `row ${row}`);
      else assert.ok(e === undefined || e.inFlight || e.outcome?.id === `id${row}`);
    }
    j.outcome({ row: last + 1, status: 'sent' });
    j.close();
    (await openJournal(path, meta)).close();
  });

  // Write speed and open time are measured by bench/units.js, not asserted here.
  test('1,000,000 rows: what opening finds, and its memory', async (t) => {
    const path = fresh();
    // A 1M-row journal, written in bulk the way the API writes it.
    const N = 1_000_000;
    {
      const fd = openSync(path, 'w', 0o600);
      writeSync(fd, JSON.stringify({ journal: 'interflow-bulk', v: 1, ...meta, created: new Date().toISOString() }) + '\n');
      const at = new Date().toISOString();
      let text = '';
      for (let row = 2; row < N + 2; row++) {
        text += `{"t":"intent","row":${row},"key":"${'0123456789abcdef'.repeat(2)}","at":"${at}"}\n`;
        if (row % 1000 !== 0) {
          text +=
            row % 10 === 0
              ? `{"t":"done","row":${row},"status":"failed","to":"5511999999999","error":{"status":422,"code":"CHANNEL_DISCONNECTED","message":"channel disconnected"},"at":"${at}"}\n`
              : `{"t":"done","row":${row},"status":"sent","to":"5511999999999","id":"wamid.HBgLNTUxMTk5OTk5OTk5FQIAERgSQjY1QkE4RjQ2QjQ4AA==","at":"${at}"}\n`;
        }
        if (text.length > 1 << 20) {
          writeSync(fd, text);
          text = '';
        }
      }
      writeSync(fd, text);
      closeSync(fd);
    }
    // Opened in a fresh process, so that its RSS says what opening costs.
    const m = (await inChild(`
      const { openJournal } = await import(${JSON.stringify(journalUrl)});
      globalThis.gc();
      const rss0 = process.memoryUsage().rss;
      const j = await openJournal(${JSON.stringify(path)}, ${JSON.stringify(meta)});
      const grown = process.memoryUsage().rss - rss0;
      console.log(JSON.stringify({ grown, counts: j.counts(), last: j.entry(1_000_001), failed: j.entry(999_990), inFlight: j.entry(1_000_000) }));
    `)) as { grown: number; counts: Record<string, number>; last?: JournalEntry; failed?: JournalEntry; inFlight?: JournalEntry };
    const { grown, counts } = m;
    assert.equal(counts.inFlight, 1000);
    assert.equal(counts.sent! + counts.failed!, N - 1000);
    assert.equal(m.last?.outcome?.status, 'sent');
    assert.equal(m.failed?.outcome?.error?.code, 'CHANNEL_DISCONNECTED');
    assert.deepEqual(m.inFlight, { inFlight: true });
    const mib = (b: number) => +(b / 2 ** 20).toFixed(1);
    t.diagnostic(`open: ${N} rows (${mib(statSync(path).size)} MiB), RSS +${mib(grown)} MiB`);
    assert.ok(grown < 40 * 2 ** 20, `RSS grew ${mib(grown)} MiB`);
  });
});

describe('KeySet', () => {
  test('duplicates are detected; keyHex is the sha256 prefix; fromHex round-trips', () => {
    const set = new KeySet();
    const a = KeySet.keyOf('5511999999999', 'Olá João');
    assert.equal(set.add(a), true);
    assert.equal(set.add(KeySet.keyOf('5511999999999', 'Olá João')), false);
    assert.equal(set.has(a), true);
    assert.equal(set.has(KeySet.keyOf('5511999999999', 'Olá Joao')), false);
    assert.equal(set.add(KeySet.keyOf('5511888888888', 'Olá João')), true);
    assert.equal(set.size, 2);
    assert.equal(KeySet.keyHex(a), createHash('sha256').update('5511999999999\nOlá João').digest('hex').slice(0, 32));
    assert.deepEqual(KeySet.fromHex(KeySet.keyHex(a)), a);
    assert.throws(() => KeySet.fromHex('xyz'), RangeError);
    // The digest path (bulk's, without a key object) is the same key and the same hex.
    const digest = KeySet.digestOf('5511999999999', 'Olá João');
    assert.equal(KeySet.hexOf(digest), KeySet.keyHex(a));
    assert.equal(set.addDigest(digest), false);
    assert.equal(set.addDigest(KeySet.digestOf('5511777777777', 'Olá João')), true);
    assert.equal(set.has(KeySet.keyOf('5511777777777', 'Olá João')), true);
    assert.equal(set.add(KeySet.keyOf('5511777777777', 'Olá João')), false);
  });

  test('the key whose stored words are zero is a key like any other', () => {
    const set = new KeySet();
    const zero = new Uint32Array(4);
    assert.equal(set.has(zero), false);
    assert.equal(set.add(zero), true);
    assert.equal(set.add(zero), false);
    assert.equal(set.has(zero), true);
  });

  // The speed of adds is measured by bench/units.js, not asserted here.
  test('1,000,000 distinct messages: no false positives, growth and memory', async (t) => {
    const N = 1_000_000;
    const set = new KeySet();
    const firstBytes = set.bytes;
    const body = '{"messaging_product":"whatsapp","type":"text","text":{"body":"Seu pedido saiu para entrega"}}';
    for (let i = 0; i < N; i++) assert.equal(set.add(KeySet.keyOf(`55${11_900_000_000 + i}`, body)), true);
    assert.equal(set.size, N);
    assert.ok(set.bytes > firstBytes, 'it grew');
    for (let i = 0; i < N; i += 997) assert.equal(set.add(KeySet.keyOf(`55${11_900_000_000 + i}`, body)), false);
    for (let i = 0; i < 200_000; i++) assert.equal(set.has(KeySet.keyOf(`55${11_900_000_000 + i}`, body + ' ')), false);

    // Adds alone (keys from a xorshift generator, one reused array), in a fresh process: memory.
    const m = (await inChild(`
      const { KeySet } = await import(${JSON.stringify(keysetUrl)});
      globalThis.gc();
      const rss0 = process.memoryUsage().rss;
      const k = new Uint32Array(4);
      let x = 2463534242;
      const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
      const s2 = new KeySet();
      for (let i = 0; i < ${N}; i++) { k[0] = next(); k[1] = next(); k[2] = next(); k[3] = next(); s2.add(k); }
      console.log(JSON.stringify({ grown: process.memoryUsage().rss - rss0, size: s2.size, bytes: s2.bytes }));
    `)) as { grown: number; size: number; bytes: number };
    const { grown } = m;
    const mib = (b: number) => +(b / 2 ** 20).toFixed(1);
    t.diagnostic(`1M adds: table ${mib(m.bytes)} MiB, RSS +${mib(grown)} MiB`);
    assert.equal(m.size, N);
    assert.ok(grown < 40 * 2 ** 20, `RSS grew ${mib(grown)} MiB`);
  });
});

describe('journal lock: one run at a time', () => {
  test('a second open while the first is in use is refused naming the process; after close it opens', async () => {
    const path = fresh();
    const first = await openJournal(path, meta);
    assert.equal(readFileSync(`${path}.lock`, 'utf8'), String(process.pid));
    // The same pid holding it means this process: simulate another live process with our parent.
    writeFileSync(`${path}.lock`, String(process.ppid));
    await assert.rejects(openJournal(path, meta), (e: unknown) => e instanceof UsageError && e.exitCode === ExitCode.usage && new RegExp(`in use by another run \\(process ${process.ppid}\\)`).test(e.message));
    writeFileSync(`${path}.lock`, String(process.pid));
    first.close();
    assert.throws(() => statSync(`${path}.lock`), /ENOENT/, 'close removes the lock');
    const second = await openJournal(path, meta);
    second.close();
  });

  test('a lock left by a killed run (its process is gone) is taken over', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(`${path}.lock`, String(deadPid));
    const j = await openJournal(path, meta);
    assert.equal(readFileSync(`${path}.lock`, 'utf8'), String(process.pid));
    j.close();
  });
});
