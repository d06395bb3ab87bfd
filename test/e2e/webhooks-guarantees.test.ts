/**
 * What `webhooks listen` guarantees (issues 12 and 13), end to end: the BUILT binary on a free
 * port, local servers standing in for the --forward target, slow clients and a provider.
 *
 * - --forward: 200 only once the target accepted; 502 when it refuses, fails or times out, and the
 *   provider's retry is then delivered, not dropped as a replay;
 * - slow clients (trickled headers, too many connections) cannot keep a signed event out;
 * - replay ids come from signed content only (not the X-Interflow-Event-Id header);
 * - nothing a sender wrote drives the terminal (tables, JSON lines, notices, provider errors);
 * - Turn's own signature header; business-scoped user ids; payload-level errors; Turn's 470 hint.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bin, cleanEnv, runCli } from './harness.js';
import { Terminal, keys } from './terminal.js';

const SECRET = 'whsec_GUARANTEES_CANARY_1a2b3c4d';
const hubSignature = (raw: Buffer, secret = SECRET) => 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
const turnSignature = (raw: Buffer, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('base64');
const dir = mkdtempSync(join(tmpdir(), 'interflow-webhooks-guarantees-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  Terminal.killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls `ready` (an observable state, not a clock) until it holds; fails with `state()` after a generous limit. */
async function until(ready: () => boolean, state: () => string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; state:\n${state()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `p`, or a failure naming `what` when it has not settled after a generous limit (a hang fails, it does not stall the run). */
async function within<T>(p: Promise<T>, what: () => string, limitMs = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gave up waiting: ${what()}`)), limitMs)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

interface Listener {
  url: string;
  stdout(): string;
  stderr(): string;
  /** The JSON lines printed so far. */
  events(): Record<string, unknown>[];
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

async function listen(args: string[], env: NodeJS.ProcessEnv = { HOOK_SECRET: SECRET }): Promise<Listener> {
  const child = spawn(process.execPath, [bin, 'webhooks', 'listen', '--port', '0', ...args], {
    env: cleanEnv(dir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => (children.delete(child), resolve(code))));
  const stdout = () => Buffer.concat(out).toString('utf8');
  const stderr = () => Buffer.concat(err).toString('utf8');
  const banner = /listening for webhooks on (http:\/\/\S+)/;
  await until(() => banner.test(stderr()) || child.exitCode !== null, stderr);
  const m = banner.exec(stderr());
  if (!m) throw new Error(`the listener did not start: ${stderr()}`);
  return {
    url: m[1]!,
    stdout,
    stderr,
    events: () =>
      stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

type Signing = 'hub' | 'turn' | 'none';

async function post(
  url: string,
  body: unknown,
  sign: Signing = 'hub',
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
  const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (sign === 'hub') h['x-hub-signature-256'] = hubSignature(raw);
  if (sign === 'turn') h['x-turn-hook-signature'] = turnSignature(raw);
  const res = await fetch(url, { method: 'POST', headers: h, body: new Uint8Array(raw) });
  return { status: res.status, text: await res.text() };
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in` };
}
const closeServer = (server: Server) => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};

const interflowEvent = (id: string | undefined, messageId: string, status = 'delivered') => ({
  ...(id !== undefined ? { id } : {}),
  event: 'message.status_updated',
  data: { message_id: messageId, status, timestamp: '2026-11-21T12:03:22Z' },
});

function metaValue(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

describe('webhooks listen --forward: acknowledged only once the target accepted', () => {
  test('500, then a timeout: 502 and nothing printed; the retry is forwarded and printed once; a replay is neither', async () => {
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    const received: { body: Buffer; signature: string | undefined }[] = [];
    const hanging: ServerResponse[] = [];
    const target = await serve((req, res, body) => {
      received.push({ body, signature: req.headers['x-hub-signature-256'] as string | undefined });
      if (mode === 'fail') return void res.writeHead(500).end('boom');
      if (mode === 'hang') return void hanging.push(res);
      res.end('ok');
    });
    const l = await listen(['--secret', 'HOOK_SECRET', '--forward', target.url, '--forward-timeout', '500']);
    try {
      const raw = Buffer.from(JSON.stringify(interflowEvent('evt_fwd_1', 'msg_fwd_1')), 'utf8');

      const refused = await post(l.url, raw);
      assert.equal(refused.status, 502, refused.text);
      assert.match(refused.text, /answered 500/);
      assert.equal(received.length, 1);

      mode = 'hang';
      const slow = await post(l.url, raw);
      assert.equal(slow.status, 502, slow.text);
      assert.match(slow.text, /no answer within 500 ms/);
      assert.equal(received.length, 2);
      assert.equal(l.stdout(), '', 'nothing printed for an event not acknowledged');

      mode = 'ok';
      const retried = await post(l.url, raw);
      assert.equal(retried.status, 200, retried.text);
      assert.equal(received.length, 3);
      assert.ok(received[2]!.body.equals(raw), 'the raw bytes are relayed');
      assert.equal(received[2]!.signature, hubSignature(raw), 'with the signature');
      await until(() => l.events().length === 1, l.stdout);
      assert.equal(l.events()[0]!.messageId, 'msg_fwd_1');

      const replay = await post(l.url, raw);
      assert.equal(replay.status, 200);
      assert.equal(received.length, 3, 'a replay is not forwarded again');
      await until(() => /dropped replayed event evt_fwd_1/.test(l.stderr()), l.stderr);
      assert.equal(l.events().length, 1, 'nor printed again');
      assert.match(l.stderr(), /^502 forward to http:\/\/127\.0\.0\.1:\d+\/in answered 500; the sender may retry from 127\.0\.0\.1$/m);
    } finally {
      for (const res of hanging) res.destroy();
      assert.equal(await l.stop(), 0);
      await closeServer(target.server);
    }
  });

  test('a target that refuses connections: 502, nothing printed, nothing remembered', async () => {
    // A port that was free a moment ago and is closed now.
    const gone = await serve(() => undefined);
    const url = gone.url;
    await closeServer(gone.server);
    const l = await listen(['--secret', 'HOOK_SECRET', '--forward', url]);
    try {
      const raw = Buffer.from(JSON.stringify(interflowEvent('evt_fwd_refused', 'msg_fwd_refused')));
      for (let i = 0; i < 2; i++) {
        const res = await post(l.url, raw);
        assert.equal(res.status, 502, res.text);
        assert.match(res.text, /failed: ECONNREFUSED/);
      }
      assert.doesNotMatch(l.stderr(), /dropped replayed/, 'the second try is not a replay: the first was never acknowledged');
      assert.equal(l.stdout(), '');
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });
});

describe('webhooks listen under slow clients', () => {
  test('200 sockets trickling header lines: a signed event still gets through, and the server closes them all', async () => {
    const l = await listen(['--secret', 'HOOK_SECRET', '--request-timeout', '5000', '--max-connections', '50']);
    const { hostname, port } = new URL(l.url);
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    const timers = new Set<NodeJS.Timeout>();
    try {
      const connected: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        const s = connect({ host: hostname, port: Number(port) });
        s.on('error', () => undefined);
        s.resume(); // reads what the server says (a 408), so that its end is seen
        sockets.push(s);
        closed.push(new Promise((resolve) => s.once('close', () => resolve())));
        connected.push(
          new Promise((resolve) =>
            s.once('connect', () => {
              s.write(`POST / HTTP/1.1\r\nHost: ${hostname}\r\n`);
              // A header line every 100 ms, never the blank line that ends them.
              const t = setInterval(() => s.writable && s.write(`X-Slow-${i}: ${'a'.repeat(10)}\r\n`), 100);
              timers.add(t);
              s.once('close', () => (clearInterval(t), timers.delete(t)));
              resolve();
            }),
          ),
        );
      }
      await Promise.all(connected.map((p, i) => Promise.race([p, closed[i]])));

      const res = await post(l.url, interflowEvent('evt_under_load', 'msg_under_load'));
      assert.equal(res.status, 200, res.text);
      await until(() => l.events().some((e) => e.messageId === 'msg_under_load'), l.stdout);

      // Each trickling socket is closed by the server (the cap or the request timeout), none by us.
      await within(Promise.all(closed), () => `${sockets.filter((s) => !s.destroyed).length} of 200 trickling sockets still open`);
      assert.ok(sockets.every((s) => s.destroyed));
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      assert.equal(await l.stop(), 0);
    }
  });

  test('a connection that sends nothing, and one that trickles a body, are closed too', async () => {
    const l = await listen(['--request-timeout', '1000']);
    const { hostname, port } = new URL(l.url);
    const silent = connect({ host: hostname, port: Number(port) });
    const slowBody = connect({ host: hostname, port: Number(port) });
    let trickle: NodeJS.Timeout | undefined;
    try {
      const answered: Buffer[] = [];
      slowBody.on('data', (c: Buffer) => answered.push(c));
      slowBody.once('connect', () => {
        slowBody.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
        trickle = setInterval(() => slowBody.writable && slowBody.write(' '), 100);
      });
      for (const s of [silent, slowBody]) s.on('error', () => undefined);
      silent.resume();
      await within(
        Promise.all([silent, slowBody].map((s) => new Promise((resolve) => s.once('close', resolve)))),
        () => 'the silent and the slow-body sockets are still open',
      );
      assert.match(Buffer.concat(answered).toString(), /^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
      silent.destroy();
      slowBody.destroy();
      assert.equal(await l.stop(), 0);
    }
  });
});

describe('webhooks listen: replay ids from signed content only', () => {
  test('the same signed body with three X-Interflow-Event-Id values is printed once', async () => {
    const l = await listen(['--secret', 'HOOK_SECRET']);
    try {
      const raw = Buffer.from(JSON.stringify(interflowEvent(undefined, 'msg_no_id')));
      for (const id of ['evt_a', 'evt_b', 'evt_c']) {
        const res = await post(l.url, raw, 'hub', { 'x-interflow-event-id': id });
        assert.equal(res.status, 200);
      }
      const hash = 'sha256:' + createHash('sha256').update(raw).digest('hex');
      await until(() => (l.stderr().match(/dropped replayed event/g) ?? []).length === 2, l.stderr);
      assert.equal(l.events().length, 1);
      assert.equal(l.events()[0]!.id, hash);
      // Another body (another message) is not a replay.
      assert.equal((await post(l.url, interflowEvent(undefined, 'msg_no_id_2'))).status, 200);
      await until(() => l.events().length === 2, l.stdout);
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });
});

/** Fields a hostile sender filled with terminal escapes. */
const ESC = '\u001b';
const hostileStatus = metaValue({
  statuses: [
    {
      id: `wamid.EVIL${ESC}]0;pwned${'\u0007'}`,
      status: `failed${ESC}[2J`,
      timestamp: '1705314605',
      recipient_id: `${ESC}[8m5511999999999`,
      errors: [{ code: 131047, title: `Re-engagement${'\u009b'}31m message\u202e` }],
    },
  ],
});
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('webhooks listen: nothing from outside drives the terminal', () => {
  test('JSON lines: escapes stay escaped, values intact', async () => {
    const l = await listen(['--secret', 'HOOK_SECRET']);
    try {
      assert.equal((await post(l.url, hostileStatus)).status, 200);
      await until(() => l.events().length === 1, l.stdout);
      const raw = l.stdout();
      assert.doesNotMatch(raw.replace(/\n$/, ''), FORBIDDEN, JSON.stringify(raw));
      const [e] = l.events();
      // JSON escaping keeps the values exactly as sent.
      assert.equal(e!.status, `failed${ESC}[2J`);
      assert.equal(e!.to, `${ESC}[8m5511999999999`);
      assert.equal(e!.errorTitle, `Re-engagement${'\u009b'}31m message\u202e`);
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });

  test('a table on a terminal and the notices on stderr: plain text only', async () => {
    const t = new Terminal(['webhooks', 'listen', '--port', '0', '--secret', 'HOOK_SECRET'], {
      env: cleanEnv(dir, { HOOK_SECRET: SECRET }),
    });
    await t.expect(/listening for webhooks on http:\/\/\S+\//);
    const url = /listening for webhooks on (http:\/\/\S+\/)/.exec(t.screen)![1]!;
    assert.equal((await post(url, hostileStatus)).status, 200);
    await t.expect('131047 Re-engagement message (more than 24 hours');
    // An unsigned post with escapes in its path is refused; the refusal names the path as plain text.
    const odd = await fetch(url + `x%1b[2Jy`, { method: 'POST', body: '{}' });
    assert.equal(odd.status, 404);
    await odd.arrayBuffer();
    await t.expect(/404 no webhook at \/x%1b\[2Jy/);
    t.type(keys.ctrlC);
    const end = await t.exit();
    assert.equal(end.code, 0);
    // NO_COLOR: the CLI writes no escape of its own, so any would have come from the payload.
    assert.ok(!end.screen.includes('pwned'), 'no OSC title text');
    assert.doesNotMatch(t.output.replace(/\r\n/g, '\n').replace(/\n/g, ''), FORBIDDEN, JSON.stringify(t.output.slice(-2000)));
    assert.match(end.screen, /failed\s+wamid\.EVIL\s+15550783881 → 5511999999999/);
  });

  test("a provider's error text on stderr: plain text only", async () => {
    const provider = await serve((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          success: false,
          error: { code: 'CHANNEL_DISCONNECTED', message: `O canal ${ESC}]0;pwned${'\u0007'}está${ESC}[8m desconectado${ESC}[2J\u009b1m` },
        }),
      );
    });
    const config = join(dir, 'escapes.interflowrc.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: {
          p: {
            provider: 'interflow',
            baseUrl: provider.url.replace(/\/in$/, ''),
            apiKey: '${TEST_KEY}',
            channelId: '550e8400-e29b-41d4-a716-446655440000',
          },
        },
      }),
      { mode: 0o600 },
    );
    try {
      const res = await runCli(['send', 'text', '11999999999', 'Olá', '--config', config, '--profile', 'p'], {
        env: cleanEnv(dir, { TEST_KEY: 'if_test_key_1234567890' }),
      });
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, /O canal está desconectado/);
      assert.doesNotMatch(res.stderr.replace(/\n/g, ''), FORBIDDEN, JSON.stringify(res.stderr));
      const verbose = await runCli(['send', 'text', '11999999999', 'Olá', '--config', config, '--profile', 'p', '--verbose', '--json'], {
        env: cleanEnv(dir, { TEST_KEY: 'if_test_key_1234567890' }),
      });
      assert.equal(verbose.code, 1);
      assert.doesNotMatch(verbose.stderr.replace(/\n/g, ''), FORBIDDEN, JSON.stringify(verbose.stderr));
      assert.doesNotMatch(verbose.stdout.replace(/\n/g, ''), FORBIDDEN, JSON.stringify(verbose.stdout));
      // bulk's per-row lines on stdout (a pipe: one tab-separated line a row) are plain text too.
      const csv = join(dir, 'escapes.csv');
      writeFileSync(csv, 'to,nome\n11999999999,João\n');
      const bulk = await runCli(
        ['bulk', csv, '--text', 'Olá {{nome}}', '--config', config, '--profile', 'p', '--journal', join(dir, 'escapes.journal')],
        {
          env: cleanEnv(dir, { TEST_KEY: 'if_test_key_1234567890' }),
        },
      );
      // A disconnected channel stops the run (exit 1: README, "When a provider refuses"); its row is still printed.
      assert.equal(bulk.code, 1, bulk.stderr);
      assert.match(bulk.stdout, /^2\t5511999999999\tfailed\tCHANNEL_DISCONNECTED: O canal está desconectado\n$/);
      assert.doesNotMatch(bulk.stdout + bulk.stderr, FORBIDDEN, JSON.stringify(bulk.stdout + bulk.stderr));
    } finally {
      await closeServer(provider.server);
    }
  });
});

describe("webhooks listen: each provider's own signature, and what Meta-shaped payloads carry", () => {
  test('Turn: X-Turn-Hook-Signature (base64) is accepted; a wrong or missing one is refused', async () => {
    const l = await listen(['--secret', 'HOOK_SECRET']);
    try {
      const body = {
        statuses: [
          {
            id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
            status: 'failed',
            timestamp: '1518694700',
            recipient_id: '16315555555',
            errors: [
              {
                code: 470,
                title: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
              },
            ],
          },
        ],
      };
      const raw = Buffer.from(JSON.stringify(body));
      assert.equal((await post(l.url, raw, 'turn')).status, 200);
      const wrong = await post(l.url, raw, 'none', { 'x-turn-hook-signature': turnSignature(raw, 'another-secret') });
      assert.equal(wrong.status, 403);
      assert.match(wrong.text, /bad signature/);
      const missing = await post(l.url, raw, 'none');
      assert.equal(missing.status, 403);
      assert.match(missing.text, /missing signature/);
      // Both headers present: both must be right.
      const mixed = await post(l.url, raw, 'turn', { 'x-hub-signature-256': hubSignature(raw, 'another-secret') });
      assert.equal(mixed.status, 403);
      await until(() => l.events().length === 1, l.stdout);
      const [e] = l.events();
      assert.equal(e!.status, 'failed');
      assert.equal(e!.to, '16315555555');
      assert.equal(e!.errorCode, '470');
      assert.match(String(e!.hint), /24 hours.*template/, "Turn's 470 gets the same hint as Meta's 131047");
      assert.match(l.stderr(), /X-Hub-Signature-256 or X-Turn-Hook-Signature/);
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });

  test('business-scoped user ids: a sender with from_user_id only, a status with recipient_user_id only', async () => {
    const l = await listen([]);
    try {
      const payload = metaValue({
        contacts: [{ profile: { name: 'João' }, user_id: 'BR.1349120865530274191' }],
        messages: [
          { from_user_id: 'BR.1349120865530274191', id: 'wamid.BSUID1', timestamp: '1760000000', type: 'text', text: { body: 'Olá' } },
        ],
        statuses: [{ id: 'wamid.BSUID2', status: 'delivered', timestamp: '1760000001', recipient_user_id: 'BR.1349120865530274191' }],
      });
      assert.equal((await post(l.url, payload, 'none')).status, 200);
      await until(() => l.events().length === 2, l.stdout);
      const byId = new Map(l.events().map((e) => [e.messageId, e]));
      assert.equal(byId.get('wamid.BSUID1')!.from, 'BR.1349120865530274191');
      assert.equal(byId.get('wamid.BSUID1')!.name, 'João');
      assert.equal(byId.get('wamid.BSUID1')!.text, 'Olá');
      assert.equal(byId.get('wamid.BSUID2')!.to, 'BR.1349120865530274191');
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });
});
