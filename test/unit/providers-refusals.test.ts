/**
 * What each provider refuses, before anything is sent: ValidationError, exit 2, naming what the
 * provider supports (the table "What each provider documents" in README.md's Sending section).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderId } from '../../src/config/profile.js';
import { ValidationError } from '../../src/errors.js';
import { capabilityOf, messageSchema, type Capability, type Message } from '../../src/message/model.js';
import { providers } from '../../src/providers/index.js';
import { PHONE, profileFor } from '../fixtures/provider-examples.js';

/** README.md's table, row by row: which providers have something other than "—". */
const table: [Capability, Record<ProviderId, boolean>][] = [
  ['text', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['image', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['video', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['audio', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['document', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['sticker', { interflow: false, interacto: false, turn: true, socialminer: true }],
  ['location', { interflow: true, interacto: false, turn: false, socialminer: true }],
  ['contact', { interflow: false, interacto: true, turn: false, socialminer: true }],
  ['template', { interflow: true, interacto: false, turn: true, socialminer: true }],
  ['interactive buttons', { interflow: false, interacto: false, turn: true, socialminer: true }],
  ['interactive list', { interflow: false, interacto: false, turn: true, socialminer: true }],
  ['interactive location request', { interflow: false, interacto: false, turn: true, socialminer: false }],
  ['hsm', { interflow: false, interacto: false, turn: true, socialminer: false }],
];

const url = (kind: string) => `https://exemplo.com/arquivo.${kind}`;
/** One valid model message per capability, in a form every supporting provider accepts. */
const samples: Record<Capability, Message> = {
  text: messageSchema.parse({ type: 'text', to: PHONE, text: 'Olá' }),
  image: messageSchema.parse({ type: 'media', to: PHONE, kind: 'image', url: url('jpg'), caption: 'foto' }),
  video: messageSchema.parse({ type: 'media', to: PHONE, kind: 'video', url: url('mp4') }),
  audio: messageSchema.parse({ type: 'media', to: PHONE, kind: 'audio', url: url('ogg') }),
  document: messageSchema.parse({ type: 'media', to: PHONE, kind: 'document', url: url('pdf'), filename: 'a.pdf' }),
  sticker: messageSchema.parse({ type: 'media', to: PHONE, kind: 'sticker', id: '515056594160172' }),
  location: messageSchema.parse({ type: 'location', to: PHONE, latitude: '-23.5505', longitude: '-46.6333' }),
  contact: messageSchema.parse({
    type: 'contact',
    to: PHONE,
    contacts: [{ name: { formatted_name: 'João Silva' }, phones: [{ phone: '5511999999999' }] }],
  }),
  template: messageSchema.parse({
    type: 'template',
    to: PHONE,
    name: 'order_confirmation',
    language: 'pt_BR',
    body: ['João'],
    buttons: [],
  }),
  'interactive buttons': messageSchema.parse({
    type: 'interactive',
    to: PHONE,
    body: 'Escolha',
    action: { type: 'buttons', buttons: [{ id: 'sim', title: 'Sim' }] },
  }),
  'interactive list': messageSchema.parse({
    type: 'interactive',
    to: PHONE,
    body: 'Escolha',
    action: { type: 'list', button: 'Ver opções', sections: [{ rows: [{ id: 'r1', title: 'Um' }] }] },
  }),
  'interactive location request': messageSchema.parse({
    type: 'interactive',
    to: PHONE,
    body: 'Onde você está?',
    action: { type: 'location_request' },
  }),
  hsm: messageSchema.parse({
    type: 'hsm',
    to: PHONE,
    namespace: 'ns',
    elementName: 'purchase_with_credit_card',
    language: 'en_US',
    policy: 'deterministic',
    params: [{ default: '$10' }],
  }),
};

function assertValidationError(fn: () => unknown, pattern: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes('\n'), 'one line');
    if (typeof pattern === 'string') assert.equal(e.message, pattern);
    else assert.match(e.message, pattern);
    return true;
  });
}

describe("README.md's support table", () => {
  for (const id of Object.keys(providers) as ProviderId[]) {
    const adapter = providers[id];
    const supported = table.filter(([, row]) => row[id]).map(([cap]) => cap);

    test(`${id}: capabilities are the table's, in its order`, () => {
      assert.deepStrictEqual([...adapter.capabilities], supported);
    });

    for (const [capability, row] of table) {
      const msg = samples[capability];
      assert.equal(capabilityOf(msg), capability);
      if (row[id]) {
        test(`${id} builds ${capability}`, () => {
          const request = adapter.buildSend(msg, profileFor(id));
          assert.equal(request.method, 'POST');
          assert.ok(request.body && typeof request.body === 'object');
        });
      } else {
        test(`${id} refuses ${capability}, naming what it supports`, () => {
          assertValidationError(
            () => adapter.buildSend(msg, profileFor(id)),
            `${id} does not support ${capability} messages; it supports: ${supported.join(', ')}`,
          );
        });
      }
    }
  }

  test('the wording of two refusals', () => {
    assertValidationError(
      () => providers.interacto.buildSend(samples.text, profileFor('interacto')),
      'interacto does not support text messages; it supports: contact',
    );
    assertValidationError(
      () => providers.socialminer.buildSend(samples['interactive location request'], profileFor('socialminer')),
      /^socialminer does not support interactive location request messages; it supports: text, image, /,
    );
  });
});

describe('Interacto-only options', () => {
  for (const id of ['interflow', 'turn', 'socialminer'] as const) {
    test(`${id} refuses each option by name`, () => {
      const base = id === 'socialminer' ? samples.contact : samples.text;
      for (const [option, value] of Object.entries({ delay: 2, typing: 8, priority: 2, tags: ['urgente'], metadata: { leadId: '1' } })) {
        const msg = messageSchema.parse({ ...base, options: { [option]: value } });
        const flag = option === 'tags' ? '--tag' : `--${option}`;
        assertValidationError(
          () => providers[id].buildSend(msg, profileFor(id)),
          `${flag} is an Interacto-only option; ${id} does not accept it`,
        );
      }
      const both = messageSchema.parse({ ...base, options: { delay: 1, tags: ['a'] } });
      assertValidationError(
        () => providers[id].buildSend(both, profileFor(id)),
        `--delay, --tag are Interacto-only options; ${id} does not accept them`,
      );
    });
  }
  test('interacto takes them', () => {
    const msg = messageSchema.parse({ ...samples.contact, options: { delay: 0, typing: 3 } });
    assert.deepStrictEqual(providers.interacto.buildSend(msg, profileFor('interacto')).body, {
      to: PHONE,
      contact: { name: 'João Silva', phone: '5511999999999' },
      delay: 0,
      typing: 3,
    });
  });
});

describe('provider-specific refusals', () => {
  const parse = (m: unknown) => messageSchema.parse(m);

  test('interflow: media by id, template policy, namespace, header by id; link previews', () => {
    const p = profileFor('interflow');
    assertValidationError(
      () => providers.interflow.buildSend(parse({ type: 'media', to: PHONE, kind: 'image', id: '123' }), p),
      /by URL only/,
    );
    assertValidationError(
      () => providers.interflow.buildSend(parse({ ...samples.template, policy: 'deterministic' }), p),
      /interflow takes the template language as a plain code \("pt_BR"\): a language policy/,
    );
    assertValidationError(() => providers.interflow.buildSend(parse({ ...samples.template, namespace: 'ns' }), p), /no namespace/);
    assertValidationError(
      () => providers.interflow.buildSend(parse({ ...samples.template, header: { type: 'image', id: '123' } }), p),
      /header media by URL only/,
    );
    assertValidationError(() => providers.interflow.buildSend(parse({ ...samples.text, previewUrl: true }), p), /preview/);
    // previewUrl false asks for nothing the document lacks.
    assert.ok(providers.interflow.buildSend(parse({ ...samples.text, previewUrl: false }), p));
  });

  test('socialminer: namespace and the fallback policy', () => {
    const p = profileFor('socialminer');
    assertValidationError(
      () => providers.socialminer.buildSend(parse({ ...samples.template, namespace: 'ns' }), p),
      /socialminer templates have no namespace/,
    );
    assertValidationError(() => providers.socialminer.buildSend(parse({ ...samples.template, policy: 'fallback' }), p), /deterministic/);
  });

  test("turn: stickers by id only (its document); socialminer takes a link too (Meta's StickerMessage)", () => {
    const sticker = parse({ type: 'media', to: PHONE, kind: 'sticker', url: 'https://exemplo.com/s.webp' });
    assertValidationError(() => providers.turn.buildSend(sticker, profileFor('turn')), /stickers by media id only/);
    assert.deepEqual((providers.socialminer.buildSend(sticker, profileFor('socialminer')).body as { sticker: unknown }).sticker, {
      link: 'https://exemplo.com/s.webp',
    });
  });

  test('template header filename only on documents (the model refuses it before any adapter)', () => {
    const r = messageSchema.safeParse({
      ...samples.template,
      header: { type: 'image', url: 'https://exemplo.com/i.jpg', filename: 'i.jpg' },
    });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /only for document headers/);
  });

  test('turn: a location request takes only a body', () => {
    const msg = parse({ ...samples['interactive location request'], header: 'Oi' });
    assertValidationError(() => providers.turn.buildSend(msg, profileFor('turn')), /only a body/);
  });

  test('interacto: one contact, with a phone', () => {
    const p = profileFor('interacto');
    const two = parse({
      ...samples.contact,
      contacts: [...(samples.contact as { contacts: unknown[] }).contacts, { name: { formatted_name: 'Ana' }, phones: [{ phone: '1' }] }],
    });
    assertValidationError(() => providers.interacto.buildSend(two, p), /one contact per message \(got 2\)/);
    const noPhone = parse({ type: 'contact', to: PHONE, contacts: [{ name: { formatted_name: 'Ana' } }] });
    assertValidationError(() => providers.interacto.buildSend(noPhone, p), 'interacto: contact Ana has no phone number to send');
    const noDigits = parse({ type: 'contact', to: PHONE, contacts: [{ name: { formatted_name: 'Ana' }, phones: [{ wa_id: '5511' }] }] });
    assertValidationError(() => providers.interacto.buildSend(noDigits, p), /no phone number/);
  });

  test("socialminer: what Meta's contacts schema requires beyond the model", () => {
    const p = profileFor('socialminer');
    const card = { name: { formatted_name: 'Ana' } };
    const six = parse({ type: 'contact', to: PHONE, contacts: Array.from({ length: 6 }, () => card) });
    assertValidationError(() => providers.socialminer.buildSend(six, p), /at most 5 contacts/);
    const waOnly = parse({ type: 'contact', to: PHONE, contacts: [{ ...card, phones: [{ wa_id: '5511' }] }] });
    assertValidationError(() => providers.socialminer.buildSend(waOnly, p), 'contact Ana: phones[0] has no phone');
    const badType = parse({ type: 'contact', to: PHONE, contacts: [{ ...card, emails: [{ email: 'a@b.c', type: 'CELL' }] }] });
    assertValidationError(() => providers.socialminer.buildSend(badType, p), /emails\[0\]\.type must be one of HOME, WORK/);
  });
});
