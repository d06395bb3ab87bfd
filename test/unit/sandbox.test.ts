/**
 * The sandbox over real HTTP: each provider accepts the bodies its document shows and answers as
 * the document does, and refuses (in the provider's own error shape) what the document does not
 * describe: undocumented fields, wrong types, wrong auth, unknown channels, non-JSON, wrong paths.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { serving } from './serving.js';

const PHONE = '5511999999999';
const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
const DISCONNECTED = '550e8400-e29b-41d4-a716-446655440001';
const INSTANCE = '66a09db606fd14660c8fc1d0';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(
  sb: Sandbox,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown; raw?: string | Uint8Array<ArrayBuffer> } = {},
): Promise<Answer> {
  const hasBody = opts.raw !== undefined || opts.body !== undefined;
  const res = await fetch(sb.url + path, {
    method,
    headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
    body: opts.raw !== undefined ? opts.raw : opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

// ── per-provider senders ─────────────────────────────────────────────────────────────────────

const interflowAuth = { Authorization: 'Bearer if_live_abc123' };
const interflow = (sb: Sandbox, body: unknown, headers: Record<string, string> = interflowAuth) =>
  call(sb, 'POST', '/interflow/v1/messages/send', { headers, body });
const ifMsg = (type: string, content: unknown, extra: Record<string, unknown> = {}) => ({
  channel_id: CHANNEL,
  to: PHONE,
  type,
  content,
  ...extra,
});

const interactoHeaders = { Authorization: 'ia_test_key', 'Instance-Id': INSTANCE };
const interacto = (sb: Sandbox, body: unknown, headers: Record<string, string> = interactoHeaders) =>
  call(sb, 'POST', '/interacto/message/contact', { headers, body });

const turnAuth = { Authorization: 'Bearer turn_token' };
const turn = (sb: Sandbox, body: unknown, headers: Record<string, string> = turnAuth) =>
  call(sb, 'POST', '/turn/v1/messages', { headers, body });

const smHeaders = { apikey: 'sm_key', version: '4.0' };
const socialminer = (sb: Sandbox, body: unknown, headers: Record<string, string> = smHeaders) =>
  call(sb, 'POST', '/socialminer/api/Messages', { headers, body });
const smMsg = (type: string, payload: Record<string, unknown>) => ({
  messaging_product: 'whatsapp',
  to: PHONE,
  type,
  recipient_type: 'individual',
  ...payload,
});

// ── assertions on error shapes ───────────────────────────────────────────────────────────────

function interflowRefused(a: Answer, status: number, code: string, field?: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body.success, false);
  assert.equal(a.body.error.code, code);
  assert.equal(typeof a.body.error.message, 'string');
  if (field !== undefined) {
    assert.ok(Array.isArray(a.body.error.details), a.text);
    assert.ok(
      a.body.error.details.some((d: { field: string }) => d.field === field),
      `details name ${field}: ${a.text}`,
    );
  }
}

function interactoRefused(a: Answer, status: number, mention?: RegExp): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body.statusCode, status);
  assert.equal(typeof a.body.error, 'string');
  if (status === 400) assert.ok(Array.isArray(a.body.message), a.text);
  if (mention) assert.match(JSON.stringify(a.body.message), mention);
}

function turnRefused(a: Answer, status: number, code: number, mention?: RegExp): void {
  assert.equal(a.status, status, a.text);
  assert.ok(Array.isArray(a.body.errors) && a.body.errors.length > 0, a.text);
  assert.ok(
    a.body.errors.some((e: { code: number }) => e.code === code),
    `error code ${code}: ${a.text}`,
  );
  for (const e of a.body.errors) {
    assert.equal(typeof e.code, 'number');
    assert.equal(typeof e.title, 'string');
    assert.equal(typeof e.details, 'string');
  }
  if (mention) assert.match(JSON.stringify(a.body.errors), mention);
}

function metaRefused(a: Answer, status: number, code: number, mention?: RegExp): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body.error.type, 'OAuthException');
  assert.equal(a.body.error.code, code);
  assert.equal(typeof a.body.error.message, 'string');
  assert.equal(typeof a.body.error.fbtrace_id, 'string');
  if (mention) assert.match(JSON.stringify(a.body.error), mention);
}

// ─────────────────────────────────────────────────────────────────────────────────────────────

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ port: 0 });
});
after(async () => {
  await sb.close();
});
beforeEach(() => sb.reset());

describe('sandbox: server', () => {
  test('listens on 127.0.0.1 with a free port and a URL without trailing slash', () => {
    assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(sb.port > 0);
    assert.equal(sb.url, `http://127.0.0.1:${sb.port}`);
  });

  test('an unknown path is 404 {error:"not found"} and is recorded', async () => {
    for (const path of ['/nope', '/interflow/v1/nope', '/turn/v2/messages', '/socialminer/api/messages', '/interacto/message/text']) {
      const a = await call(sb, 'POST', path, { body: {} });
      assert.equal(a.status, 404, path);
      assert.deepStrictEqual(a.body, { error: 'not found' });
    }
    assert.equal(sb.received.length, 5);
    assert.equal(sb.received[0]!.provider, 'unknown');
    assert.equal(sb.received[1]!.provider, 'interflow');
  });

  test('UTF-8 arrives byte-exact in rawBody and parsed in body', async () => {
    const raw = `{"channel_id":"${CHANNEL}","to":"${PHONE}","type":"text","content":{"text":"Olá 🎉 São Paulo"}}`;
    const a = await call(sb, 'POST', '/interflow/v1/messages/send', { headers: interflowAuth, raw: new TextEncoder().encode(raw) });
    assert.equal(a.status, 201, a.text);
    const r = sb.received.at(-1)!;
    assert.equal(r.rawBody, raw);
    assert.equal(Buffer.from(r.rawBody, 'utf8').length, Buffer.byteLength(raw));
    assert.equal((r.body as { content: { text: string } }).content.text, 'Olá 🎉 São Paulo');
    assert.equal(a.body.data.content.text, 'Olá 🎉 São Paulo');
  });

  test('bytes that are not UTF-8 are refused in the provider shape', async () => {
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('{"to":"'), Buffer.from([0xe3, 0x28]), Buffer.from('"}')]));
    const a = await call(sb, 'POST', '/turn/v1/messages', { headers: turnAuth, raw: bytes });
    turnRefused(a, 400, 100, /UTF-8/);
  });

  test('a body over 1 MiB is 413', async () => {
    const big = JSON.stringify(ifMsg('text', { text: 'x'.repeat(1024 * 1024 + 10) }));
    const a = await call(sb, 'POST', '/interflow/v1/messages/send', { headers: interflowAuth, raw: big });
    assert.equal(a.status, 413);
    assert.equal(a.body.success, false);
  });

  test('requests are recorded in order, refused ones included, with status and message id', async () => {
    const ok = await interflow(sb, ifMsg('text', { text: 'oi' }));
    await interflow(sb, ifMsg('text', { text: 'oi' }), {});
    await turn(sb, { to: PHONE, text: { body: 'oi' } });
    assert.deepStrictEqual(
      sb.received.map((r) => [r.provider, r.method, r.path, r.status]),
      [
        ['interflow', 'POST', '/interflow/v1/messages/send', 201],
        ['interflow', 'POST', '/interflow/v1/messages/send', 401],
        ['turn', 'POST', '/turn/v1/messages', 200],
      ],
    );
    assert.equal(sb.received[0]!.messageId, ok.body.data.id);
    assert.equal(sb.received[0]!.messageType, 'text');
    assert.equal(sb.received[0]!.to, PHONE);
    assert.equal(sb.received[0]!.headers.authorization, 'Bearer if_live_abc123');
    assert.ok(!Number.isNaN(Date.parse(sb.received[0]!.at)));
    assert.equal(sb.received[2]!.messageType, 'text');
  });

  test('GET /_sandbox/requests shows what was received with credentials masked; DELETE clears it', async () => {
    await interflow(sb, ifMsg('text', { text: 'oi' }));
    await socialminer(sb, smMsg('text', { text: { body: 'oi' } }));
    await interacto(sb, { to: PHONE, contact: { name: 'João', phone: PHONE } });
    const a = await call(sb, 'GET', '/_sandbox/requests');
    assert.equal(a.status, 200);
    assert.equal(a.body.length, 3);
    assert.equal(a.body[0].headers.authorization, '***');
    assert.equal(a.body[1].headers.apikey, '***');
    assert.equal(a.body[1].headers.version, '4.0');
    assert.equal(a.body[2].headers.authorization, '***');
    assert.ok(!a.text.includes('if_live_abc123') && !a.text.includes('sm_key') && !a.text.includes('ia_test_key'));
    assert.equal(a.body[0].body.content.text, 'oi');
    const d = await call(sb, 'DELETE', '/_sandbox/requests');
    assert.equal(d.status, 200);
    assert.equal(sb.received.length, 0);
    assert.deepStrictEqual((await call(sb, 'GET', '/_sandbox/requests')).body, []);
  });

  test('apiKeys: only the given keys are accepted, by every provider', async () => {
    const strict = await startSandbox({ apiKeys: ['good_key_1'] });
    try {
      interflowRefused(await interflow(strict, ifMsg('text', { text: 'oi' }), { Authorization: 'Bearer bad_key' }), 401, 'UNAUTHORIZED');
      assert.equal((await interflow(strict, ifMsg('text', { text: 'oi' }), { Authorization: 'Bearer good_key_1' })).status, 201);
      interactoRefused(await interacto(strict, { to: PHONE, contact: { name: 'J', phone: PHONE } }), 401);
      assert.equal(
        (
          await interacto(
            strict,
            { to: PHONE, contact: { name: 'J', phone: PHONE } },
            { Authorization: 'good_key_1', 'Instance-Id': INSTANCE },
          )
        ).status,
        201,
      );
      turnRefused(await turn(strict, { to: PHONE, text: { body: 'oi' } }), 401, 1005);
      assert.equal((await turn(strict, { to: PHONE, text: { body: 'oi' } }, { Authorization: 'Bearer good_key_1' })).status, 200);
      metaRefused(await socialminer(strict, smMsg('text', { text: { body: 'oi' } })), 401, 190);
      assert.equal(
        (await socialminer(strict, smMsg('text', { text: { body: 'oi' } }), { apikey: 'good_key_1', version: '4.0' })).status,
        200,
      );
    } finally {
      await strict.close();
    }
  });

  test('a wrong Content-Type is refused', async () => {
    const a = await call(sb, 'POST', '/interflow/v1/messages/send', {
      headers: { ...interflowAuth, 'Content-Type': 'text/plain' },
      raw: JSON.stringify(ifMsg('text', { text: 'oi' })),
    });
    interflowRefused(a, 400, 'VALIDATION_ERROR', 'Content-Type');
  });
});

describe('sandbox: interflow', () => {
  const documented: [string, unknown][] = [
    ['text', { text: 'Olá! Esta é uma mensagem de teste.' }],
    ['image', { url: 'https://exemplo.com/imagem.jpg', caption: 'Confira nossa nova coleção!' }],
    ['document', { url: 'https://exemplo.com/contrato.pdf', filename: 'contrato.pdf', caption: 'Segue o contrato em anexo.' }],
    ['location', { latitude: -23.5505, longitude: -46.6333, name: 'Escritório Central', address: 'Av. Paulista, 1000 - São Paulo' }],
    [
      'template',
      {
        name: 'order_confirmation',
        language: 'pt_BR',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'João' },
              { type: 'text', text: '12345' },
            ],
          },
        ],
      },
    ],
    ['video', { url: 'https://exemplo.com/v.mp4', caption: 'Vídeo' }],
    ['audio', { url: 'https://exemplo.com/a.ogg' }],
    [
      'template',
      {
        name: 'pedido',
        language: 'pt_BR',
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { link: 'https://exemplo.com/nota.pdf', filename: 'nota.pdf' } }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'SIM' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'pedido/123' }] },
        ],
      },
    ],
  ];
  for (const [type, content] of documented) {
    test(`accepts ${type} as documented: 201 with the documented answer and rate-limit headers`, async () => {
      const a = await interflow(sb, ifMsg(type, content));
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.success, true);
      const data = a.body.data;
      assert.match(data.id, /^msg_[a-z0-9]+$/);
      assert.equal(data.channel_id, CHANNEL);
      assert.equal(data.to, PHONE);
      assert.equal(data.type, type);
      assert.equal(data.status, 'sent');
      assert.deepStrictEqual(data.content, content);
      assert.match(data.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(a.headers.get('x-ratelimit-limit'), '300');
      assert.ok(Number(a.headers.get('x-ratelimit-remaining')) < 300);
      const reset = Number(a.headers.get('x-ratelimit-reset'));
      assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 61, String(reset));
    });
  }

  test('GET /messages/:id finds a sent message; unknown id is 404 MESSAGE_NOT_FOUND', async () => {
    const sent = await interflow(sb, ifMsg('text', { text: 'oi' }));
    const got = await call(sb, 'GET', `/interflow/v1/messages/${sent.body.data.id}`, { headers: interflowAuth });
    assert.equal(got.status, 200);
    assert.deepStrictEqual(got.body, { success: true, data: sent.body.data });
    assert.equal(sb.messages.get(sent.body.data.id)?.status, 'sent');
    assert.ok(got.headers.get('x-ratelimit-limit'));
    interflowRefused(await call(sb, 'GET', '/interflow/v1/messages/msg_nope', { headers: interflowAuth }), 404, 'MESSAGE_NOT_FOUND');
    interflowRefused(await call(sb, 'GET', `/interflow/v1/messages/${sent.body.data.id}`), 401, 'UNAUTHORIZED');
  });

  test('missing or malformed auth is 401 UNAUTHORIZED, with rate-limit headers', async () => {
    const auths: Record<string, string>[] = [
      {},
      { Authorization: 'if_live_abc123' },
      { Authorization: 'Bearer ' },
      { Authorization: 'Basic abc' },
      { Authorization: 'bearer x y' },
    ];
    for (const headers of auths) {
      const a = await interflow(sb, ifMsg('text', { text: 'oi' }), headers);
      interflowRefused(a, 401, 'UNAUTHORIZED');
      assert.equal(a.body.error.message, 'API key inválida ou ausente');
      assert.ok(a.headers.get('x-ratelimit-limit'));
    }
  });

  test('unknown channel is 404 CHANNEL_NOT_FOUND; disconnected is 422 CHANNEL_DISCONNECTED', async () => {
    const unknown = await interflow(sb, ifMsg('text', { text: 'oi' }, { channel_id: '11111111-2222-3333-4444-555555555555' }));
    interflowRefused(unknown, 404, 'CHANNEL_NOT_FOUND');
    assert.equal(unknown.body.error.message, 'Canal não encontrado');
    const off = await interflow(sb, ifMsg('text', { text: 'oi' }, { channel_id: DISCONNECTED }));
    interflowRefused(off, 422, 'CHANNEL_DISCONNECTED');
    assert.equal(off.body.error.message, 'O canal está desconectado');
    assert.ok(off.headers.get('x-ratelimit-remaining'));
  });

  test('validation errors name the dotted field', async () => {
    const cases: [unknown, string][] = [
      [ifMsg('location', { latitude: '-23.5505', longitude: -46.6333 }), 'content.latitude'],
      [ifMsg('location', { latitude: -123.5, longitude: -46.6333 }), 'content.latitude'],
      [ifMsg('template', { name: 'order_confirmation', language: { code: 'pt_BR', policy: 'deterministic' } }), 'content.language'],
      [ifMsg('text', { text: 'oi', preview_url: true }), 'content.preview_url'],
      [ifMsg('text', { text: 'oi' }, { messaging_product: 'whatsapp' }), 'messaging_product'],
      [ifMsg('audio', { url: 'https://exemplo.com/a.ogg', caption: 'no' }), 'content.caption'],
      [ifMsg('image', { url: 'https://exemplo.com/a.jpg', filename: 'a.jpg' }), 'content.filename'],
      [ifMsg('image', { url: 'ftp://exemplo.com/a.jpg' }), 'content.url'],
      [ifMsg('image', { id: '123' }), 'content.url'],
      [ifMsg('text', { text: '' }), 'content.text'],
      [ifMsg('text', { text: null }), 'content.text'],
      [ifMsg('sticker', { url: 'https://exemplo.com/s.webp' }), 'type'],
      [ifMsg('text', { text: 'oi' }, { to: '+5511999999999' }), 'to'],
      [ifMsg('text', { text: 'oi' }, { to: '11 99999-9999' }), 'to'],
      [ifMsg('text', { text: 'oi' }, { to: 5511999999999 }), 'to'],
      [ifMsg('text', { text: 'oi' }, { channel_id: 'uuid-do-canal' }), 'channel_id'],
      [{ channel_id: CHANNEL, type: 'text', content: { text: 'oi' } }, 'to'],
      [
        ifMsg('template', {
          name: 'x',
          language: 'pt_BR',
          components: [{ type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'x' }] }],
        }),
        'content.components.0.index',
      ],
      [
        ifMsg('template', {
          name: 'x',
          language: 'pt_BR',
          components: [{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'payload', payload: 'x' }] }],
        }),
        'content.components.0.parameters.0.type',
      ],
      [ifMsg('template', { name: 'x', language: 'pt_BR', components: [{ type: 'footer' }] }), 'content.components.0.type'],
    ];
    for (const [body, field] of cases) interflowRefused(await interflow(sb, body), 400, 'VALIDATION_ERROR', field);
  });

  test('a missing field reads like the document: "Campo \'to\' é obrigatório"', async () => {
    const a = await interflow(sb, { channel_id: CHANNEL, type: 'text', content: { text: 'oi' } });
    assert.equal(a.body.error.message, "Campo 'to' é obrigatório");
    assert.deepStrictEqual(a.body.error.details, [{ field: 'to', message: 'Campo obrigatório' }]);
  });

  test('non-JSON, empty and non-object bodies are 400 VALIDATION_ERROR', async () => {
    for (const raw of ['not json', '', '[1,2]', '"text"', '{"channel_id":']) {
      const a = await call(sb, 'POST', '/interflow/v1/messages/send', { headers: interflowAuth, raw });
      interflowRefused(a, 400, 'VALIDATION_ERROR', 'body');
    }
  });

  test('a wrong method on a known path is refused', async () => {
    const a = await call(sb, 'GET', '/interflow/v1/messages/send', { headers: interflowAuth });
    assert.equal(a.status, 405);
  });

  test('rate limit: per key, sliding minute, 429 with Retry-After past the limit', async () => {
    const small = await startSandbox({ rateLimit: 3 });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = await interflow(small, ifMsg('text', { text: `oi ${i}` }));
        assert.equal(a.status, 201);
        assert.equal(a.headers.get('x-ratelimit-limit'), '3');
        remaining.push(a.headers.get('x-ratelimit-remaining')!);
      }
      assert.deepStrictEqual(remaining, ['2', '1', '0']);
      const over = await interflow(small, ifMsg('text', { text: 'demais' }));
      interflowRefused(over, 429, 'RATE_LIMIT_EXCEEDED');
      assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
      const retry = Number(over.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60, String(retry));
      // Another key has its own window.
      assert.equal((await interflow(small, ifMsg('text', { text: 'oi' }), { Authorization: 'Bearer outra_chave' })).status, 201);
    } finally {
      await small.close();
    }
  });

  test('plans set the limit: starter 60, enterprise 1000', async () => {
    for (const [plan, limit] of [
      ['starter', '60'],
      ['enterprise', '1000'],
    ] as const) {
      const s = await startSandbox({ plan });
      try {
        assert.equal((await interflow(s, ifMsg('text', { text: 'oi' }))).headers.get('x-ratelimit-limit'), limit);
      } finally {
        await s.close();
      }
    }
  });

  test('the window slides: requests leave it after windowMs', async () => {
    let now = Date.now();
    const quick = await startSandbox({ rateLimit: 1, rateWindowMs: 200, clock: () => now });
    try {
      assert.equal((await interflow(quick, ifMsg('text', { text: 'a' }))).status, 201);
      assert.equal((await interflow(quick, ifMsg('text', { text: 'b' }))).status, 429);
      now += 199;
      assert.equal((await interflow(quick, ifMsg('text', { text: 'b2' }))).status, 429, 'still inside the window');
      now += 1;
      assert.equal((await interflow(quick, ifMsg('text', { text: 'c' }))).status, 201);
    } finally {
      await quick.close();
    }
  });
});

describe('sandbox: interacto', () => {
  const example = {
    to: PHONE,
    contact: { name: 'João Silva', phone: PHONE },
    delay: 2,
    typing: 8,
    priority: 2,
    tags: ['urgente', 'lead'],
    metadata: { leadId: '1234533' },
  };

  test('accepts the documented example: 201 with the documented answer', async () => {
    const a = await interacto(sb, example);
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.statusCode, 201);
    assert.equal(a.body.message, 'request successful');
    const d = a.body.data;
    assert.match(d.id, /^[0-9a-f]{24}$/);
    assert.equal(d.instanceId, INSTANCE);
    assert.equal(d.to, PHONE);
    assert.deepStrictEqual(d.midia, { name: 'João Silva', phone: PHONE });
    assert.equal(d.status, 'QUEUED');
    assert.equal(d.sended, false);
    assert.equal(d.priority, 2);
    assert.match(d.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.deepStrictEqual(d.metadata, { leadId: '1234533' });
    assert.equal(sb.received.at(-1)!.messageId, d.id);
  });

  test('accepts the minimal body (to + contact)', async () => {
    const a = await interacto(sb, { to: PHONE, contact: { name: 'João', phone: PHONE } });
    assert.equal(a.status, 201, a.text);
    assert.deepStrictEqual(a.body.data.metadata, {});
  });

  test('auth: missing, empty or "Bearer …" is 401 Unauthorized', async () => {
    for (const headers of <Record<string, string>[]>[
      { 'Instance-Id': INSTANCE },
      { Authorization: '', 'Instance-Id': INSTANCE },
      { Authorization: 'Bearer ia_test_key', 'Instance-Id': INSTANCE },
    ]) {
      const a = await interacto(sb, example, headers);
      interactoRefused(a, 401);
      assert.equal(a.body.error, 'Unauthorized');
    }
  });

  test('missing Instance-Id is 400; an unknown instance is 404', async () => {
    interactoRefused(await interacto(sb, example, { Authorization: 'ia_test_key' }), 400, /Instance-Id/);
    const unknown = await interacto(sb, example, { Authorization: 'ia_test_key', 'Instance-Id': '000000000000000000000000' });
    interactoRefused(unknown, 404);
  });

  test('undocumented fields and wrong types are 400 Bad Request naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...example, Id: 'x' }, /Id/],
      [{ ...example, text: 'oi' }, /text/],
      [{ ...example, contact: { name: 'João', phone: PHONE, email: 'a@b.c' } }, /contact\.email/],
      [{ ...example, delay: '2' }, /delay/],
      [{ ...example, priority: 1.5 }, /priority/],
      [{ ...example, tags: 'lead' }, /tags/],
      [{ ...example, metadata: ['x'] }, /metadata/],
      [{ ...example, to: '+5511999999999' }, /to/],
      [{ ...example, contact: { name: 'João', phone: '+55 (11) 99999-9999' } }, /contact\.phone/],
      [{ to: PHONE }, /contact/],
      [{ ...example, contact: { phone: PHONE } }, /contact\.name/],
    ];
    for (const [body, mention] of cases) {
      const a = await interacto(sb, body);
      interactoRefused(a, 400, mention);
      assert.equal(a.body.error, 'Bad Request');
    }
  });

  test('non-JSON is 400 Bad Request', async () => {
    interactoRefused(await call(sb, 'POST', '/interacto/message/contact', { headers: interactoHeaders, raw: '{oops' }), 400);
  });
});

describe('sandbox: turn', () => {
  const documented: [string, unknown][] = [
    ['text', { preview_url: false, recipient_type: 'individual', to: PHONE, type: 'text', text: { body: 'your-text-message-content' } }],
    ['text without type', { to: PHONE, text: { body: 'oi' } }],
    ['audio by id', { recipient_type: 'individual', to: PHONE, type: 'audio', audio: { id: 'your-media-id' } }],
    ['document by id', { to: PHONE, type: 'document', document: { id: 'your-media-id', caption: 'your-document-caption' } }],
    ['image by link', { to: PHONE, type: 'image', image: { link: 'https://exemplo.com/i.jpg', caption: 'Oi' } }],
    ['document by link', { to: PHONE, type: 'document', document: { link: 'https://exemplo.com/a.pdf', filename: 'a.pdf' } }],
    ['sticker', { to: PHONE, type: 'sticker', sticker: { id: 'your-media-id' } }],
    ['video', { to: PHONE, type: 'video', video: { id: 'your-media-id', caption: 'your-video-caption' } }],
    [
      'template',
      {
        to: PHONE,
        type: 'template',
        template: {
          namespace: 'template-namespace',
          name: 'template-name',
          language: { code: 'en', policy: 'deterministic' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'header placeholder value' }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'body placeholder 1 value' },
                { type: 'text', text: 'body placeholder 2 value' },
              ],
            },
          ],
        },
      },
    ],
    [
      'template with quick replies',
      {
        to: PHONE,
        type: 'template',
        template: {
          name: 'template-name',
          language: { code: 'en', policy: 'deterministic' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: 'valor' }] },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'button-0-payload' }] },
            { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'button-1-payload' }] },
          ],
        },
      },
    ],
    [
      'media template',
      {
        to: PHONE,
        type: 'template',
        template: {
          namespace: 'template-namespace',
          name: 'template-name',
          language: { code: 'en', policy: 'fallback' },
          components: [{ type: 'header', parameters: [{ type: 'video', video: { link: 'https://url.com/video-file.mp4' } }] }],
        },
      },
    ],
    [
      'interactive buttons',
      {
        to: PHONE,
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'text', text: 'seu texto' },
          body: { text: 'seu-conteúdo-de-corpo-de-texto' },
          footer: { text: 'rodapé' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'id-1', title: 'Primeiro Botão' } },
              { type: 'reply', reply: { id: 'id-2', title: 'Segundo Botão' } },
            ],
          },
        },
      },
    ],
    [
      'interactive buttons with a document header by link',
      {
        to: PHONE,
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'document', document: { link: 'https://exemplo.com/a.pdf', provider: { name: 'exemplo' }, filename: 'a.pdf' } },
          body: { text: 'corpo' },
          action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }] },
        },
      },
    ],
    [
      'interactive list',
      {
        to: PHONE,
        type: 'interactive',
        interactive: {
          type: 'list',
          header: { type: 'text', text: 'cabeçalho' },
          body: { text: 'mensagem' },
          footer: { text: 'rodapé' },
          action: {
            button: 'cta',
            sections: [
              { title: 'seção 1', rows: [{ id: 'r1', title: 'linha 1', description: 'descrição' }] },
              { title: 'seção 2', rows: [{ id: 'r2', title: 'linha 2' }] },
            ],
          },
        },
      },
    ],
    [
      'location request',
      {
        to: PHONE,
        type: 'interactive',
        interactive: {
          type: 'location_request_message',
          body: { type: 'text', text: 'Por favor, informe sua localização?' },
          action: { name: 'send_location' },
        },
      },
    ],
    [
      'hsm with every localizable type',
      {
        to: PHONE,
        type: 'hsm',
        recipient_type: 'individual',
        hsm: {
          namespace: '8bea15c0_b636_0737_7912_63f2b9a6bd09',
          element_name: 'four_lparam_demo',
          language: { policy: 'deterministic', code: 'en_US' },
          localizable_params: [
            { default: 'just a string' },
            { default: '$100.99', currency: { currency_code: 'USD', amount_1000: 100990 } },
            {
              default: 'February 25, 1977',
              date_time: { component: { day_of_week: 5, day_of_month: 25, year: 1977, month: 2, hour: 15, minute: 33 } },
            },
            { default: 'January 26, 2017', date_time: { unix_epoch: { timestamp: 1485470276 } } },
          ],
        },
      },
    ],
  ];
  for (const [name, body] of documented) {
    test(`accepts ${name}: 200 {messages:[{id:"gBEG…"}]}`, async () => {
      const a = await turn(sb, body);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.messages.length, 1);
      assert.match(a.body.messages[0].id, /^gBEG[A-Za-z0-9_-]+$/);
      assert.deepStrictEqual(Object.keys(a.body), ['messages']);
    });
  }

  test('auth: missing or not Bearer is 401 with code 1005 Access denied', async () => {
    for (const headers of <Record<string, string>[]>[{}, { Authorization: 'turn_token' }, { Authorization: 'Token turn_token' }]) {
      const a = await turn(sb, { to: PHONE, text: { body: 'oi' } }, headers);
      turnRefused(a, 401, 1005);
      assert.equal(a.body.errors[0].title, 'Access denied');
    }
  });

  test('a missing required parameter is 1008', async () => {
    turnRefused(await turn(sb, { to: PHONE, type: 'text', text: {} }), 400, 1008, /text\.body/);
    turnRefused(await turn(sb, { type: 'text', text: { body: 'oi' } }), 400, 1008, /'to'/);
    turnRefused(await turn(sb, { to: PHONE, type: 'image' }), 400, 1008, /image/);
    turnRefused(
      await turn(sb, { to: PHONE, type: 'template', template: { name: 'n', language: { code: 'en' } } }),
      400,
      1008,
      /template\.language\.policy/,
    );
  });

  test('undocumented shapes and wrong types are 400 Invalid parameter naming the field', async () => {
    const tpl = (language: unknown) => ({ to: PHONE, type: 'template', template: { name: 'n', language } });
    const cases: [unknown, RegExp][] = [
      [{ messaging_product: 'whatsapp', to: PHONE, type: 'text', text: { body: 'oi' } }, /messaging_product/],
      [tpl('en'), /template\.language/],
      [tpl({ code: 'en', policy: 'sometimes' }), /template\.language\.policy/],
      [{ to: PHONE, type: 'text', text: { body: 'oi', preview_url: true } }, /text\.preview_url/],
      [{ to: PHONE, type: 'audio', audio: { id: 'm', caption: 'no' } }, /audio\.caption/],
      [{ to: PHONE, type: 'image', image: { id: 'm', filename: 'a.jpg' } }, /image\.filename/],
      [{ to: PHONE, type: 'sticker', sticker: { link: 'https://exemplo.com/s.webp' } }, /sticker/],
      [{ to: PHONE, type: 'image', image: { id: 'm', link: 'https://exemplo.com/i.jpg' } }, /image/],
      [{ to: PHONE, type: 'image', image: { url: 'https://exemplo.com/i.jpg' } }, /image\.url/],
      [{ to: PHONE, type: 'location', location: { latitude: '0', longitude: '0' } }, /type/],
      [{ to: PHONE, type: 'contacts', contacts: [] }, /type/],
      [{ to: '+5511999999999', text: { body: 'oi' } }, /'to'/],
      [{ to: PHONE, recipient_type: 'group', text: { body: 'oi' } }, /recipient_type/],
      [{ to: PHONE, text: { body: 'oi' }, Id: 'x' }, /Id/],
      [
        {
          to: PHONE,
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: 'x' },
            action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })) },
          },
        },
        /interactive\.action\.buttons/,
      ],
      [
        {
          to: PHONE,
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: 'x' },
            action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'um título longo demais para botão' } }] },
          },
        },
        /title/,
      ],
      [
        {
          to: PHONE,
          type: 'interactive',
          interactive: { type: 'location_request_message', body: { type: 'image', text: 'onde?' }, action: { name: 'send_location' } },
        },
        /interactive\.body\.type/,
      ],
      [
        {
          to: PHONE,
          type: 'interactive',
          interactive: {
            type: 'location_request_message',
            body: { type: 'text', text: 'onde?' },
            footer: { text: 'no footer here' },
            action: { name: 'send_location' },
          },
        },
        /interactive\.footer/,
      ],
      [
        {
          to: PHONE,
          type: 'hsm',
          hsm: { namespace: 'ns', element_name: 'e', language: 'en_US', localizable_params: [] },
        },
        /hsm\.language/,
      ],
      [
        {
          to: PHONE,
          type: 'hsm',
          hsm: { namespace: 'ns', element_name: 'e', language: { policy: 'fallback', code: 'en' }, localizable_params: [{ text: 'x' }] },
        },
        /localizable_params\.0/,
      ],
    ];
    for (const [body, mention] of cases) turnRefused(await turn(sb, body), 400, 100, mention);
  });

  test('non-JSON is 400 in the errors shape', async () => {
    turnRefused(await call(sb, 'POST', '/turn/v1/messages', { headers: turnAuth, raw: 'to=5511999999999' }), 400, 100, /JSON/);
  });
});

describe('sandbox: socialminer', () => {
  const documented: [string, Record<string, unknown>][] = [
    ['text', smMsg('text', { text: { body: 'Chamando' } })],
    ['text with preview_url', smMsg('text', { text: { body: 'Veja https://exemplo.com', preview_url: true } })],
    [
      'template',
      smMsg('template', {
        template: {
          name: 'beta_abandoncart_link_v1_1',
          language: { policy: 'deterministic', code: 'pt_BR' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: '[name]' }] },
            { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '[target_url]' }] },
          ],
        },
      }),
    ],
    [
      'interactive buttons (nulls and Id removed)',
      smMsg('interactive', {
        interactive: {
          type: 'button',
          body: { text: 'Olá, o que você gostaria de fazer? teste às 15:59' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'OLÁ, QUERO RECEBER MEU BENEFÍCIO.', title: 'Obter benefício' } },
              { type: 'reply', reply: { id: '#FALARCOMALOJA', title: 'Falar com a loja' } },
            ],
          },
        },
      }),
    ],
    [
      'interactive list',
      smMsg('interactive', {
        interactive: {
          type: 'list',
          body: { text: 'Escolha' },
          action: { button: 'Ver opções', sections: [{ rows: [{ id: 'a', title: 'A' }] }] },
        },
      }),
    ],
    [
      'contacts',
      smMsg('contacts', {
        contacts: [
          {
            addresses: [
              {
                street: 'STREET',
                city: 'CITY',
                state: 'STATE',
                zip: 'ZIP',
                country: 'COUNTRY',
                country_code: 'COUNTRY_CODE',
                type: 'HOME',
              },
              {
                street: 'STREET',
                city: 'CITY',
                state: 'STATE',
                zip: 'ZIP',
                country: 'COUNTRY',
                country_code: 'COUNTRY_CODE',
                type: 'WORK',
              },
            ],
            birthday: '1985-02-25',
            emails: [
              { email: 'EMAIL', type: 'WORK' },
              { email: 'EMAIL', type: 'HOME' },
            ],
            name: {
              formatted_name: 'NAME',
              first_name: 'FIRST_NAME',
              last_name: 'LAST_NAME',
              middle_name: 'MIDDLE_NAME',
              suffix: 'SUFFIX',
              prefix: 'PREFIX',
            },
            org: { company: 'COMPANY', department: 'DEPARTMENT', title: 'TITLE' },
            phones: [
              { phone: 'PHONE_NUMBER', type: 'HOME' },
              { phone: 'PHONE_NUMBER', type: 'WORK', wa_id: 'PHONE_OR_WA_ID' },
            ],
            urls: [
              { url: 'URL', type: 'WORK' },
              { url: 'URL', type: 'HOME' },
            ],
          },
        ],
      }),
    ],
    [
      'location',
      smMsg('location', { location: { longitude: '0.1', latitude: '0.0', name: '<Location Name>', address: "<Location's Address>" } }),
    ],
    ['image', smMsg('image', { image: { id: '515056594160172' } })],
    ['audio', smMsg('audio', { audio: { id: '515056594160172' } })],
    ['video', smMsg('video', { video: { id: '515056594160172' } })],
    ['document', smMsg('document', { document: { caption: 'doc', id: '515056594160172', filename: 'myNameDoc.pdf' } })],
    ['sticker', smMsg('sticker', { sticker: { id: '515056594160172' } })],
    ['image by link', smMsg('image', { image: { link: 'https://exemplo.com/i.jpg', caption: 'Oi' } })],
    // Meta's StickerMessage takes {id} or {link}.
    ['sticker by link', smMsg('sticker', { sticker: { link: 'https://exemplo.com/s.webp' } })],
  ];
  for (const [name, body] of documented) {
    test(`accepts ${name}: 200 with a wamid`, async () => {
      const a = await socialminer(sb, body);
      assert.equal(a.status, 200, a.text);
      assert.match(a.body.messages[0].id, /^wamid\.[A-Za-z0-9+/=]+$/);
      assert.deepStrictEqual(a.body.contacts, [{ input: PHONE, wa_id: PHONE }]);
      assert.equal(a.body.messaging_product, 'whatsapp');
    });
  }

  test('the document\'s own interactive example (nulls, "Id") is refused', async () => {
    const asDocumented = smMsg('interactive', {
      interactive: {
        type: 'button',
        header: null,
        body: { text: 'Olá' },
        footer: null,
        action: {
          button: null,
          buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }],
          catalog_id: null,
          product_retailer_id: null,
          sections: null,
        },
      },
      Id: '4edad171-75f0-4ab9-becd-642586ab9e1e',
    });
    const a = await socialminer(sb, asDocumented);
    metaRefused(a, 400, 100, /Id/);
    assert.match(a.body.error.error_data.details, /interactive\.header/);
    assert.equal(a.body.error.error_data.messaging_product, 'whatsapp');
  });

  test('auth: missing or empty apikey is 401 code 190', async () => {
    for (const headers of <Record<string, string>[]>[
      { version: '4.0' },
      { apikey: '', version: '4.0' },
      { Authorization: 'Bearer sm_key', version: '4.0' },
    ]) {
      metaRefused(await socialminer(sb, smMsg('text', { text: { body: 'oi' } }), headers), 401, 190);
    }
  });

  test('version header: missing or other than 4.0 is 400', async () => {
    for (const headers of <Record<string, string>[]>[
      { apikey: 'sm_key' },
      { apikey: 'sm_key', version: '3.0' },
      { apikey: 'sm_key', version: '4' },
    ]) {
      metaRefused(await socialminer(sb, smMsg('text', { text: { body: 'oi' } }), headers), 400, 100, /version/);
    }
  });

  test('undocumented shapes and wrong types are 400 code 100 naming the field', async () => {
    const { messaging_product: _mp, ...noProduct } = smMsg('text', { text: { body: 'oi' } });
    const { recipient_type: _rt, ...noRecipientType } = smMsg('text', { text: { body: 'oi' } });
    const cases: [unknown, RegExp][] = [
      [noProduct, /messaging_product/],
      [noRecipientType, /recipient_type/],
      [{ ...smMsg('text', { text: { body: 'oi' } }), messaging_product: 'sms' }, /messaging_product/],
      [smMsg('location', { location: { latitude: -23.5505, longitude: '-46.6333' } }), /location\.latitude/],
      [smMsg('location', { location: { latitude: '-23,5505', longitude: '-46.6333' } }), /location\.latitude/],
      [smMsg('text', { text: { body: 'oi' }, preview_url: true }), /preview_url/],
      [smMsg('text', { text: { body: null } }), /text\.body/],
      [smMsg('sticker', { sticker: { id: 'm', link: 'https://exemplo.com/s.webp' } }), /sticker/],
      [smMsg('audio', { audio: { id: 'm', caption: 'x' } }), /audio\.caption/],
      [smMsg('hsm', { hsm: {} }), /type/],
      [smMsg('template', { template: { name: 'n', language: { policy: 'fallback', code: 'pt_BR' } } }), /template\.language\.policy/],
      [smMsg('template', { template: { name: 'n', language: 'pt_BR' } }), /template\.language/],
      [
        smMsg('template', { template: { namespace: 'ns', name: 'n', language: { policy: 'deterministic', code: 'pt_BR' } } }),
        /template\.namespace/,
      ],
      [
        smMsg('template', {
          template: {
            name: 'n',
            language: { policy: 'deterministic', code: 'pt_BR' },
            components: [{ type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'x' }] }],
          },
        }),
        /template\.components\.0\.index/,
      ],
      [
        smMsg('interactive', {
          interactive: { type: 'location_request_message', body: { text: 'onde?' }, action: { name: 'send_location' } },
        }),
        /interactive\.type/,
      ],
      [smMsg('contacts', { contacts: [{ name: { first_name: 'João' } }] }), /contacts\.0\.name\.formatted_name/],
      [smMsg('contacts', { contacts: [] }), /contacts/],
      [smMsg('contacts', { contacts: [{ name: { formatted_name: 'J' }, birthday: '25/02/1985' }] }), /birthday/],
      [smMsg('text', { text: { body: 'oi' }, to: '+55 11 99999-9999' }), /to/],
    ];
    for (const [body, mention] of cases) metaRefused(await socialminer(sb, body), 400, 100, mention);
  });

  test('a missing parameter says so in the message', async () => {
    const a = await socialminer(sb, { messaging_product: 'whatsapp', recipient_type: 'individual', type: 'text', text: { body: 'oi' } });
    metaRefused(a, 400, 100);
    assert.equal(a.body.error.message, '(#100) The parameter to is required.');
  });

  test('non-JSON is 400 code 100', async () => {
    metaRefused(await call(sb, 'POST', '/socialminer/api/Messages', { headers: smHeaders, raw: '<xml/>' }), 400, 100, /JSON/);
  });
});

describe('interflow sandbox command', () => {
  test('--port must be 0-65535 (UsageError naming --port); --plan must be a plan', async () => {
    const { parseSandboxOptions } = await import('../../src/commands/sandbox/run.js');
    for (const port of ['abc', '-1', '65536', '1.5', '']) {
      assert.throws(
        () => parseSandboxOptions({ port }),
        (e: Error & { exitCode?: number }) => e.name === 'UsageError' && e.exitCode === 2 && /--port/.test(e.message),
      );
    }
    assert.deepStrictEqual(parseSandboxOptions({ port: '0', host: '127.0.0.1', plan: 'starter' }), {
      port: 0,
      host: '127.0.0.1',
      plan: 'starter',
    });
    assert.equal(parseSandboxOptions({}).port, 8787);
    // --plan is checked by the spec's schema, before run(): every plan the sandbox knows, nothing else.
    const { parseOptions } = await import('../../src/app.js');
    const { allSpecs } = await import('../../src/commands/registry.js');
    const { PLAN_LIMITS } = await import('../../src/sandbox/interflow.js');
    const spec = allSpecs().find((s) => s.name === 'sandbox')!;
    const given = { port: '8787', host: '127.0.0.1', record: true };
    for (const plan of Object.keys(PLAN_LIMITS)) assert.equal(parseOptions(spec, [], { ...given, plan: plan.toUpperCase() }).plan, plan);
    assert.throws(
      () => parseOptions(spec, [], { ...given, plan: 'gold' }),
      (e: Error & { exitCode?: number }) =>
        e.exitCode === 2 && e.message === "--plan must be one of starter, professional, enterprise, got 'gold'",
    );
    assert.deepStrictEqual(parseSandboxOptions({ apiKey: ['k1', 'k2'] }).apiKeys, ['k1', 'k2']);
  });

  test('prints the banner and one line per request on stderr, JSON lines on stdout with --json, never the key', async () => {
    const { serveSandbox } = await import('../../src/commands/sandbox/run.js');
    const key = 'sandbox_cmd_key_7f3a';
    const sandbox = await serving(
      (ctx, stopped) => serveSandbox(ctx, { port: 0, host: '127.0.0.1', plan: 'professional', apiKeys: [key] }, stopped),
      {
        json: true,
      },
    );
    const { url } = sandbox;
    let err = sandbox.err();
    for (const base of ['/interflow/v1', '/interacto', '/turn', '/socialminer']) assert.ok(err.includes(url + base), base);
    assert.match(err, /\.interflowrc/);
    const res = await fetch(`${url}/turn/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: PHONE, text: { body: 'oi' } }),
    });
    assert.equal(res.status, 200);
    await sandbox.stop();
    err = sandbox.err();
    const out = sandbox.out();
    assert.match(err, new RegExp(`POST /turn/v1/messages 200 text → ${PHONE}`));
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.provider, 'turn');
    assert.equal(line.headers.authorization, '***');
    assert.ok(!out.includes(key) && !err.includes(key));
    // The server is closed.
    await assert.rejects(fetch(`${url}/turn/v1/messages`));
  });

  test('--json FIELDS: each request line holds only those fields, in that order', async () => {
    const { serveSandbox } = await import('../../src/commands/sandbox/run.js');
    const sandbox = await serving((ctx, stopped) => serveSandbox(ctx, { port: 0, host: '127.0.0.1', plan: 'professional' }, stopped), {
      json: true,
      fields: ['status', 'method', 'path', 'fault'],
    });
    const res = await fetch(`${sandbox.url}/turn/v1/messages`, {
      method: 'POST',
      headers: { Authorization: 'Bearer any-key-1234', 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: PHONE, text: { body: 'oi' } }),
    });
    assert.equal(res.status, 200);
    await sandbox.stop();
    assert.equal(sandbox.out(), '{"status":200,"method":"POST","path":"/turn/v1/messages"}\n');
  });
});
