/**
 * The live loop of issue #4, with the built binary in every role: `interflow sandbox` (a
 * process) delivers signed status events to a webhook registered with `interflow webhooks create`,
 * `interflow webhooks listen --secret` (a process) verifies and prints them, and `interflow send
 * text` starts it all. The statuses must arrive in order, and the secret must appear nowhere.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHANNEL, bin, cleanEnv, runCli } from './harness.js';

const SECRET = 'wh_secret_CANARY_31415926';
const KEY = 'if_test_live_loop_key';

interface Running {
  child: ChildProcess;
  url: Promise<string>;
  out: () => string;
  err: () => string;
  stop: () => Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    url,
    out: () => out,
    err: () => err,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

test('send → sandbox → signed webhooks → webhooks listen: sent, delivered, read in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'interflow-loop-'));
  const env = cleanEnv(dir, { WEBHOOK_SECRET: SECRET, TEST_KEY: KEY });
  const sandbox = start(['sandbox', '--port', '0', '--status-delays', '150,150', '--webhook-secret', 'WEBHOOK_SECRET'], env);
  const listener = start(['webhooks', 'listen', '--port', '0', '--secret', 'WEBHOOK_SECRET', '--json'], env);
  try {
    const [sandboxUrl, listenUrl] = await Promise.all([sandbox.url, listener.url]);
    const config = join(dir, 'rc.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: { local: { provider: 'interflow', baseUrl: `${sandboxUrl}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL } },
      }),
      { mode: 0o600 },
    );
    const created = await runCli(['webhooks', 'create', '--url', `${listenUrl}/`, '--config', config, '--json'], { env });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /"id":"wh_/);
    const sent = await runCli(['send', 'text', '11999990001', 'Olá 🎉 São Paulo', '--config', config, '--json'], { env });
    assert.equal(sent.code, 0, sent.stderr);
    const id = (JSON.parse(sent.stdout) as { id: string }).id;

    // Wait for the three statuses (150 ms apart); the 60 s limit only names what never came.
    const deadline = Date.now() + 60_000;
    const events = () =>
      listener
        .out()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { messageId: string; status: string; provider: string });
    while (events().filter((e) => e.messageId === id).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mine = events().filter((e) => e.messageId === id);
    assert.deepEqual(
      mine.map((e) => e.status),
      ['sent', 'delivered', 'read'],
    );
    assert.ok(mine.every((e) => e.provider === 'interflow'));
    assert.doesNotMatch(listener.err(), /^403 /m, 'every delivery had a valid signature');
  } finally {
    const codes = await Promise.all([listener.stop(), sandbox.stop()]);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(codes, [0, 0]);
    for (const s of [sandbox.out(), sandbox.err(), listener.out(), listener.err()]) {
      assert.ok(!s.includes(SECRET), 'the webhook secret leaked');
      assert.ok(!s.includes(KEY), 'the API key leaked');
    }
  }
});
