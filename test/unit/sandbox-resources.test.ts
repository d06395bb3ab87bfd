/**
 * The sandbox's Interflow resources over real HTTP: the status progression of accepted messages
 * (sent → delivered → read, seen with GET /messages/:id), the /webhooks API and its deliveries
 * (in order, signed when given a secret, a dead URL harmless), /customers and /chats, and
 * reset()/close() leaving no timer behind.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, describe, test } from 'node:test';
import { parseSandboxOptions } from '../../src/commands/sandbox/run.js';
import { startSandbox, type Sandbox, type SandboxOptions, type StatusScheduler } from '../../src/sandbox/server.js';

const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
const AUTH = { Authorization: 'Bearer if_live_abc123' };
const BASE = '/interflow/v1';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(sb: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
  const res = await fetch(sb.url + BASE + path, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const send = (sb: Sandbox, to = '5511999999999', text = 'oi') =>
  call(sb, 'POST', '/messages/send', { channel_id: CHANNEL, to, type: 'text', content: { text } });

/**
 * Waits for something the sandbox does on its own (a webhook delivery arriving): checks again
 * after each turn of the event loop. The limit only names what never came, however slow the machine.
 */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Status moves the test makes happen: each one the sandbox schedules waits in `due` until next(). */
function statusMoves() {
  const due: { ms: number; move: () => void }[] = [];
  const scheduler: StatusScheduler = {
    schedule(ms, move) {
      const entry = { ms, move };
      due.push(entry);
      return () => {
        const i = due.indexOf(entry);
        if (i >= 0) due.splice(i, 1);
      };
    },
  };
  return {
    scheduler,
    due,
    /** Runs the oldest scheduled move; returns the delay it was scheduled with. */
    next(): number {
      const entry = due.shift();
      assert.ok(entry, 'a status move is scheduled');
      entry.move();
      return entry.ms;
    },
  };
}

function rateHeaders(a: Answer): void {
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) assert.ok(a.headers.get(h), `${h} on ${a.text}`);
}

function refused(a: Answer, status: number, code: string, field?: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body.success, false, a.text);
  assert.equal(a.body.error.code, code, a.text);
  if (field !== undefined)
    assert.ok(
      a.body.error.details.some((d: { field: string }) => d.field === field),
      a.text,
    );
  rateHeaders(a);
}

const sandboxes: Sandbox[] = [];
async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, statusDelaysMs: [20, 20], ...opts });
  sandboxes.push(sb);
  return sb;
}
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((sb) => sb.close()));
});

/** A webhook receiver on port 0 that keeps each request's raw bytes and headers. */
interface Receiver {
  url: string;
  got: { raw: Buffer; headers: IncomingHttpHeaders; body: any }[];
  server: Server;
}
const receivers: Server[] = [];
after(() => {
  for (const s of receivers) s.close();
});
async function receiver(status = 200): Promise<Receiver> {
  const got: Receiver['got'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      got.push({ raw, headers: req.headers, body: JSON.parse(raw.toString('utf8')) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receivers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

describe('sandbox: interflow status progression', () => {
  test('an accepted message moves sent → delivered → read, shown by GET /messages/:id', async () => {
    const moves = statusMoves();
    const sb = await sandbox({ statusDelaysMs: [60, 90], statusScheduler: moves.scheduler });
    const sent = await send(sb);
    assert.equal(sent.status, 201, sent.text);
    assert.equal(sent.body.data.status, 'sent');
    const id: string = sent.body.data.id;
    const first = await call(sb, 'GET', `/messages/${id}`);
    assert.equal(first.body.data.status, 'sent');
    assert.equal(moves.due.length, 1, 'only delivered is scheduled');
    assert.equal(moves.next(), 60, 'delivered comes statusDelaysMs[0] after sent');
    assert.equal((await call(sb, 'GET', `/messages/${id}`)).body.data.status, 'delivered');
    assert.equal(moves.next(), 90, 'read comes statusDelaysMs[1] after delivered');
    assert.equal(moves.due.length, 0, 'read is the last move');
    const last = await call(sb, 'GET', `/messages/${id}`);
    assert.equal(last.body.data.status, 'read');
    assert.match(last.body.data.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    rateHeaders(last);
    assert.equal(sb.messages.get(id)?.status, 'read');
  });

  test('with record: none nothing is kept and nothing moves', async () => {
    const moves = statusMoves();
    const sb = await sandbox({ record: 'none', statusScheduler: moves.scheduler });
    assert.equal((await send(sb)).status, 201);
    assert.equal(moves.due.length, 0, 'no status move scheduled');
    assert.equal(sb.messages.size, 0);
  });
});

describe('sandbox: interflow /webhooks', () => {
  test('create, list, delete; 404 WEBHOOK_NOT_FOUND', async () => {
    const sb = await sandbox();
    const created = await call(sb, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/x' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.success, true);
    assert.match(created.body.data.id, /^wh_[a-z0-9]+$/);
    assert.deepEqual(created.body.data.events, ['message.status_updated']);
    assert.equal(created.body.data.url, 'http://127.0.0.1:9/x');
    assert.ok(created.body.data.created_at);
    rateHeaders(created);
    const second = await call(sb, 'POST', '/webhooks', { url: 'https://example.com/hook', events: ['message.status_updated'] });
    assert.equal(second.status, 201, second.text);

    const list = await call(sb, 'GET', '/webhooks');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.meta, { page: 1, per_page: 20, total: 2 });
    assert.deepEqual(
      list.body.data.map((w: { id: string }) => w.id),
      [created.body.data.id, second.body.data.id],
    );
    assert.equal(sb.webhookCount(), 2);

    const del = await call(sb, 'DELETE', `/webhooks/${created.body.data.id}`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.body, { success: true, data: { id: created.body.data.id, deleted: true } });
    refused(await call(sb, 'DELETE', `/webhooks/${created.body.data.id}`), 404, 'WEBHOOK_NOT_FOUND');
    assert.equal((await call(sb, 'GET', '/webhooks')).body.meta.total, 1);
  });

  test('validation: url required and http(s), events known and non-empty, no unknown fields, JSON only', async () => {
    const sb = await sandbox();
    refused(await call(sb, 'POST', '/webhooks', {}), 400, 'VALIDATION_ERROR', 'url');
    refused(await call(sb, 'POST', '/webhooks', { url: 'ftp://example.com/x' }), 400, 'VALIDATION_ERROR', 'url');
    refused(await call(sb, 'POST', '/webhooks', { url: 'not a url' }), 400, 'VALIDATION_ERROR', 'url');
    refused(await call(sb, 'POST', '/webhooks', { url: 'http://a.example/x', events: [] }), 400, 'VALIDATION_ERROR', 'events');
    refused(
      await call(sb, 'POST', '/webhooks', { url: 'http://a.example/x', events: ['message.nope'] }),
      400,
      'VALIDATION_ERROR',
      'events.0',
    );
    refused(await call(sb, 'POST', '/webhooks', { url: 'http://a.example/x', secret: 'x' }), 400, 'VALIDATION_ERROR', 'secret');
    refused(await call(sb, 'POST', '/webhooks', '{not json'), 400, 'VALIDATION_ERROR', 'body');
    assert.equal((await call(sb, 'GET', '/webhooks', undefined, {})).status, 401);
    const wrong = await call(sb, 'PUT', '/webhooks', { url: 'http://a.example/x' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, POST');
    assert.equal(sb.webhookCount(), 0);
  });

  test('deliveries: sent, delivered, read in order, signed over the raw bytes, with a unique event id', async () => {
    const secret = 'wh-secret-ção';
    const sb = await sandbox({ webhookSecret: secret, statusDelaysMs: [10, 10] });
    const r = await receiver();
    assert.equal((await call(sb, 'POST', '/webhooks', { url: r.url })).status, 201);
    const a = (await send(sb, '5511999990001')).body.data.id as string;
    const b = (await send(sb, '5511999990002')).body.data.id as string;
    await until(() => r.got.length === 6, 'six deliveries');

    for (const id of [a, b]) {
      const statuses = r.got.filter((g) => g.body.data.message_id === id).map((g) => g.body.data.status);
      assert.deepEqual(statuses, ['sent', 'delivered', 'read'], `order for ${id}`);
    }
    const ids = new Set<string>();
    for (const g of r.got) {
      assert.equal(g.body.event, 'message.status_updated');
      assert.deepEqual(Object.keys(g.body.data).sort(), ['message_id', 'status', 'timestamp']);
      assert.match(g.body.data.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(String(g.headers['content-type']), /^application\/json/);
      assert.equal(g.headers['x-interflow-event-id'], g.body.id);
      assert.match(g.body.id, /^evt_/);
      ids.add(g.body.id);
      const expected = 'sha256=' + createHmac('sha256', secret).update(g.raw).digest('hex');
      assert.equal(g.headers['x-hub-signature-256'], expected);
    }
    assert.equal(ids.size, 6, 'event ids are unique');
    await until(() => sb.webhookStats().delivered === 6, 'stats');
    assert.deepEqual(sb.webhookStats(), { queued: 6, delivered: 6, failed: 0 });
    const control = await fetch(`${sb.url}/_sandbox/webhooks`);
    assert.deepEqual(await control.json(), { registered: 1, queued: 6, delivered: 6, failed: 0 });
  });

  test('without a secret: no signature; only subscribed, registered webhooks get events', async () => {
    const sb = await sandbox({ statusDelaysMs: [5, 5] });
    const r = await receiver();
    const gone = await receiver();
    assert.equal((await call(sb, 'POST', '/webhooks', { url: r.url })).status, 201);
    const g = await call(sb, 'POST', '/webhooks', { url: gone.url });
    assert.equal((await call(sb, 'DELETE', `/webhooks/${g.body.data.id}`)).status, 200);
    await send(sb);
    await until(() => r.got.length === 3, 'three deliveries');
    for (const x of r.got) assert.equal(x.headers['x-hub-signature-256'], undefined);
    assert.equal(gone.got.length, 0);
  });

  test('a dead URL or a failing receiver is counted and harmless', async () => {
    const sb = await sandbox({ statusDelaysMs: [5, 5], webhookTimeoutMs: 500 });
    const dead = await receiver();
    const deadUrl = dead.url;
    await new Promise<void>((r) => dead.server.close(() => r()));
    const failing = await receiver(500);
    assert.equal((await call(sb, 'POST', '/webhooks', { url: deadUrl })).status, 201);
    assert.equal((await call(sb, 'POST', '/webhooks', { url: failing.url })).status, 201);
    const id = (await send(sb)).body.data.id as string;
    await until(() => sb.webhookStats().failed === 6, 'six failures');
    assert.deepEqual(sb.webhookStats(), { queued: 6, delivered: 0, failed: 6 });
    assert.equal(failing.got.length, 3);
    assert.equal((await call(sb, 'GET', `/messages/${id}`)).body.data.status, 'read');
    assert.equal((await send(sb)).status, 201, 'the sandbox still answers');
  });
});

describe('sandbox: interflow /customers', () => {
  test('CRUD with ids, timestamps and 404 CUSTOMER_NOT_FOUND', async () => {
    const sb = await sandbox();
    const body = {
      name: 'João Silva',
      email: 'joao@email.com',
      phone: '5511999999999',
      tags: ['vip', 'newsletter'],
      custom_fields: { empresa: 'Empresa XYZ', cargo: 'Gerente' },
    };
    const created = await call(sb, 'POST', '/customers', body);
    assert.equal(created.status, 201, created.text);
    rateHeaders(created);
    const c = created.body.data;
    assert.match(c.id, /^cust_[a-z0-9]+$/);
    assert.deepEqual({ name: c.name, email: c.email, phone: c.phone, tags: c.tags, custom_fields: c.custom_fields }, body);
    assert.ok(c.created_at && c.updated_at);

    assert.deepEqual((await call(sb, 'GET', `/customers/${c.id}`)).body.data, c);
    const updated = await call(sb, 'PUT', `/customers/${c.id}`, { tags: ['vip'], email: null });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.data.tags, ['vip']);
    assert.equal(updated.body.data.email, null);
    assert.equal(updated.body.data.name, 'João Silva', 'a partial update keeps the rest');
    refused(await call(sb, 'PUT', `/customers/${c.id}`, { nickname: 'J' }), 400, 'VALIDATION_ERROR', 'nickname');

    const del = await call(sb, 'DELETE', `/customers/${c.id}`);
    assert.deepEqual(del.body, { success: true, data: { id: c.id, deleted: true } });
    refused(await call(sb, 'GET', `/customers/${c.id}`), 404, 'CUSTOMER_NOT_FOUND');
    refused(await call(sb, 'PUT', `/customers/${c.id}`, { name: 'x' }), 404, 'CUSTOMER_NOT_FOUND');
    refused(await call(sb, 'DELETE', `/customers/${c.id}`), 404, 'CUSTOMER_NOT_FOUND');
  });

  test('validation: name required, email/phone/tags/custom_fields typed, unknown fields refused', async () => {
    const sb = await sandbox();
    const bad = await call(sb, 'POST', '/customers', { email: 'joao@email.com' });
    refused(bad, 400, 'VALIDATION_ERROR', 'name');
    assert.equal(bad.body.error.message, "Campo 'name' é obrigatório");
    refused(await call(sb, 'POST', '/customers', { name: 'A', email: 'nope' }), 400, 'VALIDATION_ERROR', 'email');
    refused(await call(sb, 'POST', '/customers', { name: 'A', phone: '+55 11 99999-9999' }), 400, 'VALIDATION_ERROR', 'phone');
    refused(await call(sb, 'POST', '/customers', { name: 'A', tags: 'vip' }), 400, 'VALIDATION_ERROR', 'tags');
    refused(await call(sb, 'POST', '/customers', { name: 'A', custom_fields: { n: 1 } }), 400, 'VALIDATION_ERROR', 'custom_fields.n');
    refused(await call(sb, 'POST', '/customers', { name: 'A', age: 3 }), 400, 'VALIDATION_ERROR', 'age');
    refused(await call(sb, 'POST', '/customers', [{ name: 'A' }]), 400, 'VALIDATION_ERROR', 'body');
    assert.equal((await call(sb, 'GET', '/customers')).body.meta.total, 0);
  });

  test('pagination: page/per_page, meta, limits', async () => {
    const sb = await sandbox();
    for (let i = 1; i <= 25; i++) assert.equal((await call(sb, 'POST', '/customers', { name: `Cliente ${i}` })).status, 201);
    const first = await call(sb, 'GET', '/customers');
    assert.deepEqual(first.body.meta, { page: 1, per_page: 20, total: 25 });
    assert.equal(first.body.data.length, 20);
    assert.equal(first.body.data[0].name, 'Cliente 1');
    const second = await call(sb, 'GET', '/customers?page=2&per_page=10');
    assert.deepEqual(second.body.meta, { page: 2, per_page: 10, total: 25 });
    assert.deepEqual(
      second.body.data.map((c: { name: string }) => c.name),
      Array.from({ length: 10 }, (_, i) => `Cliente ${11 + i}`),
    );
    assert.equal((await call(sb, 'GET', '/customers?page=9')).body.data.length, 0);
    refused(await call(sb, 'GET', '/customers?per_page=101'), 400, 'VALIDATION_ERROR', 'per_page');
    refused(await call(sb, 'GET', '/customers?page=0'), 400, 'VALIDATION_ERROR', 'page');
    refused(await call(sb, 'GET', '/customers?page=abc'), 400, 'VALIDATION_ERROR', 'page');
  });
});

describe('sandbox: interflow /chats', () => {
  test('seeded chats, one more per recipient messaged, its messages newest last', async () => {
    const sb = await sandbox({ statusDelaysMs: [5, 5] });
    const seeded = await call(sb, 'GET', '/chats');
    assert.equal(seeded.status, 200, seeded.text);
    rateHeaders(seeded);
    assert.deepEqual(seeded.body.meta, { page: 1, per_page: 20, total: 3 });
    const names = seeded.body.data.map((c: { contact: { name: string } }) => c.contact.name);
    assert.ok(
      names.some((n: string) => n.startsWith('João')) &&
        names.some((n: string) => n.startsWith('Maria')) &&
        names.some((n: string) => n.startsWith('Ana')),
    );

    const joao = seeded.body.data[0];
    assert.deepEqual((await call(sb, 'GET', `/chats/${joao.id}`)).body.data, joao);
    const joaoMessages = await call(sb, 'GET', `/chats/${joao.id}/messages`);
    assert.equal(joaoMessages.body.meta.total, 1);
    assert.equal(joaoMessages.body.data[0].direction, 'inbound');

    const m1 = (await send(sb, '5511977770001', 'primeira')).body.data.id;
    const m2 = (await send(sb, '5511977770001', 'segunda')).body.data.id;
    await send(sb, joao.contact.phone, 'resposta');
    const chats = await call(sb, 'GET', '/chats');
    assert.equal(chats.body.meta.total, 4, 'one new chat; João already had one');
    const fresh = chats.body.data.find((c: { contact: { phone: string } }) => c.contact.phone === '5511977770001');
    assert.match(fresh.id, /^chat_/);
    const messages = await call(sb, 'GET', `/chats/${fresh.id}/messages`);
    assert.deepEqual(
      messages.body.data.map((m: { id: string }) => m.id),
      [m1, m2],
    );
    assert.equal(messages.body.data[1].content.text, 'segunda');
    assert.equal((await call(sb, 'GET', `/chats/${joao.id}/messages`)).body.meta.total, 2);
    await until(
      async () => (await call(sb, 'GET', `/chats/${fresh.id}/messages`)).body.data.every((m: { status: string }) => m.status === 'read'),
      'read',
    );
    assert.deepEqual(
      (await call(sb, 'GET', `/chats/${fresh.id}/messages?per_page=1&page=2`)).body.data.map((m: { id: string }) => m.id),
      [m2],
    );

    refused(await call(sb, 'GET', '/chats/chat_nope'), 404, 'CHAT_NOT_FOUND');
    refused(await call(sb, 'GET', '/chats/chat_nope/messages'), 404, 'CHAT_NOT_FOUND');
    // POST /chats needs {channel_id, customer_id} or {channel_id, phone}: {to} is refused.
    refused(await call(sb, 'POST', '/chats', { to: '5511977770001' }), 400, 'VALIDATION_ERROR');
  });

  test('POST /chats: by phone or by customer, 201 with the chat as GET shows it; refusals as the other resources', async () => {
    const sb = await sandbox({});
    const byPhone = await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '5511977770009' });
    assert.equal(byPhone.status, 201, byPhone.text);
    rateHeaders(byPhone);
    assert.match(byPhone.body.data.id, /^chat_/);
    assert.deepEqual(byPhone.body.data.contact, { name: '5511977770009', phone: '5511977770009' });
    assert.equal(byPhone.body.data.message_count, 0);
    assert.deepEqual((await call(sb, 'GET', `/chats/${byPhone.body.data.id}`)).body.data, byPhone.body.data);
    // The same number again: its chat, not a second one.
    const again = await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '5511977770009' });
    assert.equal(again.status, 200);
    assert.equal(again.body.data.id, byPhone.body.data.id);

    const cust = (await call(sb, 'POST', '/customers', { name: 'João Silva', phone: '5511977770010' })).body.data;
    const byCustomer = await call(sb, 'POST', '/chats', { channel_id: CHANNEL, customer_id: cust.id });
    assert.equal(byCustomer.status, 201, byCustomer.text);
    assert.deepEqual(byCustomer.body.data.contact, { name: 'João Silva', phone: '5511977770010' });
    assert.equal((await call(sb, 'GET', '/chats')).body.meta.total, 5);

    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL, customer_id: 'cust_nope' }), 404, 'CUSTOMER_NOT_FOUND');
    const noPhone = (await call(sb, 'POST', '/customers', { name: 'Sem Telefone' })).body.data;
    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL, customer_id: noPhone.id }), 422, 'CUSTOMER_HAS_NO_PHONE');
    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '+55 11 97777-0009' }), 400, 'VALIDATION_ERROR', 'phone');
    refused(
      await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '5511977770009', customer_id: cust.id }),
      400,
      'VALIDATION_ERROR',
    );
    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL }), 400, 'VALIDATION_ERROR', 'customer_id');
    refused(await call(sb, 'POST', '/chats', { channel_id: 'canal', phone: '5511977770009' }), 400, 'VALIDATION_ERROR', 'channel_id');
    refused(await call(sb, 'POST', '/chats', { phone: '5511977770009' }), 400, 'VALIDATION_ERROR', 'channel_id');
    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '5511977770009', name: 'x' }), 400, 'VALIDATION_ERROR');
    refused(
      await call(sb, 'POST', '/chats', { channel_id: '00000000-0000-4000-8000-000000000000', phone: '5511977770009' }),
      404,
      'CHANNEL_NOT_FOUND',
    );
    refused(
      await call(sb, 'POST', '/chats', { channel_id: '550e8400-e29b-41d4-a716-446655440001', phone: '5511977770009' }),
      422,
      'CHANNEL_DISCONNECTED',
    );
    refused(await call(sb, 'POST', '/chats', { channel_id: CHANNEL, phone: '5511977770009' }, {}), 401, 'UNAUTHORIZED');
  });
});

describe('sandbox: reset() and close() clear timers and state', () => {
  test('reset() stops pending status changes and forgets webhooks, customers and new chats', async () => {
    const moves = statusMoves();
    const sb = await sandbox({ statusScheduler: moves.scheduler });
    const r = await receiver();
    await call(sb, 'POST', '/webhooks', { url: r.url });
    await call(sb, 'POST', '/customers', { name: 'Ana' });
    await send(sb, '5511966660001');
    await until(() => r.got.length === 1, 'the sent event');
    assert.equal(moves.due.length, 1, 'delivered is pending');
    sb.reset();
    assert.equal(moves.due.length, 0, 'reset cancelled the pending move: no delivered/read after reset');
    assert.equal(sb.webhookCount(), 0);
    assert.equal(r.got.length, 1);
    assert.equal((await call(sb, 'GET', '/webhooks')).body.meta.total, 0);
    assert.equal((await call(sb, 'GET', '/customers')).body.meta.total, 0);
    assert.equal((await call(sb, 'GET', '/chats')).body.meta.total, 3);
    assert.deepEqual(sb.webhookStats(), { queued: 0, delivered: 0, failed: 0 });
  });

  test('close() with long delays pending keeps nothing alive', async () => {
    const sb = await startSandbox({ port: 0, statusDelaysMs: [60_000, 60_000] });
    const r = await receiver();
    await call(sb, 'POST', '/webhooks', { url: r.url });
    await send(sb);
    await sb.close();
    // The test process exits only if no timer or socket is left (node --test would hang).
  });

  test('close() cancels the pending status moves', async () => {
    const moves = statusMoves();
    const sb = await startSandbox({ port: 0, statusScheduler: moves.scheduler });
    await send(sb);
    assert.equal(moves.due.length, 1);
    await sb.close();
    assert.equal(moves.due.length, 0);
  });

  test('options are checked', async () => {
    await assert.rejects(startSandbox({ port: 0, statusDelaysMs: [-1, 5] }), RangeError);
    await assert.rejects(startSandbox({ port: 0, statusDelaysMs: [1.5, 5] as [number, number] }), RangeError);
  });
});

describe('interflow sandbox command: --status-delays, --webhook-secret', () => {
  test('parses the flags; the secret comes from the environment variable named', () => {
    const opts = parseSandboxOptions({ statusDelays: '100,250', webhookSecret: 'MY_HOOK_SECRET' }, { MY_HOOK_SECRET: 's3cret' });
    assert.deepEqual(opts.statusDelaysMs, [100, 250]);
    assert.deepEqual(opts.webhookSecret, { env: 'MY_HOOK_SECRET', value: 's3cret' });
    assert.throws(() => parseSandboxOptions({ statusDelays: '100' }, {}), /--status-delays/);
    assert.throws(() => parseSandboxOptions({ statusDelays: '1,-2' }, {}), /--status-delays/);
    assert.throws(() => parseSandboxOptions({ webhookSecret: 'MISSING' }, {}), /not set/);
    assert.throws(() => parseSandboxOptions({ webhookSecret: 'sha256=abc def' }, {}), /NAME of an environment variable/);
  });
});
