/**
 * What bench/chaos.js found, each as a deterministic case: the built binary against the sandbox,
 * stopped at a point chosen by an event (a result line on stdout, a request the sandbox received),
 * never by a timer; then rerun, and the rows' ends checked against what the sandbox accepted.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, bin, cleanEnv, jsonLines, runCli, type RunResult } from './harness.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'interflow-bulk-chaos-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const phone = (i: number): string => String(5511910000000 + i);
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];
const env = (): NodeJS.ProcessEnv => cleanEnv(dir, { TEST_KEY: CANARY });

function csvOf(lines: string[]): string {
  const path = join(dir, `rows-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, ['to,nome,pedido', ...lines].join('\n') + '\n');
  return path;
}

function configFor(sb: Sandbox): string {
  const path = join(dir, `rc-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      profiles: {
        a: { provider: 'interflow', baseUrl: `${sb.url}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL },
        turn: { provider: 'turn', baseUrl: `${sb.url}/turn`, apiKey: '${TEST_KEY}', namespace: 'template-namespace' },
      },
    }),
    { mode: 0o600 },
  );
  return path;
}

async function withSandbox(opts: SandboxOptions, fn: (sb: Sandbox, config: string) => Promise<void>): Promise<void> {
  const sb = await startSandbox({ port: 0, apiKeys: [CANARY], rateLimit: 1_000_000, ...opts });
  try {
    await fn(sb, configFor(sb));
  } finally {
    await sb.close();
  }
}

/** A bulk run in the background: `line(n)` resolves once n lines are on its stdout. */
function start(args: string[]): { child: ChildProcess; line: (n: number) => Promise<void>; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [bin, 'bulk', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiting: { n: number; resolve: () => void }[] = [];
  const count = (): number => out.split('\n').length - 1;
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiting.filter((w) => count() >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err })),
  );
  const line = (n: number): Promise<void> => (count() >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve })));
  return { child, line, done };
}

const bulk = (args: string[]): Promise<RunResult> => runCli(['bulk', ...args], { env: env() });

describe('bulk killed while rows wait for their turn (found by bench/chaos.js)', () => {
  test('kill -9 while a row waits for the pace (--rate): the rerun sends it — it never went out, so it is not unknown', async () => {
    await withSandbox({}, async (sb, config) => {
      const csv = csvOf([`${phone(1)},João,1`, `${phone(2)},Maria,2`]);
      // One request a minute: row 2 waits about a minute for its slot after row 1 went.
      const run = start([csv, ...TEXT, '--profile', 'a', '--config', config, '--rate', '1/min', '--json']);
      await run.line(1);
      assert.equal(sb.accepted().length, 1, 'row 1 went, row 2 is waiting for the pace');
      run.child.kill('SIGKILL');
      await run.done;
      const journal = readFileSync(`${csv}.journal`, 'utf8');
      const rerun = await bulk([csv, ...TEXT, '--profile', 'a', '--config', config, '--json']);
      assert.equal(rerun.code, 0, `${rerun.stderr}\njournal:\n${journal}`);
      const out = jsonLines(rerun.stdout);
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
    await withSandbox({}, async (sb, config) => {
      // Two messages to one recipient: the second waits a minute after the first ended.
      const csv = csvOf([`${phone(1)},João,1`, `${phone(1)},João,2`]);
      const run = start([csv, ...TEXT, '--profile', 'turn', '--config', config, '--pair-interval', '60s', '--json']);
      await run.line(1);
      assert.equal(sb.accepted().length, 1, 'the first message went, the second waits for the pair rate');
      run.child.kill('SIGKILL');
      await run.done;
      const rerun = await bulk([csv, ...TEXT, '--profile', 'turn', '--config', config, '--pair-interval', '0', '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(
        jsonLines(rerun.stdout).map((o) => [o.row, o.status]),
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
    await withSandbox({}, async (sb, config) => {
      const csv = csvOf(Array.from({ length: 6 }, (_, i) => `${phone(i)},João ${i},${i}`));
      const args = (...more: string[]): string[] => [csv, ...TEXT, '--profile', 'a', '--config', config, '--json', ...more];
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
    await withSandbox({}, async (sb, config) => {
      const csv = csvOf(Array.from({ length: 12 }, (_, i) => `${phone(i)},João ${i},${i}`));
      const args = (...more: string[]): string[] => [csv, ...TEXT, '--profile', 'a', '--config', config, '--json', ...more];
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
    await withSandbox({}, async (sb, config) => {
      const csv = csvOf([`${phone(1)},João,1`, `${phone(2)},Maria,2`]);
      const failing = csvOf([`${phone(3)},Ana,3`, '5511900000422,Recusado,4']);
      for (const [file, code] of [
        [csv, 0],
        [failing, 3],
      ] as const) {
        // --rate: no note about the pace before the run; the summary is the first thing it writes.
        const run = start([file, ...TEXT, '--profile', 'a', '--config', config, '--rate', '100/s', '--json']);
        run.child.stderr!.destroy();
        const r = await run.done;
        assert.equal(r.code, code, `exit ${r.code}; stdout: ${r.stdout}`);
        assert.deepEqual(
          jsonLines(r.stdout).map((o) => o.status),
          code === 0 ? ['sent', 'sent'] : ['sent', 'failed'],
        );
        const journal = readFileSync(`${file}.journal`, 'utf8');
        assert.equal(journal.match(/"t":"done"/g)?.length, 2, journal);
      }
      assert.equal(sb.accepted().length, 3);
    });
  });
});
