/**
 * The bulk journal (create, reopen, last outcome wins, in-flight rows, refusals, crash tolerance,
 * kill -9, a 1,000,000-row journal's open time and memory) and the KeySet used for duplicates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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
const destination = { provider: 'interflow', baseUrl: 'http://127.0.0.1:8787/interflow/v1', channelId: 'chan-1', key: 'a1b2c3d4e5f6' };
const meta: JournalMeta = { destination, message: { '--text': 'Olá {{nome}}' }, source: 'contacts.csv', legacySpec: 'b'.repeat(64) };
const key = (s: string) => KeySet.keyHex(KeySet.keyOf(s, 'body'));
const k2 = key('2');
const k3 = key('3');
const root = fileURLToPath(new URL('../..', import.meta.url));
const journalUrl = new URL('../../src/bulk/journal.ts', import.meta.url).href;
const keysetUrl = new URL('../../src/bulk/keyset.ts', import.meta.url).href;

/** Runs an ES module snippet in a fresh node (with tsx and gc); its last stdout line is JSON. */
function inChild(code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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
  test('a new journal: mode 0600, the first line records the destination and the message flags', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const first = JSON.parse(lines(path)[0]!) as Record<string, unknown>;
    assert.equal(first.journal, 'interflow-bulk');
    assert.equal(first.v, 2);
    assert.deepEqual(first.destination, destination);
    assert.deepEqual(first.message, meta.message);
    assert.equal(first.source, 'contacts.csv');
    assert.ok(!Number.isNaN(Date.parse(String(first.created))));
    assert.deepEqual(j.counts(), { sent: 0, failed: 0, skipped: 0, unknown: 0, inFlight: 0 });
  });

  test('reopened: entry() by message key of sent, failed, unknown, in-flight and unrecorded messages', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([
      { row: 2, key: k2 },
      { row: 3, key: k3 },
      { row: 5, key: key('5') },
      { row: 6, key: key('6') },
    ]);
    j.outcome({ row: 2, to: '5511999999999', status: 'sent', id: 'wamid.ABC', attempts: 1 });
    const refusal = { status: 422, code: 'CHANNEL_DISCONNECTED', message: 'canal "x" desconectado', retryable: false };
    j.outcome({ row: 3, to: '5511888888888', status: 'failed', error: refusal, attempts: 1 });
    // Decided without a request of this run (a duplicate): not a message's outcome, not written.
    j.outcome({ row: 4, status: 'skipped', error: { code: 'DUPLICATE', message: 'row 4: same as row 2' } });
    j.outcome({ row: 5, to: '5511777777777', status: 'unknown', error: { code: 'NO_RESPONSE', message: 'timeout' } });
    // row 6: intent only (killed in flight)
    j.close();
    assert.equal(lines(path).filter((l) => l.includes('"t":"intent"')).length, 4);
    assert.equal(lines(path).filter((l) => l.includes('"t":"done"')).length, 3);

    const k = await openJournal(path, meta);
    assert.deepEqual(k.entry(k2), {
      inFlight: false,
      outcome: { row: 2, to: '5511999999999', status: 'sent', id: 'wamid.ABC', attempts: 0, fromJournal: true },
    });
    assert.deepEqual(k.entry(k3), {
      inFlight: false,
      outcome: { row: 3, to: '5511888888888', status: 'failed', error: refusal, attempts: 0, fromJournal: true },
    });
    assert.equal(k.entry(key('5'))?.outcome?.status, 'unknown');
    assert.deepEqual(k.entry(key('6')), { inFlight: true });
    for (const other of [key('4'), key('7'), '', 'xyz', k2.toUpperCase().replace(/[0-9]/g, 'G')])
      assert.equal(k.entry(other), undefined, other);
    assert.deepEqual(k.counts(), { sent: 1, failed: 1, skipped: 0, unknown: 1, inFlight: 1 });
    k.close();
  });

  test('the last outcome of a key wins, whatever its row; an intent after an outcome makes it in flight again; unsent clears that', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, status: 'failed', error: { code: '429', message: 'slow down', retryable: true } });
    j.intent([{ row: 9, key: k2 }]); // the same message, now on another line
    j.outcome({ row: 9, to: '551199', status: 'sent', id: 'second' });
    j.intent([{ row: 3, key: k3 }]);
    j.outcome({ row: 3, status: 'failed', error: { code: 'NO', message: 'x' } });
    j.intent([{ row: 3, key: k3 }]); // a retry that never reported back
    j.intent([{ row: 4, key: key('4') }]);
    j.unsent(4); // stopped before its turn
    j.intent([{ row: 5, key: key('5') }]);
    j.outcome({ row: 5, status: 'unknown', error: { code: 'NO_RESPONSE', message: 't' } });
    j.intent([{ row: 5, key: key('5') }]); // --retry-unknown, stopped before its turn: unknown again
    j.unsent(5);
    j.close();
    const k = await openJournal(path, meta);
    assert.equal(k.entry(k2)?.outcome?.id, 'second');
    assert.equal(k.entry(k2)?.outcome?.row, 9);
    assert.equal(k.entry(k2)?.inFlight, false);
    assert.deepEqual(k.entry(k3), { inFlight: true });
    assert.equal(k.entry(key('4')), undefined);
    assert.equal(k.entry(key('5'))?.outcome?.status, 'unknown');
    assert.deepEqual(k.counts(), { sent: 1, failed: 0, skipped: 0, unknown: 1, inFlight: 1 });
    k.close();
  });

  test('seen(): a key the journal knows is new to this run once, then a duplicate; an unknown key is left to the caller', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, status: 'sent', id: 'one' });
    j.intent([{ row: 3, key: k3 }]);
    j.unsent(3);
    j.close();
    const k = await openJournal(path, meta);
    assert.equal(k.seen(k2), true);
    assert.equal(k.seen(k2), false);
    assert.equal(k.entry(k2)?.outcome?.id, 'one', 'seen() leaves what was recorded alone');
    assert.equal(k.seen(k3), true);
    assert.equal(k.seen(k3), false);
    assert.equal(k.entry(k3), undefined);
    assert.equal(k.seen(key('9')), undefined);
    assert.equal(k.seen(key('9')), undefined);
    assert.equal(k.seen('not hex'), undefined);
    assert.deepEqual(k.counts(), { sent: 1, failed: 0, skipped: 0, unknown: 0, inFlight: 0 });
    k.close();
  });

  test('entry() and counts() describe earlier runs; this run appends; a third run sees both', async () => {
    const path = fresh();
    const a = await openJournal(path, meta);
    a.intent([{ row: 2, key: k2 }]);
    a.outcome({ row: 2, status: 'sent', id: 'one' });
    a.close();
    const b = await openJournal(path, meta);
    b.intent([{ row: 2, key: k3 }]);
    b.outcome({ row: 2, status: 'sent', id: 'two' });
    assert.equal(b.entry(k3), undefined);
    b.close();
    const c = await openJournal(path, meta);
    assert.equal(c.entry(k2)?.outcome?.id, 'one');
    assert.equal(c.entry(k3)?.outcome?.id, 'two');
    c.close();
  });

  test('outcomes that came from the journal, or without a request of this run, are not written', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, status: 'sent', id: 'x' });
    j.flush();
    const before = readFileSync(path, 'utf8');
    j.outcome({ row: 2, status: 'sent', id: 'x', fromJournal: true, attempts: 0 });
    j.outcome({ row: 2, status: 'sent', id: 'x' }); // its intent was answered already
    j.outcome({ row: 7, status: 'failed', error: { code: 'VALIDATION', message: 'row 7: bad' } });
    j.unsent(8);
    j.intent([]);
    j.flush();
    assert.equal(readFileSync(path, 'utf8'), before);
    j.intent([{ row: 3, key: k3 }]);
    j.close();
    assert.throws(() => j.outcome({ row: 3, status: 'sent' }), /closed/);
    j.close(); // idempotent
  });

  test('line formats', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, to: '55', status: 'failed', error: { status: 400, code: 'X', message: 'm' }, attempts: 3 });
    j.intent([{ row: 3, key: k3 }]);
    j.unsent(3);
    j.close();
    const [, intent, done, , unsent] = lines(path).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(intent!), ['t', 'row', 'key', 'at']);
    assert.deepEqual({ ...intent, at: 0 }, { t: 'intent', row: 2, key: k2, at: 0 });
    assert.deepEqual(
      { ...done, at: 0 },
      { t: 'done', row: 2, key: k2, status: 'failed', to: '55', error: { status: 400, code: 'X', message: 'm' }, at: 0 },
    );
    assert.deepEqual({ ...unsent, at: 0 }, { t: 'unsent', row: 3, key: k3, at: 0 });
  });

  test('another destination is refused naming what changed and how to go on; the journal is left untouched', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, to: '5511999999999', status: 'sent', id: 'wamid.ABC', attempts: 1 });
    j.close();
    const before = readFileSync(path);
    const esc = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await refused(
      path,
      { ...meta, destination: { ...destination, baseUrl: 'https://api.interflow.chat/v1' } },
      new RegExp(
        `^the journal ${esc} was written for baseUrl http://127\\.0\\.0\\.1:8787/interflow/v1, this run sends to https://api\\.interflow\\.chat/v1$`,
      ),
    );
    await refused(
      path,
      { ...meta, destination: { ...destination, channelId: 'chan-2' } },
      /was written for channel chan-1, this run sends to chan-2/,
    );
    await refused(
      path,
      { ...meta, destination: { ...destination, provider: 'turn' } },
      /was written for provider interflow, this run sends to provider turn/,
    );
    await refused(
      path,
      { ...meta, destination: { ...destination, key: 'ffffffffffff' } },
      /was written with another API key \(its hash starts a1b2c3d4e5f6; this run's key: ffffffffffff\)/,
    );
    const { channelId: _, ...noChannel } = destination;
    await refused(path, { ...meta, destination: noChannel }, /was written for channel chan-1, this run sends to no channel/);
    await assert.rejects(openJournal(path, { ...meta, destination: { ...destination, baseUrl: 'https://x' } }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.hint ?? '', /use another --journal for a new destination/);
      return true;
    });
    assert.deepEqual(readFileSync(path), before, 'a refused journal is left untouched');
    // Another input, another profile name, the same destination and flags: resumes.
    (await openJournal(path, { ...meta, source: 'other.csv', legacySpec: 'c'.repeat(64) })).close();
  });

  test('a journal in which nothing reached a server (every request failed to connect) is taken over by a fixed destination, with a note', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.unsent(2); // what the runner records for a connect or TLS failure
    j.close();
    const moved = { ...meta, destination: { ...destination, baseUrl: 'https://api.interflow.chat/v1' } };
    const again = await openJournal(path, moved);
    assert.match(
      again.note ?? '',
      /nothing recorded in the journal .* reached a server, so it now sends to .*baseUrl https:\/\/api\.interflow\.chat\/v1/,
    );
    // Once a message of the new destination is recorded, the new destination is the one checked.
    again.intent([{ row: 3, key: k3 }]);
    again.outcome({ row: 3, to: '5511888888888', status: 'sent', id: 'wamid.X', attempts: 1 });
    again.close();
    assert.match(lines(path).find((l) => l.includes('"t":"meta"')) ?? '', /"baseUrl":"https:\/\/api\.interflow\.chat\/v1"/);
    await refused(
      path,
      meta,
      /was written for baseUrl https:\/\/api\.interflow\.chat\/v1, this run sends to http:\/\/127\.0\.0\.1:8787\/interflow\/v1/,
    );
    // Other message flags are still refused, even when nothing reached a server.
    await refused(path, { ...moved, message: { '--text': 'Oi' } }, /other message flags/);
  });

  test('other message flags are refused naming each changed flag; the hint never says to delete it without the cost', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    await refused(
      path,
      { ...meta, message: { '--text': 'Oi {{nome}}' } },
      /was written for other message flags: --text was 'Olá \{\{nome\}\}', now 'Oi \{\{nome\}\}'$/,
    );
    await refused(path, { ...meta, message: { ...meta.message, '--preview-url': true } }, /--preview-url was not given, now given/);
    await assert.rejects(openJournal(path, { ...meta, message: {} }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.hint ?? '', /run with the message flags the journal was written for/);
      assert.doesNotMatch(err.hint ?? '', /delete/);
      return true;
    });
  });

  test("a journal of interflow 0.1.0 (no keys on done lines, no destination): resumed by its intents' keys, the destination recorded", async () => {
    const path = fresh();
    const at = '2025-01-01T00:00:00.000Z';
    writeFileSync(
      path,
      [
        JSON.stringify({
          journal: 'interflow-bulk',
          v: 1,
          fingerprint: 'f'.repeat(64),
          spec: meta.legacySpec,
          source: 'contacts.csv',
          created: at,
        }),
        `{"t":"intent","row":2,"key":"${k2}","at":"${at}"}`,
        `{"t":"done","row":2,"status":"sent","to":"5511","id":"old2","at":"${at}"}`,
        `{"t":"intent","row":3,"key":"${k3}","at":"${at}"}`,
        // A later run: row 2 now a duplicate, decided without a request: not row 2's message's outcome.
        `{"t":"done","row":2,"status":"skipped","error":{"code":"DUPLICATE","message":"dup"},"at":"${at}"}`,
        `{"t":"intent","row":4,"key":"${key('4')}","at":"${at}"}`,
        `{"t":"done","row":4,"status":"skipped","error":{"code":"INTERRUPTED","message":"stopped","retryable":true},"at":"${at}"}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    await refused(path, { ...meta, legacySpec: 'c'.repeat(64) }, /written by interflow 0\.1\.0 for another command/);
    const j = await openJournal(path, meta);
    assert.match(
      j.note ?? '',
      /written by interflow 0\.1\.0, which did not record the destination; it is taken to be this run's \(provider interflow, baseUrl http:\/\/127\.0\.0\.1:8787\/interflow\/v1, channel chan-1\)/,
    );
    assert.equal(j.entry(k2)?.outcome?.id, 'old2');
    assert.deepEqual(j.entry(k3), { inFlight: true });
    assert.equal(j.entry(key('4'))?.outcome?.error?.retryable, true);
    j.intent([{ row: 5, key: key('5') }]);
    j.outcome({ row: 5, status: 'sent', id: 'new5' });
    j.close();
    // Now it names its destination: another one is refused, the same one resumes without a note.
    await refused(
      path,
      { ...meta, destination: { ...destination, channelId: 'chan-2' } },
      /was written for channel chan-1, this run sends to chan-2/,
    );
    const k = await openJournal(path, meta);
    assert.equal(k.note, undefined);
    assert.equal(k.entry(key('5'))?.outcome?.id, 'new5');
    assert.equal(k.entry(k2)?.outcome?.id, 'old2');
    k.close();
  });

  test('a last line cut short by a crash is ignored, and cut off before new lines are appended', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, status: 'sent', id: 'ok' });
    j.intent([{ row: 3, key: k3 }]);
    j.close();
    appendFileSync(path, `{"t":"done","row":3,"key":"${k3}","status":"sent","to":"5511","id":"wam`); // kill -9 mid-write
    const k = await openJournal(path, meta);
    assert.deepEqual(k.entry(k3), { inFlight: true });
    assert.equal(k.entry(k2)?.outcome?.id, 'ok');
    k.intent([{ row: 3, key: k3 }]);
    k.outcome({ row: 3, status: 'sent', id: 'retried' });
    k.close();
    assert.ok(!readFileSync(path, 'utf8').includes('"id":"wam"'));
    const l = await openJournal(path, meta);
    assert.equal(l.entry(k3)?.outcome?.id, 'retried');
    l.close();
    for (const line of lines(path)) JSON.parse(line); // every line whole
  });

  test("a cut line that happens to end in '}' is still recognized as cut", async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    appendFileSync(path, `{"t":"done","row":4,"key":"${k2}","status":"failed","error":{"code":"X","message":"m"}`);
    const k = await openJournal(path, meta);
    assert.equal(k.entry(k2), undefined);
    k.close();
  });

  test('a whole last line without its newline is kept, and the newline added', async () => {
    const path = fresh();
    (await openJournal(path, meta)).close();
    appendFileSync(path, `{"t":"done","row":4,"key":"${k2}","status":"sent","id":"kept","at":"2025-01-01T00:00:00.000Z"}`);
    const k = await openJournal(path, meta);
    assert.equal(k.entry(k2)?.outcome?.id, 'kept');
    k.intent([{ row: 5, key: k3 }]);
    k.close();
    assert.equal(lines(path).length, 3);
  });

  test('a corrupt line in the middle is refused, naming the journal and the line', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.close();
    appendFileSync(path, `{"t":"done","row":3,"sta{"t":"intent","row":4,"key":"${k3}","at":"x"}\n`);
    appendFileSync(path, `{"t":"done","row":5,"key":"${k3}","status":"sent"}\n`);
    await refused(path, meta, new RegExp(`journal .*j${n}\\.journal is corrupt at line 3`));
    await assert.rejects(openJournal(path, meta), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      // Never "remove it" or "delete it" without what that costs.
      assert.match(
        err.hint ?? '',
        /^fix that line \(removing it forgets what it recorded: that message could be sent again\); another --journal starts over, but it knows nothing of what was sent: every row is sent again \(and so it would be after deleting .*\)$/,
      );
      return true;
    });
    const other = fresh();
    (await openJournal(other, meta)).close();
    appendFileSync(other, `{"t":"done","row":2,"key":"${k2}","status":"delivered"}\nnot json\n`);
    await refused(other, meta, /is corrupt at line 2/);
    const badKey = fresh();
    (await openJournal(badKey, meta)).close();
    appendFileSync(badKey, `{"t":"intent","row":2,"key":"not-a-key","at":"x"}\n`);
    await refused(badKey, meta, /is corrupt at line 2/);
  });

  test('corruption inside a value is caught when that outcome is read back, naming the line', async () => {
    const path = fresh();
    const j = await openJournal(path, meta);
    j.intent([{ row: 2, key: k2 }]);
    j.outcome({ row: 2, status: 'sent', id: 'fine' });
    j.close();
    appendFileSync(path, `{"t":"done","row":3,"key":"${k3}","status":"sent","id":"x\u0001y\x7F,,}\n`);
    const k = await openJournal(path, meta);
    assert.equal(k.entry(k2)?.outcome?.id, 'fine');
    assert.throws(() => k.entry(k3), /corrupt at line 4/);
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
    for (const content of ['', '{"journal":"interfl', '{"journal":"interflow-bulk","v":2,"desti']) {
      const path = fresh();
      writeFileSync(path, content, { mode: 0o644 });
      const j = await openJournal(path, meta);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      j.intent([{ row: 2, key: k2 }]);
      j.outcome({ row: 2, status: 'sent' });
      j.close();
      const k = await openJournal(path, meta);
      assert.equal(k.entry(k2)?.outcome?.status, 'sent', JSON.stringify(content));
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
      const { KeySet } = await import(${JSON.stringify(keysetUrl)});
      const j = await openJournal(${JSON.stringify(path)}, ${JSON.stringify(meta)});
      for (let row = 2; ; row++) {
        // Outcomes go out with the next intent: at row 503, rows 2 to 501 are in the file.
        if (row === 503) process.stdout.write('500 rows written\\n');
        j.intent([{ row, key: KeySet.keyHex(KeySet.keyOf(String(row), 'body')) }]);
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
      const e = j.entry(key(String(row)));
      if (row < last) assert.equal(e?.outcome?.id, `id${row}`, `row ${row}`);
      else assert.ok(e === undefined || e.inFlight || e.outcome?.id === `id${row}`);
    }
    j.intent([{ row: last + 1, key: key('next') }]);
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
      writeSync(
        fd,
        JSON.stringify({
          journal: 'interflow-bulk',
          v: 2,
          destination: meta.destination,
          message: meta.message,
          source: meta.source,
          created: new Date().toISOString(),
        }) + '\n',
      );
      const at = new Date().toISOString();
      let text = '';
      for (let row = 2; row < N + 2; row++) {
        const k = rowKey(row);
        text += `{"t":"intent","row":${row},"key":"${k}","at":"${at}"}\n`;
        if (row % 1000 !== 0) {
          text +=
            row % 10 === 0
              ? `{"t":"done","row":${row},"key":"${k}","status":"failed","to":"5511999999999","error":{"status":422,"code":"CHANNEL_DISCONNECTED","message":"channel disconnected"},"at":"${at}"}\n`
              : `{"t":"done","row":${row},"key":"${k}","status":"sent","to":"5511999999999","id":"wamid.HBgLNTUxMTk5OTk5OTk5FQIAERgSQjY1QkE4RjQ2QjQ4AA==","at":"${at}"}\n`;
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
      const rowKey = ${rowKey.toString()};
      globalThis.gc();
      const rss0 = process.memoryUsage().rss;
      const j = await openJournal(${JSON.stringify(path)}, ${JSON.stringify(meta)});
      const grown = process.memoryUsage().rss - rss0;
      console.log(JSON.stringify({ grown, counts: j.counts(), last: j.entry(rowKey(1_000_001)), failed: j.entry(rowKey(999_990)), inFlight: j.entry(rowKey(1_000_000)) }));
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

/** A distinct message key per row, cheaply (its first word spread, as a sha256's is). */
function rowKey(row: number): string {
  return (Math.imul(row, 2654435761) >>> 0).toString(16).padStart(8, '0') + row.toString(16).padStart(24, '0');
}

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
  const lockOf = (path: string) => JSON.parse(readFileSync(`${path}.lock`, 'utf8')) as { pid: number; token: string; host: string };

  test('a second open while the first is in use is refused naming the process; close removes only its own lock', async () => {
    const path = fresh();
    const first = await openJournal(path, meta);
    const mine = lockOf(path);
    assert.equal(mine.pid, process.pid);
    assert.match(mine.token, /^[0-9a-f]{24}$/);
    assert.equal(statSync(`${path}.lock`).mode & 0o777, 0o600);
    await assert.rejects(
      openJournal(path, meta),
      (e: unknown) =>
        e instanceof UsageError &&
        e.exitCode === ExitCode.usage &&
        new RegExp(`in use by another run \\(process ${process.pid}\\)`).test(e.message),
    );
    // Another live process's lock (our parent's pid) in its place: close leaves it alone.
    const theirs = JSON.stringify({ pid: process.ppid, token: 'f'.repeat(24), host: mine.host }) + '\n';
    writeFileSync(`${path}.lock`, theirs);
    first.close();
    assert.equal(readFileSync(`${path}.lock`, 'utf8'), theirs, 'close removed a lock it does not own');
    await assert.rejects(
      openJournal(path, meta),
      (e: unknown) => e instanceof UsageError && new RegExp(`process ${process.ppid}\\)`).test(e.message),
    );
    rmSync(`${path}.lock`);
    const second = await openJournal(path, meta);
    second.close();
    assert.throws(() => statSync(`${path}.lock`), /ENOENT/, 'close removes its own lock');
  });

  test('a lock left by a killed run (its process is gone) is taken over; 0.1.0 locks (a pid alone) too', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    for (const stale of [JSON.stringify({ pid: deadPid, token: 'a'.repeat(24), host: hostname() }), String(deadPid)]) {
      const path = fresh();
      (await openJournal(path, meta)).close();
      writeFileSync(`${path}.lock`, stale);
      const j = await openJournal(path, meta);
      assert.equal(lockOf(path).pid, process.pid);
      j.close();
    }
  });

  test('a lock that names no live process provably (empty, being written, another host, a live 0.1.0 pid) is not taken over', async () => {
    for (const [content, pattern] of [
      ['', /is locked by .*\.lock, which does not name a running interflow/],
      ['{"pid":12', /does not name a running interflow/],
      [
        JSON.stringify({ pid: 999_999_999, token: 'b'.repeat(24), host: 'another-host' }),
        /in use by another run \(process 999999999 on another-host\)/,
      ],
      [String(process.ppid), new RegExp(`in use by another run \\(process ${process.ppid}\\)`)],
    ] as const) {
      const path = fresh();
      writeFileSync(`${path}.lock`, content);
      await assert.rejects(openJournal(path, meta), (e: unknown) => {
        assert.ok(e instanceof UsageError && e.exitCode === ExitCode.usage, String(e));
        assert.match(e.message, pattern);
        return true;
      });
      assert.equal(readFileSync(`${path}.lock`, 'utf8'), content, 'left as it was');
    }
  });

  test('8 processes opening one journal at once, 20 times (half of them over a stale lock): exactly one holds it each time', async () => {
    const PROCS = 8;
    const TRIALS = 20;
    // Long-lived children, so that each trial starts them at once: "open N" → "held N" | "refused N …"; "close N".
    const script = `
      const { openJournal } = await import(${JSON.stringify(journalUrl)});
      const { createInterface } = await import('node:readline');
      const meta = ${JSON.stringify(meta)};
      const held = new Map();
      for await (const line of createInterface({ input: process.stdin })) {
        const [cmd, n, path] = line.split(' ');
        if (cmd === 'open') {
          try { held.set(n, await openJournal(path, meta)); process.stdout.write('held ' + n + '\\n'); }
          catch (e) { process.stdout.write('refused ' + n + ' ' + (e.exitCode ?? 'x') + ' ' + e.message + '\\n'); }
        } else if (cmd === 'close') { held.get(n)?.close(); held.delete(n); process.stdout.write('closed ' + n + '\\n'); }
      }`;
    const children = Array.from({ length: PROCS }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const replies: string[][] = children.map(() => []);
    const waiters: (() => void)[] = [];
    children.forEach((c, i) => {
      let buf = '';
      c.stdout!.on('data', (b: Buffer) => {
        buf += b.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        replies[i]!.push(...parts);
        for (const w of waiters.splice(0)) w();
      });
    });
    const reply = async (i: number, prefix: RegExp): Promise<string> => {
      for (;;) {
        const at = replies[i]!.findIndex((l) => prefix.test(l));
        if (at >= 0) return replies[i]!.splice(at, 1)[0]!;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    let exactlyOne = 0;
    try {
      for (let trial = 1; trial <= TRIALS; trial++) {
        const path = fresh();
        if (trial % 2 === 0)
          writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead.pid, token: 'c'.repeat(24), host: hostname() }) + '\n');
        for (const c of children) c.stdin!.write(`open ${trial} ${path}\n`);
        const got = await Promise.all(children.map((_, i) => reply(i, new RegExp(`^(held|refused) ${trial}\\b`))));
        const holders = got.filter((l) => l.startsWith('held'));
        const refusals = got.filter((l) => l.startsWith('refused'));
        for (const r of refusals)
          assert.match(r, new RegExp(`^refused ${trial} 2 the journal .* is in use by another run \\(process \\d+\\)`), r);
        assert.equal(holders.length, 1, `trial ${trial}: ${got.join(' | ')}`);
        exactlyOne++;
        const holder = got.findIndex((l) => l.startsWith('held'));
        children[holder]!.stdin!.write(`close ${trial}\n`);
        await reply(holder, new RegExp(`^closed ${trial}\\b`));
        assert.throws(() => statSync(`${path}.lock`), /ENOENT/, 'the holder removed its lock');
      }
    } finally {
      for (const c of children) c.stdin!.end();
      await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    }
    assert.equal(exactlyOne, TRIALS);
  });
});
