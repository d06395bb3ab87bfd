/**
 * `--json FIELDS` with the BUILT binary against the sandbox (issue #6): only the fields asked for,
 * in that order, from sends, lists, resources, bulk lines and profiles; an unknown field refused
 * (exit 2, one line) before any request; and a command's argument after `--json` never taken for
 * fields, nor fields for an argument.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { CommandKey } from '../../src/commands/registry.js';
import { resultFields } from '../../src/commands/json-fields.js';
import { CANARY, json, startWorld, type RunResult, type World } from './harness.js';

const TO = '5511999999999';
let world: World;
const outputs: RunResult[] = [];

before(async () => {
  world = await startWorld();
});
after(async () => {
  for (const r of outputs) assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the key leaked');
  await world.close();
});
beforeEach(() => world.sandbox.reset());

async function run(...args: string[]): Promise<RunResult> {
  return runWith(args);
}

async function runWith(args: string[], input?: string): Promise<RunResult> {
  const r = await world.run(args, { input });
  outputs.push(r);
  return r;
}

/** Exit 0 and nothing on stderr but what a command says there anyway. */
async function ok(...args: string[]): Promise<RunResult> {
  const r = await run(...args);
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return r;
}

const lines = (r: RunResult): Record<string, unknown>[] =>
  r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr, nothing received. */
function refused(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(world.sandbox.received.length, 0, 'nothing may be sent');
}

describe('send', () => {
  test('--json id,status,to: those fields, in that order, from the real answer', async () => {
    const r = await ok('send', 'text', TO, 'Olá 🎉', '--json', 'id,status,to');
    const got = json(r);
    assert.deepEqual(Object.keys(got), ['id', 'status', 'to']);
    const [accepted] = world.sandbox.accepted();
    assert.deepEqual(got, { id: accepted!.messageId, status: 'sent', to: TO });
  });

  test('--json=to,id and --json=id,to: the order asked for', async () => {
    const r = await ok('send', 'text', TO, 'Olá', '--json=to,id');
    assert.match(r.stdout, /^\{"to":"5511999999999","id":"msg_\w+"\}\n$/);
    const back = await ok('send', 'text', TO, 'Olá', '--json=id,to');
    assert.match(back.stdout, /^\{"id":"msg_\w+","to":"5511999999999"\}\n$/);
  });

  test('a refusal: the fields it has ({ok, error}); a field it lacks (id) is left out', async () => {
    const r = await run('send', 'text', TO, 'Olá', '--profile', 'interflow-disconnected', '--json', 'ok,id,error');
    assert.equal(r.code, 1, r.stderr);
    const got = json(r);
    assert.deepEqual(Object.keys(got), ['ok', 'error']);
    assert.equal(got.ok, false);
    assert.equal((got.error as { code: string }).code, 'CHANNEL_DISCONNECTED');
  });

  test('--dry-run still prints the whole request', async () => {
    const r = await ok('send', 'text', TO, 'Olá', '--dry-run', '--json=id');
    assert.deepEqual(Object.keys(json(r)), ['method', 'url', 'headers', 'body']);
    assert.equal(world.sandbox.received.length, 0);
  });
});

describe('an unknown field: exit 2, one line listing the fields, nothing sent', () => {
  test('send', async () => {
    refused(
      await run('send', 'text', TO, 'Olá', '--json', 'id,stauts'),
      /^error: --json: unknown field 'stauts' \(fields of interflow send text: ok, provider, profile, to, type, id, status, response, error\)\n$/,
    );
  });

  test('bulk: no row is sent and no journal written', async () => {
    const csv = join(world.dir, 'unknown-field.csv');
    writeFileSync(csv, `to,nome\n${TO},João\n`);
    try {
      refused(
        await run('bulk', csv, '--text', 'Oi {{nome}}', '--json=row,sent'),
        /^error: --json: unknown field 'sent' \(fields of interflow bulk: row, to, status, profile, id, error, journal\)\n$/,
      );
      assert.throws(() => rmSync(`${csv}.journal`), /ENOENT/);
    } finally {
      rmSync(csv, { force: true });
    }
  });

  test('customers delete: nothing deleted', async () => {
    refused(
      await run('customers', 'delete', 'cust_x', '--yes', '--json', 'id,gone'),
      /^error: --json: unknown field 'gone' \(fields of interflow customers delete: id, deleted\)\n$/,
    );
  });

  test('--json= with no names lists the fields too', async () => {
    refused(
      await run('messages', 'get', 'msg_x', '--json='),
      /^error: --json= needs field names \(fields of interflow messages get: id, .*status.*\)\n$/,
    );
  });
});

describe('a word after --json that is an argument stays one', () => {
  test('messages get --json msg_…: the message id (the whole message printed)', async () => {
    const sent = json(await ok('send', 'text', TO, 'Olá', '--json'));
    const r = await ok('messages', 'get', '--json', String(sent.id));
    const got = json(r);
    assert.equal(got.id, sent.id);
    assert.ok('content' in got && 'channel_id' in got, r.stdout);
  });

  test('send text --json 5511… Olá: the recipient and the text, plain --json', async () => {
    const r = await ok('send', 'text', '--json', TO, 'Olá');
    const got = json(r);
    assert.equal(got.ok, true);
    assert.equal(got.to, TO);
    assert.ok('response' in got);
    assert.deepEqual((world.sandbox.accepted()[0]!.body as { content: unknown }).content, { text: 'Olá' });
  });

  test('send text 5511… --json Oi: the text', async () => {
    await ok('send', 'text', TO, '--json', 'Oi');
    assert.deepEqual((world.sandbox.accepted()[0]!.body as { content: unknown }).content, { text: 'Oi' });
  });

  test('a word that could be the text or fields is refused, nothing sent', async () => {
    refused(
      await run('send', 'text', TO, '--json', 'ok'),
      /^error: --json ok: is 'ok' the text argument or the fields to print\? Write --json=ok for fields, or put the text before --json\n$/,
    );
    // The text on stdin: the word could still be the text.
    refused(await runWith(['send', 'text', TO, '--json', 'id,status'], 'Olá'), /is 'id,status' the text argument/);
    // With '-' for stdin, no argument is left for it: fields.
    assert.deepEqual(json(await runWith(['send', 'text', TO, '-', '--json', 'id,status'], 'Olá')), {
      id: world.sandbox.accepted()[0]!.messageId,
      status: 'sent',
    });
  });

  test('fields before the arguments, when the arguments fill the command', async () => {
    const r = await ok('send', 'text', '--json', 'status', TO, 'Olá');
    assert.deepEqual(json(r), { status: 'sent' });
  });
});

describe('lists and resources', () => {
  test('chats list: each item cut down, the page keeps its meta', async () => {
    const r = await ok('chats', 'list', '--json', 'status,id', '--per-page', '2');
    const page = json<{ data: Record<string, unknown>[]; meta: Record<string, unknown> }>(r);
    assert.deepEqual(page.data, [
      { status: 'open', id: 'chat_joao' },
      { status: 'open', id: 'chat_maria' },
    ]);
    assert.deepEqual(page.meta, { page: 1, per_page: 2, total: 3 });
  });

  test('chats list --all: one line per item, only the fields', async () => {
    const r = await ok('chats', 'list', '--all', '--per-page', '1', '--json=id');
    assert.deepEqual(lines(r), [{ id: 'chat_joao' }, { id: 'chat_maria' }, { id: 'chat_ana' }]);
  });

  test('customers create and webhooks create: the resource, cut down', async () => {
    const customer = json(await ok('customers', 'create', '--name', 'Maria', '--email', 'maria@email.com', '--json', 'email,name'));
    assert.deepEqual(customer, { email: 'maria@email.com', name: 'Maria' });
    const hook = json(await ok('webhooks', 'create', '--url', 'http://127.0.0.1:9/hooks', '--json=url'));
    assert.deepEqual(hook, { url: 'http://127.0.0.1:9/hooks' });
  });

  test('profiles list and show', async () => {
    const list = json<Record<string, unknown>[]>(await ok('profiles', 'list', '--json', 'provider,name'));
    assert.deepEqual(list[0], { provider: 'interflow', name: 'interflow' });
    assert.ok(list.every((p) => Object.keys(p).join() === 'provider,name'));
    assert.deepEqual(json(await ok('profiles', 'show', 'turn', '--json', 'apiKey,name')), { apiKey: '***', name: 'turn' });
  });
});

test('bulk --json row,status: one line per row with those fields', async () => {
  const csv = join(world.dir, 'fields.csv');
  writeFileSync(csv, `to,nome\n${TO},João\n5511988887777,Maria\nnot-a-number,Zé\n`);
  try {
    const r = await run('bulk', csv, '--text', 'Oi {{nome}}', '--json', 'status,row');
    assert.equal(r.code, 3, r.stderr); // the bad number fails
    const got = lines(r).sort((a, b) => Number(a.row) - Number(b.row));
    assert.deepEqual(got, [
      { status: 'sent', row: 2 },
      { status: 'sent', row: 3 },
      { status: 'failed', row: 4 },
    ]);
    assert.ok(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('{"status":')),
      r.stdout,
    );
    assert.equal(world.sandbox.accepted().length, 2);
  } finally {
    rmSync(csv, { force: true });
    rmSync(`${csv}.journal`, { force: true });
  }
});

test('every field Interflow (here the sandbox) answers is one the command lists', async () => {
  const sent = json(await ok('send', 'text', TO, 'Olá', '--json'));
  const customer = json(
    await ok('customers', 'create', '--name', 'Ana', '--phone', TO, '--tag', 'vip', '--field', 'empresa=XYZ', '--json'),
  );
  const hook = json(await ok('webhooks', 'create', '--url', 'http://127.0.0.1:9/hooks', '--json'));
  const items = async (...args: string[]) => json<{ data: Record<string, unknown>[] }>(await ok(...args, '--json')).data;
  const chats = await items('chats', 'list');
  // The chat the send started: its messages are outbound ones (chat_joao's, inbound).
  const started = chats.find((c) => (c.contact as { phone: string }).phone === TO)!;
  const answers: [CommandKey, Record<string, unknown>[]][] = [
    ['messages get', [json(await ok('messages', 'get', String(sent.id), '--wait', 'delivered', '--json'))]],
    ['chats list', chats],
    ['chats get', [json(await ok('chats', 'get', 'chat_joao', '--json'))]],
    ['chats messages', [...(await items('chats', 'messages', 'chat_joao')), ...(await items('chats', 'messages', String(started.id)))]],
    ['customers list', await items('customers', 'list')],
    ['customers update', [json(await ok('customers', 'update', String(customer.id), '--email', 'ana@email.com', '--json'))]],
    ['customers delete', [json(await ok('customers', 'delete', String(customer.id), '--yes', '--json'))]],
    ['webhooks list', await items('webhooks', 'list')],
    ['webhooks delete', [json(await ok('webhooks', 'delete', String(hook.id), '--yes', '--json'))]],
  ];
  answers.push(['customers create', [customer]], ['webhooks create', [hook]]);
  for (const [key, objects] of answers) {
    assert.ok(objects.length > 0, key);
    const listed: readonly string[] = resultFields[key];
    for (const o of objects) for (const field of Object.keys(o)) assert.ok(listed.includes(field), `${key}: '${field}' is not listed`);
  }
});
