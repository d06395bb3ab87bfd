/**
 * Real webhook payloads from well-kept WhatsApp libraries' test data (test/fixtures/webhooks/,
 * sources, commits and licences in its SOURCES.md), each POSTed signed to a fresh `webhooks
 * listen` (the command's own code, in-process, on a free loopback port) and what it prints
 * checked against the payload's own content: every status, message and error in it is printed,
 * with its id, sender, recipient, type, text or caption, status and error, as a JSON line and as
 * a table row on a terminal.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { serveWebhooks, type ListenOptions } from '../../src/commands/webhooks/listen.run.js';
import { serving } from './serving.js';

const SECRET = 'whsec_corpus_5e6f7a8b';
const root = fileURLToPath(new URL('../fixtures/webhooks/', import.meta.url));

type Obj = Record<string, any>;

/** Every case: [source/file#name, payload]. A file holds one payload, or an object of named ones. */
function corpus(): [string, Obj][] {
  const cases: [string, Obj][] = [];
  for (const source of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(root, source.name))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const data = JSON.parse(readFileSync(join(root, source.name, file), 'utf8')) as Obj;
      if ('object' in data || 'entry' in data) cases.push([`${source.name}/${file}`, data]);
      else for (const [name, payload] of Object.entries(data)) cases.push([`${source.name}/${file}#${name}`, payload as Obj]);
    }
  }
  return cases;
}

interface Expected {
  kind: string;
  messageId: string;
  status?: string;
  type?: string;
  from?: string;
  to?: string;
  name?: string;
  /** Strings the event's text or filename must contain. */
  says: string[];
  errorCode?: string;
  errorTitle?: string;
}

/** What a reader of the payload expects to see of one message: its words, as the payload has them. */
function words(m: Obj): string[] {
  const out: string[] = [];
  const part = m[m.type] as Obj | undefined;
  if (m.text?.body) out.push(m.text.body);
  if (part?.caption) out.push(part.caption);
  if (part?.filename) out.push(part.filename);
  if (m.type === 'contacts') for (const c of m.contacts) out.push(c.name.formatted_name, ...c.phones.map((p: Obj) => p.phone));
  if (m.type === 'system') out.push(m.system.body);
  if (m.type === 'button') out.push(m.button.text);
  if (m.type === 'interactive' && part) {
    const reply = part.button_reply ?? part.list_reply;
    if (reply) out.push(reply.title);
    if (part.nfm_reply) out.push(part.nfm_reply.response_json);
  }
  if (m.type === 'reaction' && part?.emoji) out.push(part.emoji);
  if (m.type === 'location') out.push(...(part!.name ? [part!.name, part!.address] : [String(part!.latitude)]));
  if (m.type === 'order') out.push(...part!.product_items.map((i: Obj) => i.product_retailer_id));
  if (m.type === 'edit') out.push(...words(m.edit.message));
  return out;
}

function expectedEvents(payload: Obj): Expected[] {
  const out: Expected[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const v = change.value as Obj;
      const business = v.metadata?.display_phone_number;
      for (const s of v.statuses ?? []) {
        const e = s.errors?.[0];
        out.push({
          kind: 'status',
          messageId: s.id,
          status: s.status,
          from: business,
          to: s.recipient_id ?? s.recipient_user_id,
          says: [],
          ...(e ? { errorCode: String(e.code), errorTitle: e.title } : {}),
        });
      }
      for (const [list, echo] of [
        [v.messages ?? [], false],
        [v.message_echoes ?? [], true],
      ] as const) {
        for (const m of list) {
          const from = m.from ?? m.from_user_id;
          const contact = echo
            ? undefined
            : (v.contacts ?? []).find((c: Obj) => (c.wa_id && c.wa_id === m.from) || (c.user_id && c.user_id === m.from_user_id));
          const e = m.errors?.[0];
          out.push({
            kind: 'message',
            messageId: m.id,
            type: m.type,
            from,
            to: echo ? (m.to ?? m.to_user_id) : business,
            ...(contact?.profile?.name ? { name: contact.profile.name } : {}),
            says: words(m),
            ...(e ? { errorCode: String(e.code), errorTitle: e.title } : {}),
          });
        }
      }
      for (const e of v.errors ?? []) out.push({ kind: 'error', messageId: '', says: [], errorCode: String(e.code), errorTitle: e.title });
    }
  }
  return out;
}

const options = (): ListenOptions => ({
  host: '127.0.0.1',
  port: 0,
  path: '/',
  maxBodyBytes: 1 << 20,
  secret: SECRET,
  secretEnv: 'CORPUS_SECRET',
});

async function deliver(payload: Obj, json: boolean): Promise<string> {
  const listening = await serving((ctx, stopped) => serveWebhooks(ctx, options(), stopped), { json }, { stdoutTTY: true });
  try {
    const raw = Buffer.from(JSON.stringify(payload), 'utf8');
    const res = await fetch(listening.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex'),
      },
      body: new Uint8Array(raw),
    });
    assert.equal(res.status, 200, await res.text());
    return listening.out();
  } finally {
    await listening.stop();
  }
}

const cases = corpus();

describe('webhook corpus: what is printed matches each payload', () => {
  test('the corpus is there', () => {
    assert.ok(cases.length >= 45, `${cases.length} cases`);
  });

  for (const [name, payload] of cases) {
    const expected = expectedEvents(payload);
    test(`${name}: ${expected.length} event(s)`, async () => {
      assert.ok(expected.length > 0, 'each case holds a status, a message or an error');
      const lines = (await deliver(payload, true))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Obj);
      assert.equal(lines.length, expected.length, JSON.stringify(lines));
      for (const [i, want] of expected.entries()) {
        const got = lines[i]!;
        for (const key of ['kind', 'messageId', 'status', 'type', 'from', 'to', 'name', 'errorCode', 'errorTitle'] as const) {
          if (want[key] !== undefined) assert.equal(got[key], want[key], `${key} of event ${i}: ${JSON.stringify(got)}`);
        }
        if (want.kind !== 'error') assert.ok(got.from !== undefined || got.to !== undefined, 'a sender or a recipient');
        const shown = [got.text, got.filename].filter(Boolean).join('\n');
        for (const w of want.says) assert.ok(shown.includes(w), `event ${i} shows ${JSON.stringify(w)}; it shows ${JSON.stringify(shown)}`);
      }

      // On a terminal: one row per event, with the same content.
      const table = await deliver(payload, false);
      const rows = table.split('\n').filter(Boolean).slice(1);
      assert.equal(rows.length, expected.length, table);
      for (const [i, want] of expected.entries()) {
        const row = rows[i]!;
        for (const v of [
          want.messageId,
          want.status,
          want.from,
          want.to,
          want.name,
          want.errorCode,
          ...want.says.map((w) => JSON.stringify(w).slice(1, -1)),
        ]) {
          if (v) assert.ok(row.includes(v), `row ${i} shows ${JSON.stringify(v)}: ${row}`);
        }
      }
    });
  }
});
