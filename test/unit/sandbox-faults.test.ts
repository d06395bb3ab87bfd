/**
 * The sandbox's fault injection (src/sandbox/faults.ts) and what it reports, over real HTTP with a
 * raw node:http client (one connection per request, so that resets and hangs are seen as a client
 * sees them): each fault in each provider's own envelope and headers, the order of the stages,
 * the refused recipient, stats()/accepted(), reset(), record: 'none', and the command's flags.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, describe, test } from 'node:test';
import {
  FAULT_STATUSES,
  REFUSED_RECIPIENT,
  startSandbox,
  type FaultStatus,
  type Sandbox,
  type SandboxOptions,
} from '../../src/sandbox/server.js';
import { serving } from './serving.js';

const PHONE = '5511999999999';
const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
const INSTANCE = '66a09db606fd14660c8fc1d0';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
  ms: number;
}

/**
 * One request on its own connection; rejects with the socket error, or TIMEOUT after timeoutMs
 * (given where no answer is expected; otherwise long enough for any machine).
 */
function send(
  sb: Sandbox,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = 120_000,
): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      sb.url + path,
      {
        method,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed, text, ms: performance.now() - started });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

type Provider = 'interflow' | 'interacto' | 'turn' | 'socialminer';
const PROVIDERS: Provider[] = ['interflow', 'interacto', 'turn', 'socialminer'];

const KEY = 'sandbox_faults_key';

/** A valid message to `to` for each provider, with its credentials. */
function sendTo(sb: Sandbox, provider: Provider, to = PHONE, key = KEY, text = 'oi', timeoutMs?: number): Promise<Answer> {
  switch (provider) {
    case 'interflow':
      return send(
        sb,
        'POST',
        '/interflow/v1/messages/send',
        { Authorization: `Bearer ${key}` },
        { channel_id: CHANNEL, to, type: 'text', content: { text } },
        timeoutMs,
      );
    case 'interacto':
      return send(
        sb,
        'POST',
        '/interacto/message/contact',
        { Authorization: key, 'Instance-Id': INSTANCE },
        { to, contact: { name: text, phone: PHONE } },
        timeoutMs,
      );
    case 'turn':
      return send(
        sb,
        'POST',
        '/turn/v1/messages',
        { Authorization: `Bearer ${key}` },
        { to, type: 'text', text: { body: text } },
        timeoutMs,
      );
    case 'socialminer':
      return send(
        sb,
        'POST',
        '/socialminer/api/Messages',
        { apikey: key, version: '4.0' },
        { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: text } },
        timeoutMs,
      );
  }
}

const OK_STATUS: Record<Provider, number> = { interflow: 201, interacto: 201, turn: 200, socialminer: 200 };

/** The id a provider's success answer carries. */
function idOf(provider: Provider, a: Answer): string {
  if (provider === 'interflow' || provider === 'interacto') return a.body.data.id;
  return a.body.messages[0].id;
}

const open: Sandbox[] = [];
async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, ...opts });
  open.push(sb);
  return sb;
}
after(async () => {
  await Promise.all(open.map((sb) => sb.close()));
});

/** The expected fault envelope of each provider, per status. */
function assertFaultEnvelope(provider: Provider, status: FaultStatus, a: Answer, rateLimit = false): void {
  assert.equal(a.status, status, `${provider}: ${a.text}`);
  assert.match(String(a.headers['content-type']), /^application\/json/);
  switch (provider) {
    case 'interflow': {
      // The rate limit keeps Interflow's plan-limit code; an injected 429 is RATE_LIMITED.
      const code = rateLimit
        ? 'RATE_LIMIT_EXCEEDED'
        : status === 429
          ? 'RATE_LIMITED'
          : status === 500
            ? 'INTERNAL_ERROR'
            : 'SERVICE_UNAVAILABLE';
      assert.equal(a.body.success, false);
      assert.equal(a.body.error.code, code);
      assert.equal(typeof a.body.error.message, 'string');
      // Interflow's answers always carry its rate-limit headers.
      assert.ok(a.headers['x-ratelimit-limit'] !== undefined, 'X-RateLimit-Limit');
      break;
    }
    case 'turn': {
      assert.equal(a.body.errors.length, 1);
      const e = a.body.errors[0];
      assert.equal(e.code, status === 429 ? 1015 : status === 500 ? 1014 : 1011, a.text);
      assert.equal(typeof e.title, 'string');
      assert.equal(typeof e.details, 'string');
      break;
    }
    case 'interacto': {
      const text = {
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        502: 'Bad Gateway',
        503: 'Service Unavailable',
        504: 'Gateway Timeout',
      }[status];
      assert.equal(a.body.statusCode, status);
      assert.equal(a.body.error, text);
      assert.equal(typeof a.body.message, 'string');
      break;
    }
    case 'socialminer': {
      assert.equal(a.body.error.code, status === 429 ? 130429 : status === 500 ? 1 : 2, a.text);
      assert.equal(a.body.error.type, 'OAuthException');
      assert.equal(typeof a.body.error.message, 'string');
      assert.equal(typeof a.body.error.fbtrace_id, 'string');
      break;
    }
  }
}

describe('sandbox faults: failFirst', () => {
  test("default 503 in every provider's envelope, not accepted, counted across providers; then normal", async () => {
    const sb = await sandbox({ faults: { failFirst: 4 } });
    for (const p of PROVIDERS) {
      const a = await sendTo(sb, p);
      assertFaultEnvelope(p, 503, a);
      assert.equal(a.headers['retry-after'], undefined, 'no Retry-After unless retryAfter is set');
    }
    assert.equal((await sendTo(sb, 'turn')).status, 200);
    assert.deepStrictEqual(sb.accepted().length, 1);
    const stats = sb.stats();
    assert.equal(stats.requests, 5);
    assert.equal(stats.accepted, 1);
    assert.deepStrictEqual(stats.byStatus, { 503: 4, 200: 1 });
    assert.deepStrictEqual(
      sb.received.map((r) => [r.provider, r.status, r.accepted, r.fault]),
      [
        ['interflow', 503, false, 'fail'],
        ['interacto', 503, false, 'fail'],
        ['turn', 503, false, 'fail'],
        ['socialminer', 503, false, 'fail'],
        ['turn', 200, true, undefined],
      ],
    );
    assert.equal(sb.received[0]!.messageId, undefined);
    assert.equal(sb.messages.size, 0, 'Interflow stored nothing');
  });

  for (const status of FAULT_STATUSES) {
    test(`failStatus ${status} with retryAfter: each provider's envelope and Retry-After`, async () => {
      const sb = await sandbox({ faults: { failFirst: 4, failStatus: status, retryAfter: 7 } });
      for (const p of PROVIDERS) {
        const a = await sendTo(sb, p);
        assertFaultEnvelope(p, status, a);
        assert.equal(a.headers['retry-after'], '7', p);
      }
      assert.equal(sb.stats().accepted, 0);
      assert.deepStrictEqual(sb.accepted(), []);
    });
  }

  test('counted after auth: a refused credential does not use up a fault', async () => {
    const sb = await sandbox({ apiKeys: [KEY], faults: { failFirst: 1 } });
    const refused = await sendTo(sb, 'interflow', PHONE, 'wrong_key');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'UNAUTHORIZED');
    assert.equal((await sendTo(sb, 'socialminer')).status, 503);
    assert.equal((await sendTo(sb, 'socialminer')).status, 200);
  });

  test('only send requests count: Interflow GET /messages/:id and unknown paths are not faulted', async () => {
    const sb = await sandbox({ faults: { failFirst: 1 } });
    assert.equal((await send(sb, 'GET', '/interflow/v1/messages/msg_nope', { Authorization: `Bearer ${KEY}` })).status, 404);
    assert.equal((await send(sb, 'POST', '/turn/v1/nope', { Authorization: `Bearer ${KEY}` }, {})).status, 404);
    assert.equal((await sendTo(sb, 'turn')).status, 503);
  });
});

describe('sandbox faults: resetFirst', () => {
  for (const p of ['interflow', 'turn'] as const) {
    test(`${p}: the request is read and accepted, then the connection is reset with no answer`, async () => {
      const sb = await sandbox({ faults: { resetFirst: 1 } });
      await assert.rejects(sendTo(sb, p, PHONE, KEY, 'reset me'), (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, 'ECONNRESET', String(err));
        return true;
      });
      const accepted = sb.accepted();
      assert.equal(accepted.length, 1);
      assert.equal(accepted[0]!.provider, p);
      assert.equal(accepted[0]!.to, PHONE);
      assert.ok(accepted[0]!.messageId.length > 0);
      assert.match(JSON.stringify(accepted[0]!.body), /reset me/);
      assert.deepStrictEqual(sb.stats(), { requests: 1, accepted: 1, byStatus: { 0: 1 }, distinctBodies: 1 });
      const r = sb.received[0]!;
      assert.equal(r.status, 0);
      assert.equal(r.accepted, true);
      assert.equal(r.fault, 'reset');
      assert.equal(r.messageId, accepted[0]!.messageId);
      if (p === 'interflow') {
        // The provider has it: GET /messages/:id finds it.
        const got = await send(sb, 'GET', `/interflow/v1/messages/${accepted[0]!.messageId}`, { Authorization: `Bearer ${KEY}` });
        assert.equal(got.status, 200);
        assert.equal(got.body.data.content.text, 'reset me');
      }
      // The next one is answered.
      const next = await sendTo(sb, p, PHONE, KEY, 'after');
      assert.equal(next.status, OK_STATUS[p]);
      assert.equal(sb.stats().accepted, 2);
    });
  }

  test('a request that the provider refuses is reset too, and not accepted', async () => {
    const sb = await sandbox({ faults: { resetFirst: 1 } });
    await assert.rejects(sendTo(sb, 'turn', '123'), { code: 'ECONNRESET' });
    assert.deepStrictEqual(sb.accepted(), []);
    assert.equal(sb.received[0]!.status, 0);
    assert.equal(sb.received[0]!.accepted, false);
    assert.deepStrictEqual(sb.stats().byStatus, { 0: 1 });
  });
});

describe('sandbox faults: hangFirst', () => {
  for (const p of ['socialminer', 'interacto'] as const) {
    test(`${p}: accepted and never answered; the client times out`, async () => {
      const sb = await startSandbox({ port: 0, faults: { hangFirst: 1 } });
      try {
        const started = performance.now();
        await assert.rejects(sendTo(sb, p, PHONE, KEY, 'hang', 300), { code: 'TIMEOUT' });
        assert.ok(performance.now() - started >= 290);
        assert.equal(sb.accepted().length, 1);
        assert.equal(sb.accepted()[0]!.provider, p);
        assert.equal(sb.received[0]!.status, 0);
        assert.equal(sb.received[0]!.fault, 'hang');
        assert.deepStrictEqual(sb.stats(), { requests: 1, accepted: 1, byStatus: { 0: 1 }, distinctBodies: 1 });
        assert.equal((await sendTo(sb, p)).status, OK_STATUS[p]);
      } finally {
        await sb.close();
      }
    });
  }

  test('close() does not wait for a hung request: its connection is closed', async () => {
    const sb = await startSandbox({ port: 0, faults: { hangFirst: 1 } });
    const held = sendTo(sb, 'turn', PHONE, KEY, 'held', 60_000).then(
      () => assert.fail('a hung request got an answer'),
      (err: NodeJS.ErrnoException) => err,
    );
    while (sb.stats().requests === 0) await new Promise((r) => setTimeout(r, 5));
    await sb.close();
    const err = await held;
    assert.equal(err.code, 'ECONNRESET', String(err));
  });
});

describe('sandbox faults: order and counters', () => {
  test('auth → rate → failFirst → resetFirst → hangFirst → normal, each stage counting what reaches it', async () => {
    const sb = await sandbox({ faults: { failFirst: 2, failStatus: 500, resetFirst: 1, hangFirst: 1 } });
    assert.equal((await sendTo(sb, 'turn', PHONE, '')).status, 401);
    assert.equal((await sendTo(sb, 'turn')).status, 500);
    assert.equal((await sendTo(sb, 'interflow')).status, 500);
    await assert.rejects(sendTo(sb, 'socialminer'), { code: 'ECONNRESET' });
    await assert.rejects(sendTo(sb, 'interacto', PHONE, KEY, 'oi', 200), { code: 'TIMEOUT' });
    assert.equal((await sendTo(sb, 'turn')).status, 200);
    assert.deepStrictEqual(
      sb.received.map((r) => [r.status, r.fault ?? null, r.accepted]),
      [
        [401, null, false],
        [500, 'fail', false],
        [500, 'fail', false],
        [0, 'reset', true],
        [0, 'hang', true],
        [200, null, true],
      ],
    );
    assert.deepStrictEqual(sb.stats().byStatus, { 0: 2, 200: 1, 401: 1, 500: 2 });
    assert.deepStrictEqual(
      sb.accepted().map((m) => m.provider),
      ['socialminer', 'interacto', 'turn'],
    );
  });

  test('reset() zeroes the fault counters, stats and accepted()', async () => {
    const sb = await sandbox({ faults: { failFirst: 1, resetFirst: 1 } });
    assert.equal((await sendTo(sb, 'turn')).status, 503);
    await assert.rejects(sendTo(sb, 'turn'), { code: 'ECONNRESET' });
    assert.equal((await sendTo(sb, 'turn')).status, 200);
    assert.equal(sb.stats().accepted, 2);
    sb.reset();
    assert.deepStrictEqual(sb.stats(), { requests: 0, accepted: 0, byStatus: {}, distinctBodies: 0 });
    assert.deepStrictEqual(sb.accepted(), []);
    assert.equal(sb.received.length, 0);
    assert.equal((await sendTo(sb, 'turn')).status, 503, 'failFirst applies again');
    await assert.rejects(sendTo(sb, 'turn'), { code: 'ECONNRESET' });
  });

  test('POST /_sandbox/reset does the same over HTTP', async () => {
    const sb = await sandbox({ faults: { failFirst: 1 } });
    assert.equal((await sendTo(sb, 'turn')).status, 503);
    assert.equal((await sendTo(sb, 'turn')).status, 200);
    assert.deepStrictEqual((await send(sb, 'POST', '/_sandbox/reset', {})).body, { reset: true });
    assert.equal(sb.stats().requests, 0);
    assert.equal((await sendTo(sb, 'turn')).status, 503);
    assert.equal((await send(sb, 'GET', '/_sandbox/reset', {})).status, 405);
  });

  test('invalid fault options are a RangeError naming the option', async () => {
    const bad: [SandboxOptions['faults'], RegExp][] = [
      [{ failFirst: -1 }, /failFirst/],
      [{ failFirst: 1.5 }, /failFirst/],
      [{ failStatus: 418 as FaultStatus }, /failStatus/],
      [{ retryAfter: -1 }, /retryAfter/],
      [{ resetFirst: Number.NaN }, /resetFirst/],
      [{ hangFirst: -2 }, /hangFirst/],
      [{ latencyMs: -5 }, /latencyMs/],
      [{ rate: 0 }, /rate/],
    ];
    for (const [faults, name] of bad)
      await assert.rejects(startSandbox({ port: 0, faults }), (e: Error) => e instanceof RangeError && name.test(e.message));
    await assert.rejects(startSandbox({ port: 0, record: 'some' as 'all' }), RangeError);
  });
});

describe('sandbox faults: latency', () => {
  test('every answer to a send request waits latencyMs (2xx and refusals); other requests do not', async () => {
    const sb = await sandbox({ faults: { latencyMs: 300 } });
    for (const p of ['interflow', 'turn'] as const) {
      const ok = await sendTo(sb, p);
      assert.equal(ok.status, OK_STATUS[p]);
      assert.ok(ok.ms >= 290, `${p} answered in ${ok.ms.toFixed(0)} ms`);
      const refused = await sendTo(sb, p, '12');
      assert.equal(refused.status, 400);
      assert.ok(refused.ms >= 290, `${p} refusal answered in ${refused.ms.toFixed(0)} ms`);
    }
  });

  test('other requests are answered while a send waits out its latency', async () => {
    let arrived!: () => void;
    const sendArrived = new Promise<void>((resolve) => (arrived = resolve));
    const sb = await startSandbox({ port: 0, faults: { latencyMs: 600_000 }, onRequest: (r) => r.method === 'POST' && arrived() });
    try {
      const held = sendTo(sb, 'interflow', PHONE, KEY, 'held', 600_000).then(
        () => 'answered',
        () => 'cut',
      );
      await sendArrived;
      const stats = await send(sb, 'GET', '/_sandbox/stats', {});
      assert.equal(stats.status, 200, stats.text);
      const id = sb.accepted()[0]!.messageId;
      const got = await send(sb, 'GET', `/interflow/v1/messages/${id}`, { Authorization: `Bearer ${KEY}` });
      assert.equal(got.status, 200, got.text);
      assert.equal(await Promise.race([held, Promise.resolve('still waiting')]), 'still waiting', 'the send is still held');
      await sb.close();
      assert.equal(await held, 'cut', 'close() cut the held send');
    } finally {
      await sb.close();
    }
  });

  test('the message is accepted before the delay: a client that gives up during it still got it through', async () => {
    const sb = await sandbox({ faults: { latencyMs: 400 } });
    await assert.rejects(sendTo(sb, 'socialminer', PHONE, KEY, 'slow', 100), { code: 'TIMEOUT' });
    assert.equal(sb.stats().accepted, 1);
    assert.equal(sb.received[0]!.status, 200);
  });

  test('requests are served concurrently during a delay (a timer, not a busy wait)', async () => {
    // All ten are taken in while none has been answered: a busy wait would hold the second back.
    let taken = 0;
    let allTaken!: () => void;
    const tenTaken = new Promise<void>((resolve) => (allTaken = resolve));
    const sb = await startSandbox({ port: 0, faults: { latencyMs: 600_000 }, onRequest: () => ++taken === 10 && allTaken() });
    try {
      let answered = 0;
      const answers = Array.from({ length: 10 }, (_, i) =>
        sendTo(sb, 'turn', PHONE, KEY, `m${i}`, 600_000).then(
          () => answered++,
          () => undefined,
        ),
      );
      await tenTaken;
      assert.equal(answered, 0);
      assert.equal(sb.stats().distinctBodies, 10);
      assert.equal(sb.stats().accepted, 10);
      await sb.close();
      await Promise.all(answers);
      assert.equal(answered, 0, 'none was answered before close()');
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox faults: rate', () => {
  test('N a minute per key, all providers together: N+1th is 429 with Retry-After and X-RateLimit-*', async () => {
    const sb = await sandbox({ faults: { rate: 3 } });
    const remaining: string[] = [];
    for (const p of ['turn', 'socialminer', 'interflow'] as const) {
      const a = await sendTo(sb, p);
      assert.equal(a.status, OK_STATUS[p], a.text);
      assert.equal(a.headers['x-ratelimit-limit'], '3', `${p}: rate replaces the Interflow plan limit too`);
      assert.ok(Number(a.headers['x-ratelimit-reset']) > Date.now() / 1000);
      remaining.push(String(a.headers['x-ratelimit-remaining']));
    }
    assert.deepStrictEqual(remaining, ['2', '1', '0']);
    for (const p of PROVIDERS) {
      const over = await sendTo(sb, p);
      assertFaultEnvelope(p, 429, over, true);
      const retry = Number(over.headers['retry-after']);
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `${p}: Retry-After ${String(over.headers['retry-after'])}`);
      assert.equal(over.headers['x-ratelimit-limit'], '3');
      assert.equal(over.headers['x-ratelimit-remaining'], '0');
      assert.ok(Number(over.headers['x-ratelimit-reset']) > 0);
      assert.equal(sb.received.at(-1)!.fault, 'rate');
    }
    assert.equal(sb.stats().accepted, 3, 'refused requests are not accepted');
    // Another key has its own window.
    assert.equal((await sendTo(sb, 'turn', PHONE, 'other_key')).status, 200);
  });

  test('retryAfter replaces the computed Retry-After; the window slides', async () => {
    let now = Date.now();
    const sb = await sandbox({ faults: { rate: 1, retryAfter: 9 }, rateWindowMs: 200, clock: () => now });
    assert.equal((await sendTo(sb, 'socialminer')).status, 200);
    const over = await sendTo(sb, 'socialminer');
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 130429);
    assert.equal(over.headers['retry-after'], '9');
    now += 199;
    assert.equal((await sendTo(sb, 'socialminer')).status, 429, 'still inside the window');
    now += 1;
    assert.equal((await sendTo(sb, 'socialminer')).status, 200);
  });

  test('rate comes before failFirst: a 429 from the rate limit does not use up failFirst', async () => {
    let now = Date.now();
    const sb = await sandbox({ faults: { rate: 1, failFirst: 1 }, rateWindowMs: 300, clock: () => now });
    assert.equal((await sendTo(sb, 'turn')).status, 503);
    const over = await sendTo(sb, 'turn');
    assert.equal(over.status, 429);
    assert.equal(over.body.errors[0].code, 1015);
    now += 300;
    assert.equal((await sendTo(sb, 'turn')).status, 200);
  });
});

describe('sandbox: the refused recipient', () => {
  test(`${REFUSED_RECIPIENT} is refused by every provider in its own words, not accepted; others are accepted`, async () => {
    assert.equal(REFUSED_RECIPIENT, '5511900000422');
    const sb = await sandbox();
    const ifr = await sendTo(sb, 'interflow', REFUSED_RECIPIENT);
    assert.equal(ifr.status, 400, ifr.text);
    assert.equal(ifr.body.success, false);
    assert.equal(ifr.body.error.code, 'VALIDATION_ERROR');
    assert.ok(
      ifr.body.error.details.some((d: { field: string; message: string }) => d.field === 'to' && /não está no WhatsApp/.test(d.message)),
      ifr.text,
    );

    const tr = await sendTo(sb, 'turn', REFUSED_RECIPIENT);
    assert.equal(tr.status, 400);
    assert.equal(tr.body.errors[0].code, 1013);
    assert.equal(tr.body.errors[0].title, 'User is not valid');
    assert.equal(typeof tr.body.errors[0].details, 'string');

    const ia = await sendTo(sb, 'interacto', REFUSED_RECIPIENT);
    assert.equal(ia.status, 400);
    assert.equal(ia.body.statusCode, 400);
    assert.equal(ia.body.error, 'Bad Request');
    assert.match(JSON.stringify(ia.body.message), /não está no WhatsApp/);

    const sm = await sendTo(sb, 'socialminer', REFUSED_RECIPIENT);
    assert.equal(sm.status, 400);
    assert.equal(sm.body.error.code, 131026);
    assert.match(sm.body.error.message, /Message undeliverable/);

    assert.deepStrictEqual(sb.accepted(), []);
    assert.ok(sb.received.every((r) => r.to === REFUSED_RECIPIENT && !r.accepted && r.status === 400));
    for (const p of PROVIDERS) assert.equal((await sendTo(sb, p, '5511900000423')).status, OK_STATUS[p]);
  });
});

describe('sandbox: refusals (Meta codes for chosen recipients, each provider in its own words)', () => {
  test("Turn and SocialMiner answer Meta's envelope with the code's status, the first `times` messages to that recipient; others are accepted", async () => {
    const sb = await sandbox({ refusals: { '5511930000001': { code: 131056, times: 2 }, '5511930000002': { code: 368 } } });
    for (const provider of ['turn', 'socialminer'] as const) {
      sb.reset();
      for (let i = 0; i < 2; i++) {
        const a = await sendTo(sb, provider, '5511930000001');
        assert.equal(a.status, 429, a.text);
        assert.deepStrictEqual(Object.keys(a.body), ['error']);
        assert.equal(a.body.error.code, 131056);
        assert.equal(a.body.error.type, 'OAuthException');
        assert.equal(a.body.error.message, '(#131056) (Business Account, Consumer Account) pair rate limit hit');
        assert.equal(a.body.error.error_data.messaging_product, 'whatsapp');
        assert.equal(typeof a.body.error.fbtrace_id, 'string');
      }
      assert.equal((await sendTo(sb, provider, '5511930000001')).status, OK_STATUS[provider], 'the third is accepted');
      for (let i = 0; i < 3; i++) {
        const blocked = await sendTo(sb, provider, '5511930000002');
        assert.equal(blocked.status, 403);
        assert.equal(blocked.body.error.code, 368);
      }
      assert.equal((await sendTo(sb, provider, '5511930000003')).status, OK_STATUS[provider]);
      assert.equal(sb.accepted().length, 2);
      assert.ok(sb.received.filter((r) => r.status >= 400).every((r) => !r.accepted && r.to !== undefined));
    }
    // Interflow and Interacto speak no Meta codes: their own answer for a blocked account.
    assert.equal((await sendTo(sb, 'interflow', '5511930000002')).body.error.code, 'CHANNEL_DISCONNECTED');
    assert.equal((await sendTo(sb, 'interacto', '5511930000002')).status, 422);
  });

  test('Interflow and Interacto answer each situation in their own envelope, not accepted; the first `times` only', async () => {
    const to = (i: number): string => String(5511930000100 + i);
    const sb = await sandbox({
      refusals: {
        [to(1)]: { code: 190 },
        [to(2)]: { code: 130429, times: 1 },
        [to(3)]: { code: 131057 },
        [to(4)]: { code: 131031 },
        [to(5)]: { code: 131026 },
        [to(6)]: { code: 132001 },
        [to(7)]: { code: 131053 },
      },
    });
    const interflow = async (i: number): Promise<[number, string, string?, string?]> => {
      const a = await sendTo(sb, 'interflow', to(i));
      assert.equal(a.body.success, false, a.text);
      return [a.status, a.body.error.code, a.body.error.details?.[0]?.field, a.headers['retry-after'] as string | undefined];
    };
    assert.deepStrictEqual(await interflow(1), [401, 'UNAUTHORIZED', undefined, undefined]);
    assert.deepStrictEqual(await interflow(2), [429, 'RATE_LIMIT_EXCEEDED', undefined, '1']);
    assert.deepStrictEqual(await interflow(3), [503, 'SERVICE_UNAVAILABLE', undefined, undefined]);
    assert.deepStrictEqual(await interflow(4), [422, 'CHANNEL_DISCONNECTED', undefined, undefined]);
    assert.deepStrictEqual(await interflow(5), [400, 'VALIDATION_ERROR', 'to', undefined]);
    assert.deepStrictEqual(await interflow(6), [400, 'VALIDATION_ERROR', 'content.name', undefined]);
    assert.deepStrictEqual(await interflow(7), [400, 'VALIDATION_ERROR', 'content', undefined]);
    assert.equal((await sendTo(sb, 'interflow', to(2))).status, 201, 'times: 1, then accepted');

    const interacto = async (i: number): Promise<[number, string, unknown]> => {
      const a = await sendTo(sb, 'interacto', to(i));
      assert.deepStrictEqual(Object.keys(a.body), ['statusCode', 'message', 'error'], a.text);
      assert.equal(a.body.statusCode, a.status);
      return [a.status, a.body.error, a.headers['retry-after']];
    };
    assert.deepStrictEqual(await interacto(1), [401, 'Unauthorized', undefined]);
    assert.deepStrictEqual(await interacto(3), [503, 'Service Unavailable', undefined]);
    assert.deepStrictEqual(await interacto(4), [422, 'Unprocessable Entity', undefined]);
    const recipient = await sendTo(sb, 'interacto', to(5));
    assert.match(recipient.body.message[0], /^to: Message undeliverable \(WhatsApp 131026\)/);
    sb.refuse({ [to(2)]: { code: 4 } });
    assert.deepStrictEqual(await interacto(2), [429, 'Too Many Requests', '1']);
    assert.equal(sb.accepted().length, 1);
    assert.ok(sb.received.filter((r) => r.status >= 400).every((r) => !r.accepted && /--refuse \d+/.test(r.error ?? '')));
  });

  test('an Interflow batch: the key, the rate or the channel refuses the whole request; a recipient fails its item only', async () => {
    const sb = await sandbox({ refusals: { '5511930000201': { code: 131026 }, '5511930000202': { code: 368, times: 1 } } });
    const batch = (...tos: string[]): Promise<Answer> =>
      send(
        sb,
        'POST',
        '/interflow/v1/messages/bulk',
        { Authorization: `Bearer ${KEY}` },
        { channel_id: CHANNEL, messages: tos.map((to) => ({ to, type: 'text', content: { text: 'Olá' } })) },
      );
    const mixed = await batch('5511930000200', '5511930000201');
    assert.equal(mixed.status, 200, mixed.text);
    assert.deepStrictEqual(
      mixed.body.data.results.map((r: { success: boolean; error?: { code: string } }) => r.error?.code ?? r.success),
      [true, 'VALIDATION_ERROR'],
    );
    assert.equal(mixed.body.data.results[1].error.details[0].field, 'messages[1].to');
    const whole = await batch('5511930000200', '5511930000202');
    assert.equal(whole.status, 422);
    assert.equal(whole.body.error.code, 'CHANNEL_DISCONNECTED');
    assert.equal(sb.accepted().length, 1, 'nothing of the refused batch was accepted');
    assert.equal((await batch('5511930000202')).status, 200, 'times: 1');
  });

  test("'*' refuses every recipient not named, each counted apart; an invalid message is still refused as invalid; refuse() replaces them", async () => {
    const sb = await sandbox({ refusals: { '*': { code: 132001, times: 1 }, '5511930000009': { code: 131026 } } });
    const first = await sendTo(sb, 'socialminer', '5511930000001');
    assert.equal(first.status, 404);
    assert.equal(first.body.error.code, 132001);
    assert.equal((await sendTo(sb, 'socialminer', '5511930000002')).body.error.code, 132001);
    assert.equal((await sendTo(sb, 'socialminer', '5511930000001')).status, 200);
    assert.equal((await sendTo(sb, 'socialminer', '5511930000009')).body.error.code, 131026);
    const invalid = await send(
      sb,
      'POST',
      '/socialminer/api/Messages',
      { apikey: KEY, version: '4.0' },
      { messaging_product: 'whatsapp', to: '5511930000003', type: 'text', text: { body: 'oi' } },
    );
    assert.equal(invalid.body.error.code, 100, 'validation comes first');
    sb.refuse({});
    assert.equal((await sendTo(sb, 'turn', '5511930000009')).status, 200);
  });

  test('refusals the sandbox cannot give are a RangeError naming them', async () => {
    await assert.rejects(
      sandbox({ refusals: { '5511930000001': { code: 12345 } } }),
      /refusals\['5511930000001'\]\.code must be one of Meta's/,
    );
    await assert.rejects(sandbox({ refusals: { abc: { code: 131056 } } }), /'abc' is not a recipient/);
    await assert.rejects(sandbox({ refusals: { '*': { code: 131056, times: 0 } } }), /times must be a whole number from 1/);
  });
});

describe('sandbox: what it received', () => {
  test('stats() and accepted() as requests arrive; distinctBodies counts each (to, body) once', async () => {
    const sb = await sandbox();
    const a = await sendTo(sb, 'turn', PHONE, KEY, 'same');
    await sendTo(sb, 'turn', PHONE, KEY, 'same');
    await sendTo(sb, 'turn', '5511888888888', KEY, 'same');
    await sendTo(sb, 'interflow', 'bad');
    assert.deepStrictEqual(sb.stats(), { requests: 4, accepted: 3, byStatus: { 200: 3, 400: 1 }, distinctBodies: 2 });
    const accepted = sb.accepted();
    assert.equal(accepted.length, 3);
    assert.deepStrictEqual(accepted[0], {
      provider: 'turn',
      messageId: idOf('turn', a),
      to: PHONE,
      body: { to: PHONE, type: 'text', text: { body: 'same' } },
    });
    // A copy: changing it does not change the sandbox's.
    accepted.length = 0;
    assert.equal(sb.accepted().length, 3);
    const overHttp = await send(sb, 'GET', '/_sandbox/stats', {});
    assert.deepStrictEqual(overHttp.body, { requests: 4, accepted: 3, byStatus: { 200: 3, 400: 1 }, distinctBodies: 2 });
    assert.equal((await send(sb, 'GET', '/_sandbox/accepted', {})).body.length, 3);
    assert.equal((await send(sb, 'GET', '/_sandbox/requests', {})).body.length, 4, '/_sandbox/* is not counted');
    assert.equal(sb.stats().requests, 4);
  });

  test("record: 'none' keeps no log (received, accepted(), Interflow's store) while stats count", async () => {
    const seen: number[] = [];
    const sb = await sandbox({ record: 'none', onRequest: (r) => seen.push(r.status) });
    const sent = await sendTo(sb, 'interflow');
    assert.equal(sent.status, 201);
    await sendTo(sb, 'turn');
    await sendTo(sb, 'turn', REFUSED_RECIPIENT);
    assert.equal(sb.received.length, 0);
    assert.deepStrictEqual(sb.accepted(), []);
    assert.equal(sb.messages.size, 0);
    assert.deepStrictEqual(sb.stats(), { requests: 3, accepted: 2, byStatus: { 201: 1, 200: 1, 400: 1 }, distinctBodies: 2 });
    assert.deepStrictEqual(seen, [201, 200, 400], 'onRequest is still called');
    assert.deepStrictEqual((await send(sb, 'GET', '/_sandbox/requests', {})).body, []);
    const got = await send(sb, 'GET', `/interflow/v1/messages/${sent.body.data.id}`, { Authorization: `Bearer ${KEY}` });
    assert.equal(got.status, 404);
  });
});

describe('interflow sandbox command: fault flags', () => {
  test('parses each flag; --rate takes N/min, N/s or N', async () => {
    const { parseSandboxOptions, parseRate } = await import('../../src/commands/sandbox/run.js');
    assert.deepStrictEqual(
      parseSandboxOptions({
        failFirst: '2',
        failStatus: '429',
        retryAfter: '1',
        resetFirst: '1',
        hangFirst: '3',
        latency: '25',
        rate: '10/s',
        record: false,
        quietRequests: true,
      }),
      {
        port: 8787,
        host: '127.0.0.1',
        plan: 'professional',
        faults: { failFirst: 2, failStatus: 429, retryAfter: 1, resetFirst: 1, hangFirst: 3, latencyMs: 25, rate: 600 },
        record: 'none',
        quietRequests: true,
      },
    );
    assert.equal(parseRate('600/min'), 600);
    assert.equal(parseRate('10/s'), 600);
    assert.equal(parseRate('50'), 50);
    assert.equal(parseRate(' 7 / MIN '), 7);
    // No fault flag, no faults key; --record (the default) is no option either.
    assert.deepStrictEqual(parseSandboxOptions({ record: true }), { port: 8787, host: '127.0.0.1', plan: 'professional' });
  });

  test('--refuse TO=CODE[:N], repeatable; the banner names them', async () => {
    const { parseSandboxOptions, banner } = await import('../../src/commands/sandbox/run.js');
    const opts = parseSandboxOptions({ refuse: ['5511930000001=131056:2', '*=132001', ' 5511930000002 = 190 '] });
    assert.deepStrictEqual(opts.refusals, {
      '5511930000001': { code: 131056, times: 2 },
      '*': { code: 132001 },
      '5511930000002': { code: 190 },
    });
    assert.equal(opts.faults, undefined);
    const sb = await sandbox();
    const text = banner(sb, opts);
    assert.match(
      text,
      /refuse: messages to 5511930000001 answer Meta's 131056 \(Turn, SocialMiner\), Interflow 429 RATE_LIMIT_EXCEEDED, Interacto 429, the first 2 time\(s\)/,
    );
    assert.match(
      text,
      /refuse: messages to any other recipient answer Meta's 132001 \(Turn, SocialMiner\), Interflow 400 VALIDATION_ERROR, Interacto 400\n/,
    );
  });

  test('a bad value is a UsageError naming the flag (exit 2)', async () => {
    const { parseSandboxOptions } = await import('../../src/commands/sandbox/run.js');
    const bad: [Record<string, unknown>, string][] = [
      [{ failFirst: 'x' }, '--fail-first'],
      [{ failFirst: '-1' }, '--fail-first'],
      [{ failFirst: '1', failStatus: '418' }, '--fail-status'],
      [{ failStatus: '500' }, '--fail-status'],
      [{ failFirst: '1', retryAfter: '1.5' }, '--retry-after'],
      [{ retryAfter: '2' }, '--retry-after'],
      [{ resetFirst: 'many' }, '--reset-first'],
      [{ hangFirst: '1e3' }, '--hang-first'],
      [{ dripFirst: 'x' }, '--drip-first'],
      [{ dripMs: '50' }, '--drip-ms'],
      [{ dripFirst: '1', dripMs: '0' }, '--drip-ms'],
      [{ oversizeFirst: '-1' }, '--oversize-first'],
      [{ latency: '-5' }, '--latency'],
      [{ latency: '700000' }, '--latency'],
      [{ rate: '0' }, '--rate'],
      [{ rate: '5/h' }, '--rate'],
      [{ rate: 'fast' }, '--rate'],
      [{ refuse: '5511930000001' }, '--refuse'],
      [{ refuse: ['5511930000001=99999'] }, '--refuse'],
      [{ refuse: 'x=131056' }, '--refuse'],
      [{ refuse: '5511930000001=131056:0' }, '--refuse'],
    ];
    for (const [options, flag] of bad) {
      assert.throws(
        () => parseSandboxOptions(options),
        (e: Error & { exitCode?: number }) => e.name === 'UsageError' && e.exitCode === 2 && e.message.includes(flag),
        JSON.stringify(options),
      );
    }
  });

  test('the banner lists the active faults and the refused recipient; --quiet-requests logs no request', async () => {
    const { serveSandbox } = await import('../../src/commands/sandbox/run.js');
    const sandbox = await serving((ctx, stopped) =>
      serveSandbox(
        ctx,
        {
          port: 0,
          host: '127.0.0.1',
          plan: 'professional',
          faults: { failFirst: 1, failStatus: 429, retryAfter: 2, resetFirst: 1, hangFirst: 1, latencyMs: 5, rate: 600 },
          record: 'none',
          quietRequests: true,
        },
        stopped,
      ),
    );
    const { url } = sandbox;
    let err = sandbox.err();
    assert.match(err, /fail-first: the first 1 send request\(s\) answer 429 with Retry-After: 2/);
    assert.match(err, /reset-first/);
    assert.match(err, /hang-first/);
    assert.match(err, /latency: every send answer waits 5 ms/);
    assert.match(err, /rate: at most 600 send requests a minute/);
    assert.match(err, new RegExp(REFUSED_RECIPIENT));
    assert.match(err, /_sandbox\/stats/);
    const before = err;
    const res = await fetch(`${url}/turn/v1/messages`, {
      method: 'POST',
      headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: PHONE, text: { body: 'oi' } }),
    });
    assert.equal(res.status, 429);
    await res.text();
    await sandbox.stop();
    err = sandbox.err();
    assert.equal(sandbox.out(), '');
    assert.ok(!err.slice(before.length).includes('POST /turn'), 'no line per request');
    assert.match(err, /1 request\(s\) received, 0 message\(s\) accepted/);
  });

  test('describeRequest shows resets and hangs in place of a status', async () => {
    const { describeRequest } = await import('../../src/commands/sandbox/run.js');
    const base = {
      provider: 'turn' as const,
      method: 'POST',
      path: '/turn/v1/messages',
      headers: {},
      rawBody: '',
      body: undefined,
      at: '',
    };
    assert.equal(
      describeRequest({ ...base, status: 0, accepted: true, fault: 'reset', messageType: 'text', to: PHONE, messageId: 'gBEGx' }),
      `POST /turn/v1/messages reset text → ${PHONE} (gBEGx) — accepted, no answer sent`,
    );
    assert.equal(
      describeRequest({ ...base, status: 503, accepted: false, fault: 'fail', error: 'Service not ready' }),
      'POST /turn/v1/messages 503 [fail] — Service not ready',
    );
  });
});
