/**
 * Scale, end to end (PRODUCT.md, Scale): `bulk --shard I/N` split by recipient, `--profile a,b`
 * pools of senders, and the pair rate on Meta-shaped providers. The built binary against the
 * sandbox; what matters is asserted on what the sandbox received.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/server.js';
import { CANARY, bulkFixture, jsonLines, phone, profileAt, rowsOf, runCli } from './harness.js';

const OTHER_KEY = 'if_live_OTHER_KEY_1a2b3c4d5e6f';

/** Profiles against one sandbox: two Interflow senders (two keys), two Turn numbers, SocialMiner, Interacto. */
const fx = bulkFixture({
  name: 'bulk-scale',
  keys: { OTHER_KEY },
  profiles: (url) => ({
    a: profileAt.interflow(url),
    b: profileAt.interflow(url, { apiKey: '${OTHER_KEY}' }),
    turn: profileAt.turn(url),
    sm: profileAt.socialminer(url),
    im: profileAt.interacto(url),
  }),
});
const csvOf = (lines: string[]): string => fx.csv(lines);
const TEXT = ['--text', 'Olá {{nome}}, pedido {{pedido}} 🎉'];

/** The recipients of the sends the sandbox accepted, in order. */
const acceptedTo = (sb: Sandbox): string[] => sb.accepted().map((m) => m.to);

describe('bulk --shard I/N', () => {
  test('three shards run at the same time on one file send every row exactly once; reruns and a re-sorted file send nothing more', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const n = 60;
      const csv = csvOf(rowsOf(n));
      const shards = await Promise.all([1, 2, 3].map((i) => bulk([csv, ...TEXT, '--profile', 'a', '--shard', `${i}/3`, '--json'])));
      const seen = new Map<number, number>();
      let others = 0;
      shards.forEach((r, k) => {
        assert.equal(r.code, 0, r.stderr);
        const out = r.lines;
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
      assert.deepEqual(
        [...seen.keys()].sort((x, y) => x - y),
        Array.from({ length: n }, (_, i) => i + 2),
      );
      assert.ok([...seen.values()].every((c) => c === 1));
      const to = acceptedTo(sb);
      assert.equal(to.length, n);
      assert.deepEqual(new Set(to), new Set(Array.from({ length: n }, (_, i) => phone(i))));

      // The split is by recipient, not by line: a re-sorted file (other line numbers) resumes
      // from each shard's journal and sends nothing again.
      const resorted = csvOf(rowsOf(n).reverse());
      const again = await Promise.all(
        [1, 2, 3].map((i) =>
          bulk([resorted, ...TEXT, '--profile', 'a', '--shard', `${i}/3`, '--journal', `${csv}.shard-${i}-of-3.journal`, '--json']),
        ),
      );
      for (const r of again) {
        assert.equal(r.code, 0, r.stderr);
        assert.ok(
          r.lines.every((o) => o.journal === true && o.status === 'sent'),
          r.stdout,
        );
      }
      assert.equal(
        again.reduce((sum, r) => sum + r.lines.length, 0),
        n,
      );
      assert.equal(sb.stats().requests, n, 'nothing sent twice');
    });
  });

  test('a recipient that is no number is reported by one shard only; the same number written two ways stays in one shard', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(['not-a-number,Ana,1', `+55 (11) 91000-0001,Bia,2`, `${phone(1)},Bia,2`, `${phone(2)},Caio,3`]);
      const runs = await Promise.all([1, 2].map((i) => bulk([csv, ...TEXT, '--profile', 'a', '--shard', `${i}/2`, '--json'])));
      const all = runs.flatMap((r) => r.lines);
      assert.equal(all.filter((o) => o.row === 2).length, 1, 'the bad row is reported once');
      assert.equal(all.find((o) => o.row === 2)!.status, 'failed');
      // +55 (11) 91000-0001 and 5511910000001 are one recipient: one shard, one send, one duplicate.
      const rows34 = runs.map((r) => r.lines.filter((o) => o.row === 3 || o.row === 4).length);
      assert.ok(rows34.includes(2) && rows34.includes(0), JSON.stringify(rows34));
      assert.equal(all.find((o) => o.row === 4)!.status, 'skipped');
      assert.equal(acceptedTo(sb).length, 2);
    });
  });

  for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2']) {
    test(`--shard ${bad} is refused in one line before anything is sent (exit 2)`, async () => {
      await fx.withSandbox({}, async ({ sb, bulk }) => {
        const r = await bulk([csvOf(rowsOf(3)), ...TEXT, '--profile', 'a', '--shard', bad]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`--shard takes I/N with 1 ≤ I ≤ N .*got '${bad.replace('/', '\\/')}'`));
        assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
        assert.equal(sb.stats().requests, 0);
      });
    });
  }
});

/** The send requests the sandbox received, with the recipient and arrival time of each. */
const sends = (sb: Sandbox): { to: string; at: number; auth: string; provider: string }[] =>
  sb.received
    .filter((r) => r.method === 'POST' && r.to !== undefined)
    .map((r) => ({ to: r.to!, at: Date.parse(r.at), auth: r.headers.authorization ?? '', provider: r.provider }));

describe('pair rate (--pair-interval) on Meta-shaped providers', () => {
  test('messages to one recipient are spaced by the interval; the other rows are not held behind them', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const x = phone(900);
      // Three messages to x first (three different texts: not duplicates), then 20 other recipients.
      const csv = csvOf([`${x},Ana,1`, `${x},Ana,2`, `${x},Ana,3`, ...rowsOf(20)]);
      const r = await bulk([csv, ...TEXT, '--profile', 'turn', '--pair-interval', '1s', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.lines.filter((o) => o.status === 'sent').length, 23);
      const got = sends(sb);
      const toX = got.filter((s) => s.to === x).map((s) => s.at);
      assert.equal(toX.length, 3);
      // At least the interval apart (the arrival clock is in whole milliseconds: 10 ms of slack).
      for (let i = 1; i < toX.length; i++) assert.ok(toX[i]! - toX[i - 1]! >= 990, `x's requests ${toX[i]! - toX[i - 1]!} ms apart`);
      // Every other recipient was served while x's later messages waited their turn.
      const others = got.filter((s) => s.to !== x);
      assert.equal(others.length, 20);
      assert.ok(
        others.every((s) => s.at <= toX[1]!),
        'a row to another recipient waited behind x',
      );
    });
  });

  test('--pair-interval is checked before anything is sent: a bad duration, or a provider without a pair rate (exit 2)', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(rowsOf(2));
      const bad = await bulk([csv, ...TEXT, '--profile', 'turn', '--pair-interval', 'soon']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--pair-interval takes a duration like 6s, 1500ms or 0 \(off\), got 'soon'/);
      const interflow = await bulk([csv, ...TEXT, '--profile', 'a', '--pair-interval', '2s']);
      assert.equal(interflow.code, 2);
      assert.match(interflow.stderr, /--pair-interval is for turn and socialminer profiles .*profile 'a' is interflow/);
      assert.equal(sb.stats().requests, 0);
    });
  });
});

describe('bulk --profile a,b: a pool of senders', () => {
  test('each recipient always goes through the same sender; lines, summary and tracking name it; a rerun resumes, another pool is refused', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const n = 40;
      const csv = csvOf(rowsOf(n));
      const r = await bulk([csv, ...TEXT, '--profile', 'a,b', '--json', '--campaign', 'pool-test']);
      assert.equal(r.code, 0, r.stderr);
      const out = r.lines;
      assert.equal(out.length, n);
      const via = new Map(out.map((o) => [o.to as string, o.profile as string]));
      const count = (p: string): number => out.filter((o) => o.profile === p).length;
      assert.ok(count('a') > 0 && count('b') > 0 && count('a') + count('b') === n, `a ${count('a')}, b ${count('b')}`);
      assert.match(r.stderr, new RegExp(`profile a: ${count('a')} sent, 0 failed`));
      assert.match(r.stderr, new RegExp(`profile b: ${count('b')} sent, 0 failed`));
      // The sandbox saw each recipient once, with the key of the profile its line names.
      const got = sends(sb);
      assert.equal(got.length, n);
      for (const s of got) assert.ok(s.auth.includes(via.get(s.to) === 'a' ? CANARY : OTHER_KEY), `${s.to} went with the wrong key`);
      // The tracking store names each message's profile.
      const listed = await runCli(['messages', 'list', '--campaign', 'pool-test', '--json', '--limit', '100'], { env: fx.env() });
      assert.equal(listed.code, 0, listed.stderr);
      const tracked = jsonLines(listed.stdout);
      assert.equal(tracked.length, n);
      for (const t of tracked) assert.equal(t.profile, via.get(t.to as string));

      // The same pool in another order resumes: nothing is sent again, and each row keeps its sender.
      const again = await bulk([csv, ...TEXT, '--profile', 'b,a', '--json']);
      assert.equal(again.code, 0, again.stderr);
      for (const o of again.lines) {
        assert.equal(o.journal, true);
        assert.equal(o.profile, via.get(o.to as string));
      }
      // Another pool would move recipients to other senders: refused before any row, naming it.
      for (const pool of ['a', 'a,b,sm']) {
        const moved = await bulk([csv, ...TEXT, '--profile', pool]);
        assert.equal(moved.code, 2, moved.stderr);
        assert.match(
          moved.stderr,
          /was written for the pool a, b, this run sends through (the pool a, b, sm|one sender \(provider interflow.*\)): recipients would move to other senders/,
        );
      }
      assert.equal(sb.stats().requests, n, 'nothing sent twice');
    });
  });

  test('--dry-run and --output lines name the profile each row goes through, the same one the sends take', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const n = 24;
      const csv = csvOf(rowsOf(n));
      const pool = ['--profile', 'a,turn', '--pair-interval', '0'];
      const dry = await bulk([csv, ...TEXT, ...pool, '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(sb.stats().requests, 0, 'a dry run sends nothing');
      const planned = new Map<number, string>();
      for (const l of dry.lines) {
        const request = l.request as { url: string; headers: Record<string, string> };
        assert.ok(l.profile === 'a' || l.profile === 'turn', JSON.stringify(l));
        // Each request is the one its profile's provider would get, its key hidden.
        assert.match(request.url, l.profile === 'a' ? /\/interflow\/v1\// : /\/turn\//);
        assert.ok(
          Object.values(request.headers).some((v) => v.includes('***')),
          JSON.stringify(request.headers),
        );
        planned.set(l.row as number, l.profile as string);
      }
      assert.equal(planned.size, n);
      assert.deepEqual(new Set(planned.values()), new Set(['a', 'turn']));

      const output = `${fx.path('pool-results')}.csv`;
      const r = await bulk([csv, ...TEXT, ...pool, '--output', output]);
      assert.equal(r.code, 0, r.stderr);
      const [header, ...rows] = readFileSync(output, 'utf8').trimEnd().split('\n');
      assert.equal(header, 'row,to,status,profile,id,error_code,error_message');
      assert.equal(rows.length, n);
      const sentVia = new Map(sends(sb).map((s) => [s.to, s.provider]));
      for (const line of rows) {
        const [row, to, status, profile, id] = line.split(',');
        assert.equal(status, 'sent', line);
        assert.ok(id, line);
        assert.equal(profile, planned.get(Number(row)), `row ${row}: the dry run and the run name the same profile`);
        assert.equal(sentVia.get(to!), profile === 'a' ? 'interflow' : 'turn', `row ${row} went through ${profile}`);
      }
      // One profile: the columns stay as they were.
      const single = `${fx.path('single-results')}.csv`;
      const one = await bulk([csvOf(rowsOf(2)), ...TEXT, '--profile', 'a', '--output', single]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(readFileSync(single, 'utf8').split('\n')[0], 'row,to,status,id,error_code,error_message');
    });
  });

  test('mixed providers: sent through each when the message suits it, refused before any row when it does not', async () => {
    await fx.withSandbox({}, async ({ sb, bulk }) => {
      const csv = csvOf(rowsOf(20));
      const r = await bulk([csv, ...TEXT, '--profile', 'a,turn', '--json', '--pair-interval', '0']);
      assert.equal(r.code, 0, r.stderr);
      const providers = new Set(sends(sb).map((s) => s.provider));
      assert.deepEqual([...providers].sort(), ['interflow', 'turn']);
      assert.equal(sends(sb).length, 20);

      const refused = await bulk([csvOf(rowsOf(3)), '--body', 'Onde você está?', '--location-request', '--profile', 'a,turn']);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /profile 'a' of the pool \(interflow\): /);
      assert.equal(sends(sb).length, 20, 'nothing more was sent');
    });
  });
});
