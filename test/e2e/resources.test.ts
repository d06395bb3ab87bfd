/**
 * The built binary against the sandbox for Interflow's resources: `messages get [--wait]`,
 * `webhooks list|create|delete`, `customers list|get|create|update|delete`, `chats
 * list|get|messages|create`. Outputs off a TTY (JSON), pagination and --all across pages, the sandbox's
 * validation errors and 404s, delete's confirmation rule, non-interflow profiles refused, unicode
 * byte-exact, and a canary key that must never appear in any output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { CANARY, CHANNEL, cleanEnv, json, runCli, type RunResult } from './harness.js';

let sandbox: Sandbox;
/** A second sandbox whose messages stay `sent` for an hour (for --wait timing out). */
let slow: Sandbox;
let dir: string;
let config: string;
const outputs: RunResult[] = [];

before(async () => {
  sandbox = await startSandbox({ port: 0, apiKeys: [CANARY], statusDelaysMs: [100, 100] });
  slow = await startSandbox({ port: 0, apiKeys: [CANARY], statusDelaysMs: [3_600_000, 0] });
  dir = mkdtempSync(join(tmpdir(), 'interflow-e2e-res-'));
  config = join(dir, '.interflowrc.json');
  const interflow = (url: string) => ({ provider: 'interflow', baseUrl: `${url}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL });
  writeFileSync(
    config,
    JSON.stringify({
      defaultProfile: 'interflow',
      profiles: {
        interflow: interflow(sandbox.url),
        slow: interflow(slow.url),
        turn: { provider: 'turn', baseUrl: `${sandbox.url}/turn`, apiKey: '${TEST_KEY}', namespace: 'template-namespace' },
        interacto: {
          provider: 'interacto',
          baseUrl: `${sandbox.url}/interacto`,
          apiKey: '${TEST_KEY}',
          instanceId: '66a09db606fd14660c8fc1d0',
        },
      },
    }),
    { mode: 0o600 },
  );
});
after(async () => {
  for (const r of outputs) {
    assert.ok(!r.stdout.includes(CANARY), `key leaked on stdout:\n${r.stdout}`);
    assert.ok(!r.stderr.includes(CANARY), `key leaked on stderr:\n${r.stderr}`);
  }
  await sandbox.close();
  await slow.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sandbox.reset();
  sandbox.received.length = 0;
});

async function cli(...args: string[]): Promise<RunResult> {
  const r = await runCli([...args, '--config', config], { env: cleanEnv(dir, { TEST_KEY: CANARY }) });
  outputs.push(r);
  return r;
}

async function ok(...args: string[]): Promise<RunResult> {
  const r = await cli(...args);
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Creates customers straight on the sandbox (faster than one CLI run each). */
async function seedCustomers(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const res = await fetch(`${sandbox.url}/interflow/v1/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CANARY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Cliente ${String(i).padStart(2, '0')}` }),
    });
    assert.equal(res.status, 201);
    ids.push(((await res.json()) as { data: { id: string } }).data.id);
  }
  sandbox.received.length = 0;
  return ids;
}

const requests = (method: string, prefix: string) => sandbox.received.filter((r) => r.method === method && r.path.startsWith(prefix));

describe('customers', () => {
  test('create: fields, tags, custom fields; phone normalized; unicode byte-exact on the wire and in the output', async () => {
    const r = await ok(
      'customers',
      'create',
      '--name',
      'João Conceição',
      '--email',
      'joao@email.com',
      '--phone',
      '+55 (11) 99999-9999',
      '--tag',
      'vip',
      '--tag',
      'newsletter',
      '--field',
      'cidade=São Paulo',
      '--field',
      'cargo=Gerente',
    );
    const c = json(r);
    assert.match(c.id as string, /^cust_/);
    assert.equal(c.name, 'João Conceição');
    assert.equal(c.phone, '5511999999999');
    assert.deepEqual(c.tags, ['vip', 'newsletter']);
    assert.deepEqual(c.custom_fields, { cidade: 'São Paulo', cargo: 'Gerente' });
    assert.ok(r.stdout.includes('"name":"João Conceição"'));
    assert.ok(r.stdout.includes('"cidade":"São Paulo"'));
    const [got] = requests('POST', '/interflow/v1/customers');
    assert.ok(got);
    assert.equal(got.headers['authorization'], `Bearer ${CANARY}`);
    assert.equal(
      got.rawBody,
      '{"name":"João Conceição","email":"joao@email.com","phone":"5511999999999","tags":["vip","newsletter"],"custom_fields":{"cidade":"São Paulo","cargo":"Gerente"}}',
    );
    assert.equal(Buffer.from(got.rawBody, 'utf8').includes(Buffer.from('São Paulo', 'utf8')), true);
  });

  test('get, then update: only the given fields change, --field merges into the custom fields', async () => {
    const created = json(await ok('customers', 'create', '--name', 'Maria', '--field', 'empresa=XYZ', '--field', 'antigo=1'));
    const id = created.id as string;
    const got = json(await ok('customers', 'get', id));
    assert.deepEqual(got, created);
    const updated = json(
      await ok('customers', 'update', id, '--email', 'maria@email.com', '--field', 'cargo=Diretora', '--field', 'antigo='),
    );
    assert.equal(updated.name, 'Maria');
    assert.equal(updated.email, 'maria@email.com');
    assert.deepEqual(updated.custom_fields, { empresa: 'XYZ', cargo: 'Diretora' });
    const put = requests('PUT', `/interflow/v1/customers/${id}`);
    assert.equal(put.length, 1);
    assert.deepEqual(put[0]!.body, { email: 'maria@email.com', custom_fields: { empresa: 'XYZ', cargo: 'Diretora' } });
  });

  test('update with nothing to change is a usage error (exit 2), nothing sent', async () => {
    const r = await cli('customers', 'update', 'cust_x');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing to update/);
    assert.equal(sandbox.received.length, 0);
  });

  test('an invalid phone is refused before sending (exit 2), naming it', async () => {
    const r = await cli('customers', 'create', '--name', 'X', '--phone', '123');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--phone '123'/);
    assert.equal(sandbox.received.length, 0);
  });

  test("a bad e-mail is refused here (exit 2); the sandbox's validation error: exit 1 with the field named", async () => {
    const r = await cli('customers', 'create', '--name', 'X', '--email', 'não-é-email');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--email must be an e-mail address/);
    assert.equal(r.stdout, '');
    const long = await cli('customers', 'create', '--name', 'x'.repeat(201));
    assert.equal(long.code, 1);
    assert.match(long.stderr, /VALIDATION_ERROR/);
    assert.match(long.stderr, /name/);
  });

  test('404: exit 1 with the code', async () => {
    for (const args of [
      ['customers', 'get', 'cust_nope'],
      ['customers', 'update', 'cust_nope', '--name', 'X'],
      ['customers', 'delete', 'cust_nope', '--yes'],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /CUSTOMER_NOT_FOUND/);
      assert.equal(r.stdout, '');
    }
  });

  test('list: one page as {data, meta} off a TTY; --page and --per-page sent as page/per_page', async () => {
    await seedCustomers(5);
    const first = json<{ data: { name: string }[]; meta: unknown }>(await ok('customers', 'list'));
    assert.equal(first.data.length, 5);
    assert.deepEqual(first.meta, { page: 1, per_page: 20, total: 5 });
    const second = json<{ data: { name: string }[]; meta: unknown }>(await ok('customers', 'list', '--page', '2', '--per-page', '2'));
    assert.deepEqual(
      second.data.map((c) => c.name),
      ['Cliente 03', 'Cliente 04'],
    );
    assert.deepEqual(second.meta, { page: 2, per_page: 2, total: 5 });
    assert.equal(sandbox.received.at(-1)!.path, '/interflow/v1/customers?page=2&per_page=2');
  });

  test('list --all streams every page: one JSON line per item, every customer once', async () => {
    const ids = await seedCustomers(23);
    const r = await ok('customers', 'list', '--all', '--per-page', '10');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 23);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { id: string }).id),
      ids,
    );
    assert.deepEqual(
      requests('GET', '/interflow/v1/customers').map((g) => g.path),
      [
        '/interflow/v1/customers?page=1&per_page=10',
        '/interflow/v1/customers?page=2&per_page=10',
        '/interflow/v1/customers?page=3&per_page=10',
      ],
    );
    // The default page size (20): 23 customers are two pages.
    sandbox.received.length = 0;
    const all = await ok('customers', 'list', '--all');
    assert.equal(all.stdout.trimEnd().split('\n').length, 23);
    assert.equal(requests('GET', '/interflow/v1/customers').length, 2);
  });

  test('--per-page outside 1-100 and a bad --page are usage errors (exit 2), nothing sent', async () => {
    for (const args of [
      ['--per-page', '101'],
      ['--per-page', '0'],
      ['--page', 'abc'],
    ]) {
      const r = await cli('customers', 'list', ...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(args[0]!));
    }
    assert.equal(sandbox.received.length, 0);
  });

  test('delete off a TTY without --yes: exit 2 naming --yes, nothing deleted; with --yes it is gone', async () => {
    const [id] = await seedCustomers(1);
    const refused = await cli('customers', 'delete', id!);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes/);
    assert.equal(sandbox.received.length, 0);
    json(await ok('customers', 'get', id!));
    const done = json(await ok('customers', 'delete', id!, '--yes'));
    assert.deepEqual(done, { id, deleted: true });
    const gone = await cli('customers', 'get', id!);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /CUSTOMER_NOT_FOUND/);
  });

  test('--dry-run create prints the exact request, key as ***, and sends nothing', async () => {
    const r = await ok('customers', 'create', '--name', 'João', '--phone', '11999999999', '--dry-run');
    assert.deepEqual(json(r), {
      method: 'POST',
      url: `${sandbox.url}/interflow/v1/customers`,
      headers: { Authorization: 'Bearer ***', 'Content-Type': 'application/json' },
      body: { name: 'João', phone: '5511999999999' },
    });
    assert.equal(sandbox.received.length, 0);
  });
});

describe('webhooks', () => {
  test('create, list, delete', async () => {
    const created = json(await ok('webhooks', 'create', '--url', 'http://127.0.0.1:9/hooks', '--event', 'message.status_updated'));
    assert.match(created.id as string, /^wh_/);
    assert.deepEqual(created.events, ['message.status_updated']);
    assert.deepEqual(requests('POST', '/interflow/v1/webhooks')[0]!.body, {
      url: 'http://127.0.0.1:9/hooks',
      events: ['message.status_updated'],
    });
    const list = json<{ data: { id: string }[]; meta: { total: number } }>(await ok('webhooks', 'list'));
    assert.deepEqual(
      list.data.map((w) => w.id),
      [created.id],
    );
    assert.equal(list.meta.total, 1);
    assert.deepEqual(json(await ok('webhooks', 'delete', created.id as string, '--yes')), { id: created.id, deleted: true });
    const again = await cli('webhooks', 'delete', created.id as string, '--yes');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /WEBHOOK_NOT_FOUND/);
  });

  test("a URL that is not http(s) is refused here (exit 2); the sandbox's validation errors name the field (exit 1)", async () => {
    const badUrl = await cli('webhooks', 'create', '--url', 'ftp://exemplo.com');
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--url must be an http\(s\) URL/);
    const badEvent = await cli('webhooks', 'create', '--url', 'https://exemplo.com/h', '--event', 'nope');
    assert.equal(badEvent.code, 1);
    assert.match(badEvent.stderr, /events/);
  });

  test('--url is required (exit 2)', async () => {
    const r = await cli('webhooks', 'create');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--url/);
  });
});

describe('chats', () => {
  test('list, get and messages (unicode byte-exact)', async () => {
    const list = json<{ data: { id: string; contact: { name: string } }[]; meta: unknown }>(await ok('chats', 'list'));
    assert.deepEqual(
      list.data.map((c) => c.id),
      ['chat_joao', 'chat_maria', 'chat_ana'],
    );
    assert.deepEqual(list.meta, { page: 1, per_page: 20, total: 3 });
    const chat = await ok('chats', 'get', 'chat_ana');
    assert.ok(chat.stdout.includes('"name":"Ana Luíza Gonçalves"'));
    const msgs = await ok('chats', 'messages', 'chat_maria');
    assert.ok(msgs.stdout.includes('"text":"Bom dia, vocês abrem no sábado? ☀️"'));
    const all = await ok('chats', 'list', '--all', '--per-page', '2');
    assert.equal(all.stdout.trimEnd().split('\n').length, 3);
  });

  test('a sent message shows up in its chat', async () => {
    const sent = json(await ok('send', 'text', '11999999999', 'Olá, João! 🎉', '--json'));
    const chats = json<{ data: { id: string; contact: { phone: string } }[] }>(await ok('chats', 'list'));
    const chat = chats.data.find((c) => c.contact.phone === '5511999999999');
    assert.ok(chat);
    const msgs = json<{ data: { id: string; content: { text: string } }[] }>(await ok('chats', 'messages', chat.id));
    assert.equal(msgs.data.at(-1)!.id, sent.id);
    assert.equal(msgs.data.at(-1)!.content.text, 'Olá, João! 🎉');
  });

  test('404: exit 1', async () => {
    for (const args of [
      ['chats', 'get', 'chat_nope'],
      ['chats', 'messages', 'chat_nope'],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /CHAT_NOT_FOUND/);
    }
  });

  test('create --phone: POST /chats {channel_id, phone} normalized; 201 with the chat as `chats get` shows it', async () => {
    const created = json<{ id: string; contact: { phone: string; name: string }; channel_id: string; message_count: number }>(
      await ok('chats', 'create', '--phone', '+55 (11) 97777-0001', '--json'),
    );
    const posted = requests('POST', '/interflow/v1/chats');
    assert.equal(posted.length, 1);
    assert.deepEqual(posted[0]!.body, { channel_id: CHANNEL, phone: '5511977770001' });
    assert.equal(posted[0]!.status, 201);
    assert.match(created.id, /^chat_/);
    assert.equal(created.channel_id, CHANNEL);
    assert.deepEqual(created.contact, { name: '5511977770001', phone: '5511977770001' });
    assert.equal(created.message_count, 0);
    assert.deepEqual(json(await ok('chats', 'get', created.id)), created);
    // --json FIELDS works as for `chats get`.
    const picked = json(await ok('chats', 'create', '--phone', '11977770001', '--json=id,contact'));
    assert.deepEqual(picked, { id: created.id, contact: created.contact });
  });

  test("create --customer: the customer's chat, named after them (unicode byte-exact)", async () => {
    const customer = json<{ id: string }>(await ok('customers', 'create', '--name', 'João Conceição 🎉', '--phone', '21 98888-0007'));
    sandbox.received.length = 0;
    const r = await ok('chats', 'create', '--customer', customer.id);
    assert.deepEqual(requests('POST', '/interflow/v1/chats')[0]!.body, { channel_id: CHANNEL, customer_id: customer.id });
    const chat = json<{ contact: { name: string; phone: string } }>(r);
    assert.deepEqual(chat.contact, { name: 'João Conceição 🎉', phone: '5521988880007' });
    const list = json<{ data: { contact: { phone: string } }[] }>(await ok('chats', 'list'));
    assert.ok(list.data.some((c) => c.contact.phone === '5521988880007'));
  });

  test('create --dry-run prints the exact request, key as ***, and sends nothing', async () => {
    const r = await ok('chats', 'create', '--phone', '11977770002', '--dry-run');
    assert.deepEqual(json(r), {
      method: 'POST',
      url: `${sandbox.url}/interflow/v1/chats`,
      headers: { Authorization: 'Bearer ***', 'Content-Type': 'application/json' },
      body: { channel_id: CHANNEL, phone: '5511977770002' },
    });
    const byCustomer = await ok('chats', 'create', '--customer', 'cust_abc', '--dry-run');
    assert.deepEqual(json<{ body: unknown }>(byCustomer).body, { channel_id: CHANNEL, customer_id: 'cust_abc' });
    assert.equal(sandbox.received.length, 0);
  });

  test("create: usage errors exit 2 before anything is sent; the API's refusals exit 1", async () => {
    for (const [args, message] of [
      [[], /chats create needs --customer ID or --phone NUMBER/],
      [['--customer', 'cust_a', '--phone', '11977770003'], /give --customer or --phone, not both/],
      [['--phone', '123'], /--phone '123' cannot be a valid phone number/],
      [['--phone', '11977770003', '--profile', 'turn'], /profile 'turn' uses turn, which has no chats API/],
    ] as const) {
      const r = await cli('chats', 'create', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.equal(sandbox.received.length, 0);
    const missing = await cli('chats', 'create', '--customer', 'cust_nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /CUSTOMER_NOT_FOUND/);
  });
});

describe('messages get', () => {
  test('after a send: the message; --wait read polls until read', async () => {
    const sent = json(await ok('send', 'text', '11999999999', 'Olá', '--json'));
    const now = json(await ok('messages', 'get', sent.id as string));
    assert.equal(now.id, sent.id);
    assert.ok(['sent', 'delivered', 'read'].includes(now.status as string));
    const read = json(await ok('messages', 'get', sent.id as string, '--wait', 'read'));
    assert.equal(read.status, 'read');
    assert.ok(requests('GET', `/interflow/v1/messages/${String(sent.id)}`).length >= 2);
    const delivered = json(await ok('messages', 'get', sent.id as string, '--wait', 'delivered'));
    assert.equal(delivered.status, 'read', 'read is past delivered: no waiting');
  });

  test('--wait timing out: exit 1 with a clear message, nothing on stdout', async () => {
    const sent = json(await ok('send', 'text', '11999999999', 'Olá', '--json', '--profile', 'slow'));
    const started = Date.now();
    const r = await cli('messages', 'get', sent.id as string, '--wait', 'delivered', '--wait-timeout', '700', '--profile', 'slow');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /still sent after 700 ms/);
    assert.equal(r.stdout, '');
    assert.ok(Date.now() - started >= 700);
  });

  test('bad --wait and --wait-timeout are usage errors; an unknown id is a 404 (exit 1)', async () => {
    const bad = await cli('messages', 'get', 'msg_x', '--wait', 'sent');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--wait must be delivered or read/);
    const badTimeout = await cli('messages', 'get', 'msg_x', '--wait', 'read', '--wait-timeout', '-5');
    assert.equal(badTimeout.code, 2);
    assert.equal(sandbox.received.length, 0);
    const missing = await cli('messages', 'get', 'msg_nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /MESSAGE_NOT_FOUND/);
  });
});

describe('a profile whose provider has no such API', () => {
  test('is refused with exit 2, naming profile and provider, and nothing is sent', async () => {
    const cases: [string[], string][] = [
      [
        ['customers', 'list', '--profile', 'turn'],
        "profile 'turn' uses turn, which has no customers API: `interflow customers` needs an interflow profile",
      ],
      [['customers', 'delete', 'cust_1', '--yes', '--profile', 'turn'], 'no customers API'],
      [['chats', 'list', '--profile', 'interacto'], "profile 'interacto' uses interacto, which has no chats API"],
      [['webhooks', 'list', '--profile', 'turn'], 'no webhooks API'],
      [['messages', 'get', 'msg_1', '--profile', 'turn'], 'no messages API'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(message), r.stderr);
    }
    assert.equal(sandbox.received.length, 0);
  });
});

describe('--verbose', () => {
  test('traces the requests with the key redacted', async () => {
    const r = await ok('customers', 'list', '--verbose');
    assert.match(r.stderr, /> GET .*\/interflow\/v1\/customers/);
    assert.match(r.stderr, /Bearer \*\*\*/);
  });
});
