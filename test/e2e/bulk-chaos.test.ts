/**
 * What bench/chaos.js found, each as a deterministic case: the built binary against the sandbox,
 * stopped at a point chosen by an event (a result line on stdout, a request the sandbox received),
 * never by a timer; then rerun, and the rows' ends checked against what the sandbox accepted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { bulkFixture, phone, profileAt } from './harness.js';

const fx = bulkFixture({ name: 'bulk-chaos', profiles: (url) => ({ a: profileAt.interflow(url), turn: profileAt.turn(url) }) });
const csvOf = (lines: string[]): string => fx.csv(lines);
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];

describe('bulk killed while rows wait for their turn (found by bench/chaos.js)', () => {
  test('kill -9 while a row waits for the pace (--rate): the rerun sends it — it never went out, so it is not unknown', async () => {
    await fx.withSandbox({}, async ({ sb, bulk, start }) => {
      const csv = csvOf([`${phone(1)},João,1`, `${phone(2)},Maria,2`]);
      // One request a minute: row 2 waits about a minute for its slot after row 1 went.
      const run = start([csv, ...TEXT, '--profile', 'a', '--rate', '1/min', '--json']);
      await run.printed(1);
      assert.equal(sb.accepted().length, 1, 'row 1 went, row 2 is waiting for the pace');
      run.child.kill('SIGKILL');
      await run.done;
      const journal = readFileSync(`${csv}.journal`, 'utf8');
      const rerun = await bulk([csv, ...TEXT, '--profile', 'a', '--json']);
      assert.equal(rerun.code, 0, `${rerun.stderr}\njournal:\n${journal}`);
      const out = rerun.lines;
      assert.deepEqual(
        out.map((o) => [o.row, o.status]),
        [
          [2, 'sent'],
          [3, 'sent'],
        ],
      );
      assert.deepEqual(
        sb.accepted().map((m) => m.to),
        [phone(1), phone(2)],
        'each row accepted once',
      );
    });
  });

  test("kill -9 while a row waits out its recipient's pair rate (turn, --pair-interval): the rerun sends it, not unknown", async () => {
    await fx.withSandbox({}, async ({ sb, bulk, start }) => {
      // Two messages to one recipient: the second waits a minute after the first ended.
      const csv = csvOf([`${phone(1)},João,1`, `${phone(1)},João,2`]);
      const run = start([csv, ...TEXT, '--profile', 'turn', '--pair-interval', '60s', '--json']);
      await run.printed(1);
      assert.equal(sb.accepted().length, 1, 'the first message went, the second waits for the pair rate');
      run.child.kill('SIGKILL');
      await run.done;
      const rerun = await bulk([csv, ...TEXT, '--profile', 'turn', '--pair-interval', '0', '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(
        rerun.lines.map((o) => [o.row, o.status]),
        [
          [2, 'sent'],
          [3, 'sent'],
        ],
      );
      assert.equal(sb.accepted().length, 2, 'each message accepted once');
    });
  });
});

describe('bulk rerun split another way (found by bench/chaos.js)', () => {
  test('a run of a file split into other shards than the journals beside it is refused (exit 2), sending nothing: each split has its own journal', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(Array.from({ length: 6 }, (_, i) => `${phone(i)},João ${i},${i}`));
      const args = (...more: string[]): string[] => [csv, ...TEXT, '--profile', 'a', '--json', ...more];
      const first = await bulk(args());
      assert.equal(first.code, 0, first.stderr);
      assert.equal(sb.accepted().length, 6);

      // --shard 1/1 is the whole file, but its journal is another file: it would send all six again.
      for (const shard of ['1/1', '1/2', '2/3']) {
        const r = await bulk(args('--shard', shard));
        assert.equal(r.code, 2, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `error: .*\\.csv\\.journal records a run of this file split another way \\(no --shard\\); this run \\(--shard ${shard}\\) has its own journal, .*\\.shard-${shard.replace('/', '-of-')}\\.journal, and would send those rows again`,
          ),
        );
        assert.match(
          r.stderr,
          /hint: finish the run split as it was \(no --shard\); to start over on purpose, move those journals away: their rows are sent again/,
        );
        assert.equal(JSON.parse(r.stdout).error.code, 'JOURNAL_OTHER_SPLIT');
      }
      assert.equal(sb.accepted().length, 6, 'nothing sent again');
      // The same command resumes as before.
      const again = await bulk(args());
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sb.accepted().length, 6);
    });
  });

  test('shards of one split run side by side; a different shard count is refused naming the split that ran', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(Array.from({ length: 12 }, (_, i) => `${phone(i)},João ${i},${i}`));
      const args = (...more: string[]): string[] => [csv, ...TEXT, '--profile', 'a', '--json', ...more];
      const two = await Promise.all([bulk(args('--shard', '1/2')), bulk(args('--shard', '2/2'))]);
      for (const r of two) assert.equal(r.code, 0, r.stderr);
      assert.equal(sb.accepted().length, 12);
      for (const more of [['--shard', '1/3'], []]) {
        const r = await bulk(args(...more));
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /shard-1-of-2\.journal \(and 1 more\) records a run of this file split another way \(--shard I\/2\)/);
      }
      assert.equal(sb.accepted().length, 12, 'nothing sent again');
      // An explicit journal named like another split's is checked the same way (the Kubernetes recipe names them).
      const named = await bulk(args('--shard', '1/4', '--journal', `${csv}.shard-1-of-4.journal`));
      assert.equal(named.code, 2, named.stderr);
    });
  });
});

describe('bulk with its stderr closed (found by bench/chaos.js)', () => {
  test("stderr closed before the run writes to it: every row sent and recorded, and the exit is the run's (0, 3), not 1", async () => {
    await fx.withSandbox({}, async ({ sb, start }) => {
      const csv = csvOf([`${phone(1)},João,1`, `${phone(2)},Maria,2`]);
      const failing = csvOf([`${phone(3)},Ana,3`, '5511900000422,Recusado,4']);
      for (const [file, code] of [
        [csv, 0],
        [failing, 3],
      ] as const) {
        // --rate: no note about the pace before the run; the summary is the first thing it writes.
        const run = start([file, ...TEXT, '--profile', 'a', '--rate', '100/s', '--json']);
        run.child.stderr!.destroy();
        const r = await run.done;
        assert.equal(r.code, code, `exit ${r.code}; stdout: ${r.stdout}`);
        assert.deepEqual(
          r.lines.map((o) => o.status),
          code === 0 ? ['sent', 'sent'] : ['sent', 'failed'],
        );
        const journal = readFileSync(`${file}.journal`, 'utf8');
        assert.equal(journal.match(/"t":"done"/g)?.length, 2, journal);
      }
      assert.equal(sb.accepted().length, 3);
    });
  });
});
