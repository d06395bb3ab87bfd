/**
 * Scale, end to end (PRODUCT.md, Scale): `bulk --shard I/N` split by recipient, `--profile a,b`
 * pools of senders, and the pair rate on Meta-shaped providers. The built binary against the
 * sandbox; what matters is asserted on what the sandbox received.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, cleanEnv, runCli, type RunResult } from './harness.js';

const OTHER_KEY = 'if_live_OTHER_KEY_1a2b3c4d5e6f';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'interflow-bulk-scale-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const phone = (i: number): string => String(5511910000000 + i);
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];

function csvOf(lines: string[]): string {
  const path = join(dir, `rows-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, ['to,nome,pedido', ...lines].join('\n') + '\n');
  return path;
}
const rowsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `${phone(i)},João ${i},${1000 + i}`);

/** Profiles against one sandbox: two Interflow senders (two keys), two Turn numbers, SocialMiner, Interacto. */
function configFor(sb: Sandbox): string {
  const path = join(dir, `rc-${Math.random().toString(36).slice(2)}.json`);
  const base = (p: string): string => `${sb.url}/${p}`;
  writeFileSync(
    path,
    JSON.stringify({
      profiles: {
        a: { provider: 'interflow', baseUrl: base('interflow/v1'), apiKey: '${TEST_KEY}', channelId: CHANNEL },
        b: { provider: 'interflow', baseUrl: base('interflow/v1'), apiKey: '${OTHER_KEY}', channelId: CHANNEL },
        turn: { provider: 'turn', baseUrl: base('turn'), apiKey: '${TEST_KEY}', namespace: 'template-namespace' },
        sm: { provider: 'socialminer', baseUrl: base('socialminer'), apiKey: '${TEST_KEY}' },
        im: { provider: 'interacto', baseUrl: base('interacto'), apiKey: '${TEST_KEY}', instanceId: '66a09db606fd14660c8fc1d0' },
      },
    }),
    { mode: 0o600 },
  );
  return path;
}

async function bulk(args: string[]): Promise<RunResult> {
  const r = await runCli(['bulk', ...args], { env: cleanEnv(dir, { TEST_KEY: CANARY, OTHER_KEY }) });
  for (const secret of [CANARY, OTHER_KEY]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a key leaked');
  return r;
}

const lines = (r: RunResult): Record<string, unknown>[] =>
  r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function withSandbox(opts: SandboxOptions, fn: (sb: Sandbox, config: string) => Promise<void>): Promise<void> {
  const sb = await startSandbox({ port: 0, apiKeys: [CANARY, OTHER_KEY], rateLimit: 1_000_000, ...opts });
  try {
    await fn(sb, configFor(sb));
  } finally {
    await sb.close();
  }
}

/** The recipients of the sends the sandbox accepted, in order. */
const acceptedTo = (sb: Sandbox): string[] => sb.accepted().map((m) => m.to);

describe('bulk --shard I/N', () => {
  test('three shards run at the same time on one file send every row exactly once; reruns and a re-sorted file send nothing more', async () => {
    await withSandbox({}, async (sb, config) => {
      const n = 60;
      const csv = csvOf(rowsOf(n));
      const shards = await Promise.all([1, 2, 3].map((i) => bulk([csv, ...TEXT, '--profile', 'a', '--config', config, '--shard', `${i}/3`, '--json'])));
      const seen = new Map<number, number>();
      let others = 0;
      shards.forEach((r, k) => {
        assert.equal(r.code, 0, r.stderr);
        const out = lines(r);
        // Each shard gets a share (the hash spreads 60 recipients; none is empty).
        assert.ok(out.length > 0 && out.length < n, `shard ${k + 1} took ${out.length} rows`);
        for (const o of out) {
          assert.equal(o.status, 'sent');
          seen.set(o.row as number, (seen.get(o.row as number) ?? 0) + 1);
        }
        const m = /shard (\d)\/3: (\d+) row\(s\) belong to the other shards/.exec(r.stderr);
        assert.ok(m, r.stderr);
        assert.equal(Number(m[1]), k + 1);
        assert.equal(Number(m[2]) + out.length, n, 'rows of this shard + rows of the others = the file');
        others += Number(m[2]);
        assert.ok(existsSync(`${csv}.shard-${k + 1}-of-3.journal`), 'the default journal names the shard');
        assert.match(r.stderr, new RegExp(`journal: .*\\.shard-${k + 1}-of-3\\.journal`));
      });
      assert.equal(others, 2 * n);
      // Every row reported by exactly one shard, and the sandbox got each recipient exactly once.
      assert.deepEqual([...seen.keys()].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 2));
      assert.ok([...seen.values()].every((c) => c === 1));
      const to = acceptedTo(sb);
      assert.equal(to.length, n);
      assert.deepEqual(new Set(to), new Set(Array.from({ length: n }, (_, i) => phone(i))));

      // The split is by recipient, not by line: a re-sorted file (other line numbers) resumes
      // from each shard's journal and sends nothing again.
      const resorted = csvOf(rowsOf(n).reverse());
      const again = await Promise.all(
        [1, 2, 3].map((i) => bulk([resorted, ...TEXT, '--profile', 'a', '--config', config, '--shard', `${i}/3`, '--journal', `${csv}.shard-${i}-of-3.journal`, '--json'])),
      );
      for (const r of again) {
        assert.equal(r.code, 0, r.stderr);
        assert.ok(lines(r).every((o) => o.journal === true && o.status === 'sent'), r.stdout);
      }
      assert.equal(again.reduce((sum, r) => sum + lines(r).length, 0), n);
      assert.equal(sb.stats().requests, n, 'nothing sent twice');
    });
  });

  test('a recipient that is no number is reported by one shard only; the same number written two ways stays in one shard', async () => {
    await withSandbox({}, async (sb, config) => {
      const csv = csvOf(['not-a-number,Ana,1', `+55 (11) 91000-0001,Bia,2`, `${phone(1)},Bia,2`, `${phone(2)},Caio,3`]);
      const runs = await Promise.all([1, 2].map((i) => bulk([csv, ...TEXT, '--profile', 'a', '--config', config, '--shard', `${i}/2`, '--json'])));
      const all = runs.flatMap(lines);
      assert.equal(all.filter((o) => o.row === 2).length, 1, 'the bad row is reported once');
      assert.equal(all.find((o) => o.row === 2)!.status, 'failed');
      // +55 (11) 91000-0001 and 5511910000001 are one recipient: one shard, one send, one duplicate.
      const rows34 = runs.map((r) => lines(r).filter((o) => o.row === 3 || o.row === 4).length);
      assert.ok(rows34.includes(2) && rows34.includes(0), JSON.stringify(rows34));
      assert.equal(all.find((o) => o.row === 4)!.status, 'skipped');
      assert.equal(acceptedTo(sb).length, 2);
    });
  });

  for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2']) {
    test(`--shard ${bad} is refused in one line before anything is sent (exit 2)`, async () => {
      await withSandbox({}, async (sb, config) => {
        const r = await bulk([csvOf(rowsOf(3)), ...TEXT, '--profile', 'a', '--config', config, '--shard', bad]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`--shard takes I/N with 1 ≤ I ≤ N .*got '${bad.replace('/', '\\/')}'`));
        assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
        assert.equal(sb.stats().requests, 0);
      });
    });
  }
});
