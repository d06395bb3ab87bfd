/**
 * SocialMiner bodies validate against Meta's official OpenAPI description of the Cloud API
 * (components.schemas.Message of facebook/openapi's business-messaging-api_v23.0.yaml, kept with
 * the schemas it refers to in test/fixtures/meta-openapi/, MIT), with the corrections listed in
 * docs/providers/meta.md ("Corrections to Meta's OpenAPI description") applied here, programmatically.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { messageSchema } from '../../src/message/model.js';
import { providers } from '../../src/providers/index.js';
import { PHONE, profileFor, socialminerInteractiveAsDocumented, specExamples } from '../fixtures/provider-examples.js';

// Walking an untyped OpenAPI document.
type Schema = Record<string, any>;

/** Message and its $ref closure, extracted unchanged from Meta's file (see the folder's README). */
const referenceFile = fileURLToPath(new URL('../fixtures/meta-openapi/message-schemas.json', import.meta.url));

/** The corrected Message schema, compiled once. */
function compileMessageValidator(): ValidateFunction {
  const doc = JSON.parse(readFileSync(referenceFile, 'utf8')) as Schema;
  // Refs are "#/components/schemas/X": keep them valid in a standalone schema under $defs.
  const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Schema;

  // 1. Each XxxMessage is allOf [BaseMessageProperties, {… additionalProperties: false}]: the second
  //    branch alone would reject messaging_product/to/recipient_type. Drop additionalProperties from
  //    the branches and close the XxxMessage itself with unevaluatedProperties (2020-12).
  for (const branch of defs.Message.oneOf as Schema[]) {
    const name = String(branch.$ref).replace('#/$defs/', '');
    const message = defs[name] as Schema;
    assert.ok(Array.isArray(message.allOf), `${name} is an allOf`);
    for (const part of message.allOf as Schema[]) delete part.additionalProperties;
    message.unevaluatedProperties = false;
  }

  // 2. The button index pattern "^[2-6, 11-14]$" rejects "0", the spec's own example.
  assert.equal(defs.TemplateComponent.properties.index.pattern, '^[2-6, 11-14]$');
  defs.TemplateComponent.properties.index.pattern = '^[0-9]+$';
  defs.ButtonComponent.allOf[1].properties.index.pattern = '^[0-9]+$';

  // 3. `discriminator` without oneOf is only an annotation: dispatch on `type` with if/then to the
  //    sub-shape's own branch (allOf[1]; allOf[0] refers back to the base, which would loop).
  for (const base of ['TemplateComponent', 'ParameterObject', 'ButtonParameterObject']) {
    const mapping = defs[base].discriminator.mapping as Record<string, string>;
    defs[base].allOf = Object.entries(mapping).map(([value, ref]) => {
      const sub = defs[ref.replace('#/components/schemas/', '').replace('#/$defs/', '')] as Schema;
      return { if: { properties: { type: { const: value } }, required: ['type'] }, then: sub.allOf[1] };
    });
  }
  // Every discriminator is an annotation to Ajv without its `discriminator` option: remove them.
  const stripDiscriminators = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(stripDiscriminators);
    else if (node && typeof node === 'object') {
      delete (node as Schema).discriminator;
      Object.values(node).forEach(stripDiscriminators);
    }
  };
  stripDiscriminators(defs);

  // 4. Location latitude/longitude are strings (SocialMiner's own example sends strings): keep.
  assert.equal(defs.LocationMessage.allOf[1].properties.location.properties.latitude.type, 'string');
  assert.equal(defs.LocationMessage.allOf[1].properties.location.properties.longitude.type, 'string');

  // 5. LanguageObject requires policy ("deterministic"): keep; the adapter always sends it.
  assert.deepStrictEqual(defs.LanguageObject.required, ['policy', 'code']);

  // 6. InteractiveObject.type lacks location_request_message (Turn documents it).
  defs.InteractiveObject.properties.type.enum.push('location_request_message');

  // The file's PhoneObject.type is HOME/WORK only; it is not among the README's corrections, so the
  // CLI sends only those (a vCard's CELL phone goes without a type).
  assert.deepStrictEqual(defs.PhoneObject.properties.type.enum, ['HOME', 'WORK']);

  // Formats (url, email, uri, date, int32) are not checked: Ajv has none built in.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  return ajv.compile({ $defs: defs, $ref: '#/$defs/Message' });
}

const validate = compileMessageValidator();

function assertValid(body: unknown, what: string): void {
  const ok = validate(body);
  assert.ok(
    ok,
    `${what} does not validate against Meta's Message schema:\n${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(body, null, 2)}`,
  );
}

const build = (message: unknown) => providers.socialminer.buildSend(messageSchema.parse(message), profileFor('socialminer')).body;

describe("socialminer bodies validate against Meta's OpenAPI Message schema", () => {
  for (const example of specExamples.filter((e) => e.provider === 'socialminer')) {
    test(`spec example: ${example.title}`, () => {
      assertValid(build(example.message), example.title);
      // The hand transcription itself is valid too.
      assertValid(example.body, `${example.title} (as documented)`);
    });
  }

  const more: Record<string, unknown> = {
    'text with preview_url': { type: 'text', to: PHONE, text: 'veja https://exemplo.com', previewUrl: true },
    'image by link with caption': { type: 'media', to: PHONE, kind: 'image', url: 'https://exemplo.com/i.jpg', caption: 'Olá 🎉' },
    'video by id with caption': { type: 'media', to: PHONE, kind: 'video', id: '42', caption: 'vídeo' },
    'audio by link': { type: 'media', to: PHONE, kind: 'audio', url: 'https://exemplo.com/a.ogg' },
    'document by link with filename': { type: 'media', to: PHONE, kind: 'document', url: 'https://exemplo.com/c.pdf', filename: 'c.pdf' },
    'sticker by id': { type: 'media', to: PHONE, kind: 'sticker', id: '99' },
    'location with name and address': {
      type: 'location',
      to: PHONE,
      latitude: '-23.5505',
      longitude: '-46.6333',
      name: 'Escritório Central',
      address: 'Av. Paulista, 1000 - São Paulo',
    },
    'location, coordinates only': { type: 'location', to: PHONE, latitude: '1', longitude: '2' },
    'contact from --name/--phone': {
      type: 'contact',
      to: PHONE,
      contacts: [{ name: { formatted_name: 'João Silva' }, phones: [{ phone: '5511999999999' }] }],
    },
    'template: text header, body, quick reply and url buttons': {
      type: 'template',
      to: PHONE,
      name: 'order_confirmation',
      language: 'pt_BR',
      policy: 'deterministic',
      header: { type: 'text', text: 'Pedido 123' },
      body: ['João', '12345'],
      buttons: [
        { type: 'url', index: 1, text: 'pedido/123' },
        { type: 'quick_reply', index: 0, payload: 'CONFIRMAR' },
      ],
    },
    'template: image header by link': {
      type: 'template',
      to: PHONE,
      name: 'promo',
      language: 'pt_BR',
      header: { type: 'image', url: 'https://exemplo.com/i.jpg' },
      body: [],
      buttons: [],
    },
    'template: document header by id with filename': {
      type: 'template',
      to: PHONE,
      name: 'boleto',
      language: 'pt_BR',
      header: { type: 'document', id: '777', filename: 'boleto.pdf' },
      body: ['R$ 10,00'],
      buttons: [],
    },
    'template: video header, no body': {
      type: 'template',
      to: PHONE,
      name: 'video_promo',
      language: 'en_US',
      header: { type: 'video', url: 'https://url.com/video-file.mp4' },
      body: [],
      buttons: [],
    },
    'interactive buttons with header and footer': {
      type: 'interactive',
      to: PHONE,
      header: 'Olá',
      body: 'Escolha',
      footer: 'Rodapé',
      action: {
        type: 'buttons',
        buttons: [
          { id: 'a', title: 'A' },
          { id: 'b', title: 'B' },
          { id: 'c', title: 'C' },
        ],
      },
    },
    'interactive list': {
      type: 'interactive',
      to: PHONE,
      body: 'Escolha um horário',
      action: {
        type: 'list',
        button: 'Ver opções',
        sections: [
          { title: 'Manhã', rows: [{ id: 'm1', title: '09:00', description: 'Café incluso' }] },
          { title: 'Tarde', rows: [{ id: 't1', title: '14:00' }] },
        ],
      },
    },
  };
  for (const [what, message] of Object.entries(more)) {
    test(what, () => assertValid(build(message), what));
  }

  test('every kind socialminer supports is covered above', () => {
    const covered = new Set(
      [...specExamples.filter((e) => e.provider === 'socialminer').map((e) => e.message), ...Object.values(more)].map((m) => {
        const parsed = messageSchema.parse(m);
        return parsed.type === 'media'
          ? parsed.kind
          : parsed.type === 'interactive'
            ? `interactive ${parsed.action.type === 'buttons' ? 'buttons' : parsed.action.type}`
            : parsed.type;
      }),
    );
    for (const capability of providers.socialminer.capabilities) assert.ok(covered.has(capability), capability);
  });
});

describe('the validator rejects wrong bodies (so the checks above can fail)', () => {
  const good = build({ type: 'location', to: PHONE, latitude: '0.0', longitude: '0.1' }) as Record<string, unknown>;

  test('the baseline is valid', () => assertValid(good, 'baseline'));

  const wrong: Record<string, unknown> = {
    'numeric latitude': { ...good, location: { latitude: 0, longitude: '0.1' } },
    'location as a string': { ...good, location: '0.0,0.1' },
    'an extra top-level field': { ...good, preview_url: false },
    'an unknown field inside location': { ...good, location: { latitude: '0.0', longitude: '0.1', zoom: 3 } },
    'no messaging_product': Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'messaging_product')),
    'an unknown type': { ...good, type: 'carrier_pigeon' },
    'text with preview_url at the top level (Turn style)': {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'text',
      preview_url: false,
      text: { body: 'oi' },
    },
    'template language as a plain string (Interflow style)': {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'template',
      template: { name: 'x', language: 'pt_BR', components: [] },
    },
    'template button index as a number': {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'template',
      template: {
        name: 'x',
        language: { policy: 'deterministic', code: 'pt_BR' },
        components: [{ type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'p' }] }],
      },
    },
    'body parameter without its text (discriminator dispatch)': {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'template',
      template: {
        name: 'x',
        language: { policy: 'deterministic', code: 'pt_BR' },
        components: [{ type: 'body', parameters: [{ type: 'text' }] }],
      },
    },
    // Why the adapter drops the document's nulls and "Id": Meta's schema refuses them.
    "SocialMiner's interactive example verbatim (nulls and Id)": socialminerInteractiveAsDocumented,
  };
  for (const [what, body] of Object.entries(wrong)) {
    test(what, () => assert.equal(validate(body), false, `${what} should be rejected`));
  }
});
