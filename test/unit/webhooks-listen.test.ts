/**
 * `webhooks listen`: payload normalization (Interflow, Meta statuses with errors, incoming
 * messages), and the receiver on a free loopback port: signatures over raw bytes, handshake,
 * replays, body limit, forwarding.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ExitCode, UsageError } from '../../src/errors.js';
import { normalizePayload, type WebhookEvent } from '../../src/webhooks/events.js';
import { RecentIds, startReceiver, verifySignature, type Receiver } from '../../src/webhooks/receiver.js';
import { parseListenOptions, tableRow } from '../../src/commands/webhooks/listen.run.js';
import { serving } from './serving.js';

const SECRET = 'whsec_unit_4f3e2d1c';
const sign = (body: Buffer | string, secret = SECRET) =>
  'sha256=' +
  createHmac('sha256', secret)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');

const interflowPayload = {
  event: 'message.status_updated',
  data: { message_id: 'msg_abc123xyz', status: 'delivered', timestamp: '2024-01-15T10:30:05Z' },
};

function metaStatusPayload(status = 'failed', id = 'wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjQ1') {
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
              statuses: [
                {
                  id,
                  status,
                  timestamp: '1705314605',
                  recipient_id: '5511999999999',
                  ...(status === 'failed'
                    ? {
                        errors: [
                          {
                            code: 131047,
                            title: 'Re-engagement message',
                            message: 'Re-engagement message',
                            error_data: {
                              details:
                                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
                            },
                          },
                        ],
                      }
                    : {}),
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

const metaMessagePayload = {
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
            contacts: [{ profile: { name: 'João' }, wa_id: '5511999999999' }],
            messages: [
              { from: '5511999999999', id: 'wamid.IN1', timestamp: '1705314700', type: 'text', text: { body: 'Olá 🎉 São Paulo' } },
              {
                from: '5511999999999',
                id: 'wamid.IN2',
                timestamp: '1705314701',
                type: 'interactive',
                interactive: { type: 'button_reply', button_reply: { id: 'sim', title: 'Sim' } },
              },
            ],
          },
        },
      ],
    },
  ],
};

describe('events', () => {
  test('Interflow message.status_updated', () => {
    const raw = Buffer.from(JSON.stringify(interflowPayload));
    const [e, ...rest] = normalizePayload(interflowPayload, { raw });
    assert.equal(rest.length, 0);
    assert.equal(e!.provider, 'interflow');
    assert.equal(e!.kind, 'status');
    assert.equal(e!.messageId, 'msg_abc123xyz');
    assert.equal(e!.status, 'delivered');
    assert.equal(e!.timestamp, '2024-01-15T10:30:05Z');
    assert.match(e!.id, /^sha256:[0-9a-f]{64}$/);
  });

  test("Interflow event id: the body's id, else the body's hash; never the unsigned X-Interflow-Event-Id header", () => {
    const withId = Buffer.from(JSON.stringify({ id: 'evt_1', ...interflowPayload }));
    assert.equal(normalizePayload(JSON.parse(withId.toString()), { raw: withId })[0]!.id, 'evt_1');
    const raw = Buffer.from(JSON.stringify(interflowPayload));
    const [e] = normalizePayload(interflowPayload, { raw });
    assert.equal(e!.id, 'sha256:' + createHash('sha256').update(raw).digest('hex'));
  });

  test('Meta status with a 131047 error carries code, title and a hint', () => {
    const p = metaStatusPayload();
    const [e] = normalizePayload(p, { raw: Buffer.from(JSON.stringify(p)) });
    assert.deepEqual(e, {
      id: 'wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjQ1:failed:1705314605',
      provider: 'meta',
      kind: 'status',
      messageId: 'wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjQ1',
      status: 'failed',
      from: '15550783881',
      to: '5511999999999',
      errorCode: '131047',
      errorTitle: 'Re-engagement message',
      errorDetails: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      hint: 'more than 24 hours have passed since the recipient last replied: send an approved template instead (`interflow send template`)',
      timestamp: '2024-01-15T10:30:05.000Z',
    });
    assert.match(
      tableRow(e!, false),
      /failed .*131047 Re-engagement message: Message failed to send because .* \(more than 24 hours have passed/,
    );
  });

  test('Meta incoming messages: several events in one payload, unicode kept', () => {
    const events = normalizePayload(metaMessagePayload, { raw: Buffer.from('x') });
    assert.equal(events.length, 2);
    assert.deepEqual(
      events.map((e) => [e.kind, e.id, e.type, e.from, e.to, e.text]),
      [
        ['message', 'wamid.IN1', 'text', '5511999999999', '15550783881', 'Olá 🎉 São Paulo'],
        ['message', 'wamid.IN2', 'interactive', '5511999999999', '15550783881', 'Sim'],
      ],
    );
  });

  test("Turn's top-level statuses[] form", () => {
    const p = { statuses: [{ id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU', status: 'read', timestamp: '1518694700', recipient_id: '16315555555' }] };
    const [e] = normalizePayload(p, { raw: Buffer.from('x') });
    assert.equal(e!.status, 'read');
    assert.equal(e!.to, '16315555555');
  });

  test('unknown shapes give no events', () => {
    assert.deepEqual(normalizePayload({ hello: 'world' }, { raw: Buffer.from('x') }), []);
    assert.deepEqual(normalizePayload([1, 2], { raw: Buffer.from('x') }), []);
  });
});

describe('signature and replay helpers', () => {
  test('verifySignature never throws on odd headers', () => {
    const raw = Buffer.from('{"a":1}');
    assert.equal(verifySignature(SECRET, raw, sign(raw)), true);
    for (const bad of [
      undefined,
      '',
      'sha256=',
      'sha256=abcd',
      'sha1=' + 'a'.repeat(40),
      'sha256=zz',
      sign(raw) + '00',
      sign(raw, 'other'),
    ]) {
      assert.equal(verifySignature(SECRET, raw, bad), false, String(bad));
    }
  });

  test('RecentIds is bounded', () => {
    const ids = new RecentIds(2);
    assert.equal(ids.add('a'), true);
    assert.equal(ids.add('b'), true);
    assert.equal(ids.add('a'), false);
    assert.equal(ids.add('c'), true); // evicts b (a was refreshed)
    assert.equal(ids.size, 2);
    assert.equal(ids.add('b'), true);
  });
});

describe('listen options', () => {
  test('--secret names an env var; unset → usage error naming it', () => {
    assert.throws(
      () => parseListenOptions({ secret: 'UNSET_WEBHOOK_SECRET' }, {}),
      (err: unknown) => err instanceof UsageError && err.exitCode === ExitCode.usage && /UNSET_WEBHOOK_SECRET/.test(err.message),
    );
    const opts = parseListenOptions({ secret: 'MY_SECRET', port: '0' }, { MY_SECRET: SECRET });
    assert.equal(opts.secret, SECRET);
    assert.equal(opts.port, 0);
  });

  test('a secret shorter than 8 characters is refused, naming the variable, the secret never shown', () => {
    assert.throws(
      () => parseListenOptions({ secret: 'SHORT_SECRET' }, { SHORT_SECRET: 's3cret' }),
      (err: unknown) =>
        err instanceof UsageError && err.exitCode === ExitCode.usage && /SHORT_SECRET/.test(err.message) && !/s3cret/.test(err.message),
    );
    assert.equal(parseListenOptions({ secret: 'OK_SECRET' }, { OK_SECRET: 's3cret12' }).secret, 's3cret12');
  });

  test('bad flags are named', () => {
    assert.throws(() => parseListenOptions({ port: '70000' }, {}), /--port/);
    assert.throws(() => parseListenOptions({ path: 'hooks' }, {}), /--path/);
    assert.throws(() => parseListenOptions({ maxBody: '0' }, {}), /--max-body/);
    assert.throws(() => parseListenOptions({ forward: 'ftp://x' }, {}), /--forward/);
  });
});

describe('receiver', () => {
  let receiver: Receiver;
  const events: WebhookEvent[] = [];
  const rejected: string[] = [];
  const forwarded: { body: Buffer; headers: IncomingMessage['headers'] }[] = [];
  const sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      forwarded.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.end('ok');
    });
  });

  before(async () => {
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    receiver = await startReceiver({
      host: '127.0.0.1',
      port: 0,
      path: '/hooks',
      secret: SECRET,
      verifyToken: 'tok-verify-123',
      maxBodyBytes: 4096,
      forward: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/in`,
      onEvent: (e) => events.push(e),
      onRejected: (r) => rejected.push(r),
    });
  });
  after(async () => {
    await receiver.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  });

  const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  const settle = () => new Promise((r) => setTimeout(r, 50));

  test('url and port', () => {
    assert.ok(receiver.port > 0);
    assert.equal(receiver.url, `http://127.0.0.1:${receiver.port}/hooks`);
  });

  test('a valid signature is accepted and delivered', async () => {
    const body = JSON.stringify(metaStatusPayload('delivered', 'wamid.VALID'));
    const res = await post(body, { 'x-hub-signature-256': sign(body) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    assert.ok(events.some((e) => e.messageId === 'wamid.VALID' && e.status === 'delivered'));
  });

  test('one changed byte → 403, not delivered', async () => {
    const body = JSON.stringify(metaStatusPayload('delivered', 'wamid.TAMPER'));
    const sig = sign(body);
    const tampered = body.replace('delivered', 'delivereD');
    const res = await post(tampered, { 'x-hub-signature-256': sig });
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    assert.ok(!events.some((e) => e.messageId === 'wamid.TAMPER'));
    assert.match(rejected.at(-1)!, /^403 bad signature from 127\.0\.0\.1$/);
  });

  test('a wrong-length signature → 403, and the receiver keeps working', async () => {
    const body = JSON.stringify(metaStatusPayload('read', 'wamid.SHORT'));
    const res = await post(body, { 'x-hub-signature-256': sign(body).slice(0, 20) });
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    const ok = await post(body, { 'x-hub-signature-256': sign(body) });
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
  });

  test('a missing signature with a secret → 403', async () => {
    const body = JSON.stringify(metaStatusPayload('read', 'wamid.UNSIGNED'));
    const res = await post(body);
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    assert.ok(!events.some((e) => e.messageId === 'wamid.UNSIGNED'));
    assert.match(rejected.at(-1)!, /^403 missing signature from /);
  });

  test('handshake: right token → challenge, wrong → 403', async () => {
    const ok = await fetch(`${receiver.url}?hub.mode=subscribe&hub.verify_token=tok-verify-123&hub.challenge=1158201444`);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type')!, /^text\/plain/);
    assert.equal(await ok.text(), '1158201444');
    const wrong = await fetch(`${receiver.url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    assert.equal(wrong.status, 403);
    assert.ok(!(await wrong.text()).includes('1158201444'));
    const mode = await fetch(`${receiver.url}?hub.mode=unsubscribe&hub.verify_token=tok-verify-123&hub.challenge=1`);
    assert.equal(mode.status, 403);
    await mode.arrayBuffer();
  });

  test('other paths → 404', async () => {
    const res = await fetch(receiver.url.replace('/hooks', '/other'), { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });

  test('a non-ASCII body signed over its raw bytes is accepted, text byte-exact', async () => {
    const payload = JSON.parse(JSON.stringify(metaMessagePayload));
    payload.entry[0].changes[0].value.messages = [
      { from: '5511988887777', id: 'wamid.UNICODE', timestamp: '1705314800', type: 'text', text: { body: 'Olá 🎉 São Paulo' } },
    ];
    const raw = Buffer.from(JSON.stringify(payload), 'utf8');
    const res = await post(raw, { 'x-hub-signature-256': sign(raw) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const e = events.find((x) => x.messageId === 'wamid.UNICODE');
    assert.equal(e?.text, 'Olá 🎉 São Paulo');
  });

  test('a replayed event is delivered once (still 200)', async () => {
    const body = JSON.stringify({ id: 'evt_replay_1', ...interflowPayload, data: { ...interflowPayload.data, message_id: 'msg_replay' } });
    for (let i = 0; i < 3; i++) {
      const res = await post(body, { 'x-hub-signature-256': sign(body) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    assert.equal(events.filter((e) => e.messageId === 'msg_replay').length, 1);
  });

  test('a body over the limit → 413, not delivered', async () => {
    const payload = {
      id: 'evt_big',
      event: 'message.status_updated',
      data: { message_id: 'msg_big', status: 'sent', timestamp: '2024-01-15T10:30:05Z', pad: 'x'.repeat(5000) },
    };
    const body = JSON.stringify(payload);
    const res = await post(body, { 'x-hub-signature-256': sign(body) });
    assert.equal(res.status, 413);
    await res.arrayBuffer().catch(() => undefined);
    assert.ok(!events.some((e) => e.messageId === 'msg_big'));
  });

  test('a body over the limit without content-length (chunked) → 413', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'y'.repeat(10_000) }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 1000) controller.enqueue(big.subarray(i, i + 1000));
        controller.close();
      },
    });
    const res = await fetch(receiver.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
    await res.arrayBuffer().catch(() => undefined);
  });

  test('forward relays the raw bytes with the signature', async () => {
    const raw = Buffer.from(
      JSON.stringify({ id: 'evt_fwd', ...interflowPayload, data: { ...interflowPayload.data, message_id: 'msg_fwd', note: 'Olá 🎉' } }),
      'utf8',
    );
    const res = await post(raw, { 'x-hub-signature-256': sign(raw) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    // Wait for the forward to arrive (the 60 s limit only names what never came).
    const deadline = Date.now() + 60_000;
    while (!forwarded.some((f) => f.body.equals(raw)) && Date.now() < deadline) await settle();
    const f = forwarded.find((x) => x.body.equals(raw));
    assert.ok(f, 'forwarded body is byte-identical');
    assert.equal(f.headers['x-hub-signature-256'], sign(raw));
    assert.equal(f.headers['content-type'], 'application/json');
  });
});

describe('serveWebhooks --json FIELDS', () => {
  test('each event a JSON line of only those fields, in that order, on a terminal too', async () => {
    const { serveWebhooks } = await import('../../src/commands/webhooks/listen.run.js');
    const listening = await serving(
      (ctx, stopped) => serveWebhooks(ctx, { host: '127.0.0.1', port: 0, path: '/', maxBodyBytes: 65536 }, stopped),
      { json: true, fields: ['status', 'messageId', 'errorCode'] },
      { stdoutTTY: true },
    );
    const res = await fetch(listening.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(interflowPayload),
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    while (listening.out() === '') await new Promise((r) => setTimeout(r, 10));
    await listening.stop();
    // An Interflow status has no errorCode: left out.
    assert.equal(listening.out(), '{"status":"delivered","messageId":"msg_abc123xyz"}\n');
  });
});

describe("error hints: every code of the README's troubleshooting table", () => {
  test('gets a hint in webhook events (Meta and Turn numbering, Interflow codes)', async () => {
    const { readFileSync } = await import('node:fs');
    const { webhookErrorHint } = await import('../../src/providers/meta.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.split('| what you see | why | what to do |')[1]!.split('\n\n')[0]!;
    const firstCells = table
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('|---'))
      .map((l) => l.split(' | ')[0]!);
    const codes = firstCells.flatMap((c) => [...c.matchAll(/`([0-9]+|[A-Z][A-Z_]+)`/g)].map((m) => m[1]!));
    const httpStatuses = new Set(['400', '401', '403', '404', '422', '429']);
    const checked = codes.filter((c) => !httpStatuses.has(c));
    for (const must of [
      '131047',
      '470',
      '131026',
      '1013',
      '132000',
      '2000',
      '132001',
      '2001',
      '131056',
      '130429',
      '1015',
      'CHANNEL_DISCONNECTED',
    ]) {
      assert.ok(checked.includes(must), `the table lists ${must}`);
    }
    for (const code of checked) {
      const hint = webhookErrorHint(/^[0-9]+$/.test(code) ? 'meta' : 'interflow', code);
      assert.ok(hint, `a hint for ${code}`);
    }
    assert.equal(webhookErrorHint('meta', '470'), webhookErrorHint('meta', '131047'));
  });
});

describe('plainText and jsonText', () => {
  test('escape sequences, controls and bidi overrides are removed; JSON keeps the value, escaped', async () => {
    const { plainText, jsonText } = await import('../../src/output/sanitize.js');
    const hostile = 'a\u001b[2Jb\u001b]0;title\u0007c\u001b[8md\u009b31me\u001bPdcs\u001b\\f\u202eg\u0000h\r\ni\tj';
    assert.equal(plainText(hostile), 'abcdefgh i j');
    assert.equal(plainText(hostile, { multiline: true }), 'abcdefgh\ni j');
    assert.equal(plainText('Olá 🎉 São Paulo'), 'Olá 🎉 São Paulo');
    const json = jsonText({ t: hostile });
    assert.doesNotMatch(json, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.deepEqual(JSON.parse(json), { t: hostile });
    assert.equal(jsonText({ t: 'Olá 🎉' }), '{"t":"Olá 🎉"}');
  });
});
