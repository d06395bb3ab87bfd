/**
 * `interflow bulk`: a row is known by its message, and a run is known by where it sends. The built
 * binary against the sandbox, as a user would rerun it: an edited, re-sorted, fixed or re-exported
 * CSV; another destination or other flags; `--output` over its own input; eight runs on one
 * journal at once; columns named like Object's properties; the words of the summary and notes.
 * What matters is asserted on the server: each recipient's message arrives exactly once.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, bulkFixture, phone, profileAt, row, rowsOf } from './harness.js';

const fx = bulkFixture({ name: 'bulk-integrity' });
const writeCsv = (rows: string[], path?: string): string => fx.csv(rows, { path });

const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];

/** How many messages each recipient got. */
function perRecipient(sb: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sb.accepted()) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  return counts;
}

/** Every recipient of `expected` got exactly one message, and nobody else got any. */
function eachExactlyOnce(sb: Sandbox, expected: string[]): void {
  const got = perRecipient(sb);
  const twice = [...got].filter(([, n]) => n > 1).map(([to]) => to);
  assert.deepEqual(twice, [], 'recipients who got a message twice');
  const missing = expected.filter((to) => !got.has(to));
  assert.deepEqual(missing, [], 'recipients who got nothing');
  assert.equal(got.size, expected.length, 'recipients who should have got nothing');
  assert.equal(sb.stats().accepted, sb.stats().distinctBodies);
}

describe('resume by message key, not line (case 1)', () => {
  test('5,000 rows sent, then a row inserted after the first 64 KiB: the rerun sends exactly that row, lines reported as they are now', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const data = rowsOf(5000);
      const csv = writeCsv(data);
      const first = await bulk([csv, ...TEXT, '--concurrency', '16']);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(sb.stats().accepted, 5000);
      // Line 4001 (data index 3999) is well past the first 64 KiB (about 2,500 lines).
      assert.ok(Buffer.byteLength(['to,nome,pedido', ...data.slice(0, 3999)].join('\n')) > 65536);
      const inserted = `${phone(9999)},Nova,77`;
      writeCsv([...data.slice(0, 3999), inserted, ...data.slice(3999)], csv);
      const rerun = await bulk([csv, ...TEXT, '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      eachExactlyOnce(sb, [...data.map((_, i) => phone(i)), phone(9999)]);
      const out = rerun.lines;
      assert.equal(out.length, 5001);
      const byRow = new Map(out.map((o) => [o.row, o]));
      assert.deepEqual(byRow.get(4001), { row: 4001, to: phone(9999), status: 'sent', id: byRow.get(4001)!.id });
      assert.match(String(byRow.get(4001)!.id), /^msg_/);
      // The row that was on line 4001 is on line 4002 now: reported there, from the journal.
      assert.equal(byRow.get(4002)!.to, phone(3999));
      assert.equal(byRow.get(4002)!.journal, true);
      assert.equal(byRow.get(4002)!.status, 'sent');
      assert.equal(byRow.get(5002)!.to, phone(4999));
      assert.equal(out.filter((o) => o.journal).length, 5000);
      assert.match(rerun.stderr, /5001 row\(s\) .*5001 sent, 0 failed, 0 skipped, 0 unknown \(5000 from the journal of an earlier run\)/);
    });
  });

  test('a re-sorted re-export with one changed and one new row: only those two are sent', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const data = rowsOf(300);
      const csv = writeCsv(data);
      assert.equal((await bulk([csv, ...TEXT])).code, 0);
      // `psql … > file.csv` without ORDER BY: the same rows in another order, one of them edited.
      const resorted = [...data].reverse();
      resorted[10] = `${phone(289)},João 289,5555`; // was pedido 1289: a changed message to the same recipient
      resorted.push(row(300));
      writeCsv(resorted, csv);
      const rerun = await bulk([csv, ...TEXT, '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      const fresh = rerun.lines.filter((o) => !o.journal);
      assert.deepEqual(fresh.map((o) => `${o.row}:${o.to}:${o.status}`).sort(), [`12:${phone(289)}:sent`, `302:${phone(300)}:sent`]);
      assert.equal(sb.stats().accepted, 302);
      assert.equal(sb.stats().distinctBodies, 302, 'nothing twice');
      const changed = sb
        .accepted()
        .filter((m) => m.to === phone(289))
        .map((m) => (m.body as { content: { text: string } }).content.text);
      assert.deepEqual(changed, ['Olá João 289, pedido 1289 🎉', 'Olá João 289, pedido 5555 🎉']);
      // The first row of the file now was the last one sent: reported on its current line.
      const top = rerun.lines.find((o) => o.row === 2)!;
      assert.equal(top.to, phone(299));
      assert.equal(top.journal, true);
    });
  });

  test('the same message twice in the input is sent once, and stays a duplicate after re-sorting', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = writeCsv([row(1), row(2), row(1), row(3)]);
      const first = await bulk([csv, ...TEXT, '--json']);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(first.lines.map((o) => `${o.row}:${o.status}`).sort(), ['2:sent', '3:sent', '4:skipped', '5:sent']);
      writeCsv([row(3), row(1), row(2), row(1), row(4)], csv);
      const rerun = await bulk([csv, ...TEXT, '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      const byRow = new Map(rerun.lines.map((o) => [o.row, o]));
      assert.equal(byRow.get(3)!.journal, true);
      assert.equal(byRow.get(5)!.status, 'skipped');
      assert.equal(byRow.get(5)!.error!.code, 'DUPLICATE');
      assert.equal(byRow.get(6)!.status, 'sent');
      assert.equal(byRow.get(6)!.journal, undefined);
      eachExactlyOnce(sb, [phone(1), phone(2), phone(3), phone(4)]);
    });
  });

  test('a row left unknown stays unknown wherever it moves; --retry-unknown sends it once', async () => {
    await fx.withSandbox({ faults: { hangFirst: 1 } }, async ({ sb, bulk }) => {
      const csv = writeCsv(rowsOf(5));
      const args = [...TEXT, '--concurrency', '1', '--timeout', '700', '--json'];
      const first = await bulk([csv, ...args]);
      assert.equal(first.code, 3, first.stderr);
      assert.deepEqual(
        first.lines.filter((o) => o.status === 'unknown').map((o) => o.to),
        [phone(0)],
      );
      writeCsv([row(4), row(3), row(2), row(1), row(0)], csv);
      const rerun = await bulk([csv, ...args]);
      assert.equal(rerun.code, 3, rerun.stderr);
      const unknown = rerun.lines.filter((o) => o.status === 'unknown');
      assert.deepEqual(
        unknown.map((o) => `${o.row}:${o.to}`),
        [`6:${phone(0)}`],
      );
      assert.equal(sb.stats().accepted, 5, 'the rerun resent nothing');
      const retry = await bulk([csv, ...args, '--retry-unknown']);
      assert.equal(retry.code, 0, retry.stderr);
      assert.equal(sb.stats().accepted, 6, '--retry-unknown sent it exactly once more');
    });
  });
});

// One request at a time: the first run stops at the bad row with nothing in flight. Draining the
// requests in flight when a run stops is another part of the work (they would be `unknown` here).
describe('a bad row deep in the file: fix it and run again (case 2, the rerun)', () => {
  test('an unclosed quote at line 300 of 500: the fixed file resumes, each recipient exactly once', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const data = rowsOf(499);
      const bad = [...data];
      bad[298] = `${phone(298)},"João 298,${1000 + 298}`; // line 300: a quote never closed
      const csv = writeCsv(bad);
      const first = await bulk([csv, ...TEXT, '--concurrency', '1']);
      assert.notEqual(first.code, 0, first.stderr);
      assert.match(first.stderr, /line 300/);
      const sentFirst = sb.stats().accepted;
      assert.ok(sentFirst > 0 && sentFirst <= 298, `sent ${sentFirst}`);
      writeCsv(data, csv); // fixed
      const rerun = await bulk([csv, ...TEXT]);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stderr, new RegExp(`${sentFirst} from the journal`));
      eachExactlyOnce(
        sb,
        data.map((_, i) => phone(i)),
      );
    });
  });

  test('invalid UTF-8 deep in the file: the hint keeps the journal for the converted file, which resumes it', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const data = rowsOf(4000);
      const csv = `${fx.path('latin1')}.csv`;
      const head = Buffer.from(['to,nome,pedido', ...data.slice(0, 3998)].join('\n') + '\n');
      const latin1 = Buffer.from(`${phone(3998)},Jo\xe3o 3998,${1000 + 3998}\n`, 'latin1');
      writeFileSync(csv, Buffer.concat([head, latin1, Buffer.from(data.slice(3999).join('\n') + '\n')]));
      const first = await bulk([csv, ...TEXT, '--concurrency', '1']);
      assert.notEqual(first.code, 0, first.stderr);
      assert.match(first.stderr, /line 4000 is not UTF-8 text/);
      const hint = new RegExp(`--journal ${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.journal`);
      assert.match(first.stderr, hint, 'the hint says how to keep the journal');
      // As the hint says: the converted copy, run with the same journal.
      const converted = `${fx.path('utf8')}.csv`;
      writeCsv(data, converted);
      const rerun = await bulk([converted, ...TEXT, '--journal', `${csv}.journal`]);
      assert.equal(rerun.code, 0, rerun.stderr);
      eachExactlyOnce(
        sb,
        data.map((_, i) => phone(i)),
      );
    });
  });
});

describe('the destination and the message flags (case 3)', () => {
  test('the same profile name pointed at another server or channel: refused naming what changed, nothing sent', async () => {
    await fx.withSandbox({}, async ({ sb: sandboxA, bulk }) => {
      await fx.withSandbox({}, async ({ sb: production, config: productionConfig }) => {
        const csv = writeCsv(rowsOf(5));
        assert.equal((await bulk([csv, ...TEXT])).code, 0);
        const moved = await bulk([csv, ...TEXT], { config: productionConfig });
        assert.equal(moved.code, 2, moved.stderr);
        const journal = `${csv}.journal`;
        assert.match(
          moved.stderr,
          new RegExp(
            `the journal ${journal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was written for baseUrl ${sandboxA.url}/interflow/v1, this run sends to ${production.url}/interflow/v1`,
          ),
        );
        assert.match(moved.stderr, /use another --journal for a new destination/);
        assert.doesNotMatch(moved.stderr, /delete/);
        const otherChannel = profileAt.interflow(sandboxA.url, { channelId: '00000000-0000-4000-8000-000000000000' });
        const channel = await bulk([csv, ...TEXT], { config: fx.rc(sandboxA.url, { local: otherChannel }) });
        assert.equal(channel.code, 2, channel.stderr);
        assert.match(
          channel.stderr,
          new RegExp(`was written for channel ${CHANNEL}, this run sends to 00000000-0000-4000-8000-000000000000`),
        );
        const key = await bulk([csv, ...TEXT], { env: { TEST_KEY: 'if_live_OTHER_key_123456' } });
        assert.equal(key.code, 2, key.stderr);
        assert.match(key.stderr, /was written with another API key \(its hash starts [0-9a-f]{12}; this run's key: [0-9a-f]{12}\)/);
        assert.ok(!key.stderr.includes('if_live_OTHER_key_123456') && !key.stderr.includes(CANARY));
        assert.equal(production.stats().requests, 0, 'nothing went to the other server');
        assert.equal(sandboxA.stats().accepted, 5);
        // Another profile name, the same destination: it resumes (nothing to send).
        const renamed = await bulk([csv, ...TEXT], { config: fx.rc(sandboxA.url, { renamed: profileAt.interflow(sandboxA.url) }) });
        assert.equal(renamed.code, 0, renamed.stderr);
        assert.equal(sandboxA.stats().accepted, 5);
        // A new destination, as the hint says: another journal.
        const elsewhere = await bulk([csv, ...TEXT, '--journal', `${csv}.production.journal`], { config: productionConfig });
        assert.equal(elsewhere.code, 0, elsewhere.stderr);
        eachExactlyOnce(
          production,
          rowsOf(5).map((_, i) => phone(i)),
        );
      });
    });
  });

  test('other message flags are refused naming the flag and both values', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = writeCsv(rowsOf(3));
      assert.equal((await bulk([csv, ...TEXT])).code, 0);
      const r = await bulk([csv, '--text', 'Oi {{nome}}']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /was written for other message flags: --text was 'Olá \{\{nome\}\}, pedido \{\{pedido\}\} 🎉', now 'Oi \{\{nome\}\}'/,
      );
      assert.match(r.stderr, /a new message needs another --journal/);
      assert.equal(sb.stats().accepted, 3);
      // Run flags are not the message: they may change.
      const again = await bulk([csv, ...TEXT, '--concurrency', '2', '--rate', '600/min']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sb.stats().accepted, 3);
    });
  });

  test('a journal of interflow 0.1.0 resumes by its intents, with a note; from then on it names its destination', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = writeCsv(rowsOf(3));
      assert.equal((await bulk([csv, ...TEXT])).code, 0);
      // Rewritten as 0.1.0 wrote it: the old header, done lines without keys.
      const journal = `${csv}.journal`;
      const [, ...rest] = readFileSync(journal, 'utf8').trim().split('\n');
      const { createHash } = await import('node:crypto');
      const spec = createHash('sha256')
        .update(
          JSON.stringify({ provider: 'interflow', profile: 'local', kind: 'text', flags: { text: TEXT[1] }, toColumn: 'to', files: [] }),
        )
        .digest('hex');
      const old = [
        JSON.stringify({
          journal: 'interflow-bulk',
          v: 1,
          fingerprint: '0'.repeat(64),
          spec,
          source: csv,
          created: '2025-01-01T00:00:00.000Z',
        }),
      ];
      for (const l of rest) {
        const o = JSON.parse(l) as Record<string, unknown>;
        if (o.t === 'done') delete o.key;
        old.push(JSON.stringify(o));
      }
      writeFileSync(journal, old.join('\n') + '\n');
      writeCsv([row(2), row(1), row(0), row(3)], csv);
      const r = await bulk([csv, ...TEXT]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /note: the journal .* was written by interflow 0\.1\.0, which did not record the destination; it is taken to be this run's \(provider interflow, baseUrl http:\/\/127\.0\.0\.1:\d+\/interflow\/v1, channel /,
      );
      eachExactlyOnce(sb, [0, 1, 2, 3].map(phone));
      const moved = await bulk([csv, ...TEXT], { config: fx.rc('http://127.0.0.1:9') });
      assert.equal(moved.code, 2, moved.stderr);
      assert.match(moved.stderr, /was written for baseUrl/);
    });
  });
});

describe('--output over the input or the journal (case 4, part)', () => {
  test('refused (exit 2) before anything is written, however the path is spelled', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const sub = fx.path('out');
      mkdirSync(sub);
      const csv = writeCsv(rowsOf(20), join(sub, 'contatos.csv'));
      const content = readFileSync(csv);
      const link = join(sub, 'link.csv');
      symlinkSync(csv, link);
      for (const [output, cwd] of [
        [csv, undefined],
        ['./contatos.csv', sub],
        [`../${basename(sub)}/contatos.csv`, sub],
        [link, undefined],
      ] as const) {
        const r = await bulk([csv, ...TEXT, '--output', output], { cwd });
        assert.equal(r.code, 2, `${output}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`--output ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is the input CSV`));
        assert.deepEqual(readFileSync(csv), content, 'the input is intact');
        assert.ok(!existsSync(`${csv}.journal`), 'no journal was created');
      }
      assert.equal(sb.stats().requests, 0);
      assert.equal((await bulk([csv, ...TEXT])).code, 0);
      const journal = readFileSync(`${csv}.journal`);
      for (const [output, cwd] of [
        [`${csv}.journal`, undefined],
        ['./contatos.csv.journal', sub],
      ] as const) {
        const r = await bulk([csv, ...TEXT, '--output', output], { cwd });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /is the journal/);
        assert.deepEqual(readFileSync(`${csv}.journal`), journal, 'the journal is intact');
      }
      // A journal that does not exist yet, named by both flags.
      const fresh = join(sub, 'new.journal');
      const r = await bulk([csv, ...TEXT, '--journal', fresh, '--output', join(dirname(fresh), '.', 'new.journal')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /is the journal/);
      assert.ok(!existsSync(fresh));
      assert.equal(sb.stats().accepted, 20);
    });
  });
});

describe('the journal lock (case 7)', () => {
  test('8 runs started at once on one journal, 3 times (the last two over the lock of a killed run): exactly one proceeds', async () => {
    // Each run's only request hangs, so that the run holding the journal holds it until killed.
    await fx.withSandbox({ faults: { hangFirst: 1000 } }, async ({ sb, start }) => {
      const csv = writeCsv(rowsOf(1));
      const journal = `${csv}.journal`;
      let trialsWithOneHolder = 0;
      for (let trial = 1; trial <= 3; trial++) {
        writeCsv([row(trial)], csv); // a message the journal does not know yet
        const runs = Array.from({ length: 8 }, () => start([csv, ...TEXT, '--timeout', '600000']));
        const acceptedBefore = sb.stats().accepted;
        // Seven exit; the eighth holds the journal while its request hangs.
        const settled = await new Promise<number[]>((resolve) => {
          const done: number[] = [];
          runs.forEach(
            (r, i) =>
              void r.done.then(() => {
                done.push(i);
                if (done.length === 7) resolve(done);
              }),
          );
        });
        for (const i of settled) {
          const { code, stderr } = await runs[i]!.done;
          assert.equal(code, 2, stderr);
          assert.match(stderr, /the journal .* is in use by another run \(process \d+\); wait for it to finish, or use another --journal/);
          assert.equal(
            stderr
              .trim()
              .split('\n')
              .filter((l) => !/^\s*hint:/.test(l)).length,
            1,
            `one line: ${stderr}`,
          );
        }
        const holder = runs.find((_, i) => !settled.includes(i))!;
        await new Promise<void>((resolve) => {
          const check = (): void => (sb.stats().accepted > acceptedBefore ? resolve() : void setTimeout(check, 10));
          check();
        });
        assert.equal(sb.stats().accepted, acceptedBefore + 1, 'only the holder sent');
        holder.child.kill('SIGKILL');
        await holder.done;
        trialsWithOneHolder++;
        assert.ok(existsSync(`${journal}.lock`), 'a killed run leaves its lock');
      }
      assert.equal(trialsWithOneHolder, 3);
    });
  });
});

describe('columns named like Object properties (case 11, part)', () => {
  test("{{constructor}}, {{toString}}, {{__proto__}} and --to-column toString read the row's own cells only", async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = `${fx.path('proto')}.csv`;
      writeFileSync(csv, 'toString,constructor,__proto__\n11999990001,Ana,x1\n11999990002,Bia\n11999990003\n11999990004,Caio,x4\n');
      const r = await bulk([csv, '--to-column', 'toString', '--text', '{{constructor}} {{__proto__}}', '--json']);
      assert.equal(r.code, 3, r.stderr);
      const byRow = new Map(r.lines.map((o) => [o.row, o]));
      assert.equal(byRow.get(2)!.status, 'sent');
      assert.equal(byRow.get(3)!.status, 'failed');
      assert.equal(byRow.get(3)!.error!.code, 'MISSING_COLUMN');
      assert.match(byRow.get(3)!.error!.message, /row 3: column '__proto__' is missing/);
      assert.match(byRow.get(4)!.error!.message, /row 4: column 'constructor' is missing/);
      assert.equal(byRow.get(5)!.status, 'sent');
      const texts = sb.accepted().map((m) => (m.body as { content: { text: string } }).content.text);
      assert.deepEqual(texts.sort(), ['Ana x1', 'Caio x4']);
      assert.ok(!texts.some((t) => t.includes('native code')));

      const short = `${fx.path('short')}.csv`;
      writeFileSync(short, 'nome,toString\nAna,11999990005\nBia\n');
      const s = await bulk([short, '--to-column', 'toString', '--text', 'Oi {{nome}} {{toString}}', '--json']);
      assert.equal(s.code, 3, s.stderr);
      const missing = s.lines.find((o) => o.row === 3)!;
      assert.equal(missing.status, 'failed');
      assert.match(missing.error!.message, /row 3: column 'toString' is missing/);

      const none = await bulk([short, '--to-column', 'constructor', '--text', 'Oi']);
      assert.equal(none.code, 2, none.stderr);
      assert.match(none.stderr, /--to-column 'constructor' is not a column of the CSV: it has nome, toString/);
      const placeholder = await bulk([short, '--to-column', 'toString', '--text', '{{hasOwnProperty}}']);
      assert.equal(placeholder.code, 2, placeholder.stderr);
      assert.match(placeholder.stderr, /\{\{hasOwnProperty\}\} names no column of the CSV/);
      assert.equal(sb.stats().accepted, 3);
    });
  });
});

describe('words (case 12)', () => {
  test('bulk from stdin without --journal says that a rerun resends everything; with --journal it resumes', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const input = ['to,nome,pedido', ...rowsOf(3)].join('\n') + '\n';
      const r = await bulk(['-', ...TEXT], { input });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /note: no --journal for stdin: nothing records what is sent, so running this again sends every row again; give --journal FILE/,
      );
      const journal = `${fx.path('stdin')}.journal`;
      const j1 = await bulk(['-', ...TEXT, '--journal', journal], { input });
      assert.doesNotMatch(j1.stderr, /no --journal/);
      const j2 = await bulk(['-', ...TEXT, '--journal', journal], { input });
      assert.equal(j2.code, 0, j2.stderr);
      assert.equal(sb.stats().accepted, 6, 'the journaled rerun sent nothing');
    });
  });

  test('rows stopped before their turn are "not sent", never "skipped"; the rerun sends them once', async () => {
    await fx.withSandbox({}, async ({ sb, bulk, start }) => {
      const csv = writeCsv(rowsOf(20));
      const r = await start([csv, ...TEXT, '--concurrency', '4', '--rate', '60/min', '--json']).stopAfter(1, 'SIGINT');
      assert.equal(r.code, 130, r.stderr);
      assert.ok(
        r.lines.every((o) => o.status === 'sent'),
        r.stdout,
      );
      assert.match(r.stderr, /0 skipped/);
      assert.match(r.stderr, /, [1-9]\d* not sent \(stopped before their turn\)/);
      const resume = await bulk([csv, ...TEXT, '--rate', '60000/min']);
      assert.equal(resume.code, 0, resume.stderr);
      assert.match(resume.stderr, /0 skipped/);
      eachExactlyOnce(
        sb,
        rowsOf(20).map((_, i) => phone(i)),
      );
    });
  });
});
