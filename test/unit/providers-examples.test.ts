/**
 * Every provider example body in docs/providers/ (test/fixtures/provider-examples.ts) → the neutral message → the adapter → exactly the example's body.
 * Plus the request line and headers of each provider, with and without a profile baseUrl.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderId } from '../../src/config/profile.js';
import { messageSchema } from '../../src/message/model.js';
import { getAdapter, providers } from '../../src/providers/index.js';
import { CHANNEL_ID, INSTANCE_ID, PHONE, keys, profileFor, specExamples } from '../fixtures/provider-examples.js';

describe('spec examples build exactly the documented body', () => {
  for (const example of specExamples) {
    test(`${example.provider}: ${example.title}`, () => {
      const msg = messageSchema.parse(example.message);
      const request = providers[example.provider].buildSend(msg, profileFor(example.provider, example.profile));
      const body = structuredClone(request.body) as Record<string, unknown>;
      for (const [key, value] of Object.entries(example.added ?? {})) {
        assert.deepStrictEqual(body[key], value, `${key} is added by the adapter`);
        delete body[key];
      }
      assert.deepStrictEqual(body, example.body);
      // What goes on the wire is JSON: it must survive serialization unchanged (no undefined, no NaN).
      assert.deepStrictEqual(JSON.parse(JSON.stringify(request.body)), request.body);
    });
  }

  test('every provider has at least one documented example', () => {
    for (const id of Object.keys(providers) as ProviderId[]) {
      assert.ok(
        specExamples.some((e) => e.provider === id),
        id,
      );
    }
  });
});

const text = messageSchema.parse({ type: 'text', to: PHONE, text: 'oi' });
const contact = messageSchema.parse({
  type: 'contact',
  to: PHONE,
  contacts: [{ name: { formatted_name: 'João Silva' }, phones: [{ phone: '+55 (11) 99999-9999' }] }],
});
const sample = (id: ProviderId) => (id === 'interacto' ? contact : text);

describe('request line and headers', () => {
  const expected: Record<ProviderId, { url: string; local: string; headers: Record<string, string>; secret: string[] }> = {
    interflow: {
      url: 'https://api.interflow.chat/v1/messages/send',
      local: 'http://127.0.0.1:8787/interflow/v1/messages/send',
      headers: { Authorization: `Bearer ${keys.interflow}`, 'Content-Type': 'application/json' },
      secret: ['authorization'],
    },
    interacto: {
      url: 'https://api.interacto.io/message/contact',
      local: 'http://127.0.0.1:8787/interacto/message/contact',
      headers: { Authorization: keys.interacto, 'Content-Type': 'application/json', 'Instance-Id': INSTANCE_ID },
      secret: ['authorization'],
    },
    turn: {
      url: 'https://whatsapp.turn.io/v1/messages',
      local: 'http://127.0.0.1:8787/turn/v1/messages',
      headers: { Authorization: `Bearer ${keys.turn}`, 'Content-Type': 'application/json' },
      secret: ['authorization'],
    },
    socialminer: {
      url: 'https://api-cerberus-kong.socialminer.tech/api/Messages',
      local: 'http://127.0.0.1:8787/socialminer/api/Messages',
      headers: { 'Content-Type': 'application/json', apikey: keys.socialminer, version: '4.0' },
      secret: ['apikey'],
    },
  };
  const localBase: Record<ProviderId, string> = {
    interflow: 'http://127.0.0.1:8787/interflow/v1',
    interacto: 'http://127.0.0.1:8787/interacto',
    turn: 'http://127.0.0.1:8787/turn',
    socialminer: 'http://127.0.0.1:8787/socialminer',
  };

  for (const id of Object.keys(expected) as ProviderId[]) {
    const want = expected[id];
    test(`${id}: default base URL`, () => {
      const request = getAdapter(id).buildSend(sample(id), profileFor(id));
      assert.equal(request.method, 'POST');
      assert.equal(request.url, want.url);
      assert.deepStrictEqual(request.headers, want.headers);
      assert.deepStrictEqual([...getAdapter(id).secretHeaders], want.secret);
      // Every credential header is listed as secret.
      for (const [name, value] of Object.entries(request.headers)) {
        if (value.includes(keys[id])) assert.ok(getAdapter(id).secretHeaders.includes(name.toLowerCase()), name);
      }
    });
    test(`${id}: a profile baseUrl replaces the default exactly (one trailing slash stripped)`, () => {
      for (const base of [localBase[id], `${localBase[id]}/`]) {
        const request = getAdapter(id).buildSend(sample(id), profileFor(id, { baseUrl: base }));
        assert.equal(request.method, 'POST');
        assert.equal(request.url, want.local);
        assert.deepStrictEqual(request.headers, want.headers);
      }
    });
  }

  test('interflow: sandbox environment', () => {
    const profile = profileFor('interflow', { environment: 'sandbox' });
    assert.equal(providers.interflow.buildSend(text, profile).url, 'https://sandbox.api.interflow.chat/v1/messages/send');
    // baseUrl wins over the environment.
    const local = profileFor('interflow', { environment: 'sandbox', baseUrl: 'http://127.0.0.1:8787/interflow/v1' });
    assert.equal(providers.interflow.buildSend(text, local).url, 'http://127.0.0.1:8787/interflow/v1/messages/send');
    assert.equal(
      providers.interflow.buildSend(text, profileFor('interflow', { environment: 'production' })).url,
      'https://api.interflow.chat/v1/messages/send',
    );
  });

  test('interflow and interacto need channelId / instanceId (ConfigError, exit 2)', () => {
    const noChannel = { ...profileFor('interflow'), channelId: undefined };
    assert.throws(
      () => providers.interflow.buildSend(text, noChannel),
      (e: Error & { exitCode?: number }) => {
        assert.equal(e.name, 'ConfigError');
        assert.equal(e.exitCode, 2);
        assert.match(e.message, /channelId/);
        return true;
      },
    );
    const noInstance = { ...profileFor('interacto'), instanceId: undefined };
    assert.throws(() => providers.interacto.buildSend(contact, noInstance), /instanceId/);
  });

  test('labels and registry', () => {
    assert.deepStrictEqual(
      Object.values(providers).map((p) => [p.id, p.label]),
      [
        ['interflow', 'Interflow'],
        ['interacto', 'Interacto'],
        ['turn', 'Turn.io'],
        ['socialminer', 'SocialMiner'],
      ],
    );
    assert.throws(() => getAdapter('whatsapp' as ProviderId), /unknown provider 'whatsapp'/);
    assert.throws(() => getAdapter('toString' as ProviderId), /unknown provider/);
  });
});

describe('building details beyond the examples', () => {
  test('interacto: phone is the first phone with non-digits stripped; options only when given', () => {
    const request = providers.interacto.buildSend(contact, profileFor('interacto'));
    assert.deepStrictEqual(request.body, { to: PHONE, contact: { name: 'João Silva', phone: '5511999999999' } });
  });

  test('interflow: audio and video by URL', () => {
    const audio = messageSchema.parse({ type: 'media', to: PHONE, kind: 'audio', url: 'https://exemplo.com/a.ogg' });
    assert.deepStrictEqual(providers.interflow.buildSend(audio, profileFor('interflow')).body, {
      channel_id: CHANNEL_ID,
      to: PHONE,
      type: 'audio',
      content: { url: 'https://exemplo.com/a.ogg' },
    });
  });

  test('interflow: template header and buttons are Meta-style components, in order', () => {
    const msg = messageSchema.parse({
      type: 'template',
      to: PHONE,
      name: 'pedido',
      language: 'pt_BR',
      header: { type: 'document', url: 'https://exemplo.com/nota.pdf', filename: 'nota.pdf' },
      body: [],
      buttons: [
        { type: 'url', index: 1, text: 'pedido/123' },
        { type: 'quick_reply', index: 0, payload: 'SIM' },
      ],
    });
    const body = providers.interflow.buildSend(msg, profileFor('interflow')).body as { content: unknown };
    assert.deepStrictEqual(body.content, {
      name: 'pedido',
      language: 'pt_BR',
      components: [
        { type: 'header', parameters: [{ type: 'document', document: { link: 'https://exemplo.com/nota.pdf', filename: 'nota.pdf' } }] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'SIM' }] },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'pedido/123' }] },
      ],
    });
  });

  test('turn: media by link, preview_url true, policy fallback, image header by id', () => {
    const image = messageSchema.parse({ type: 'media', to: PHONE, kind: 'image', url: 'https://exemplo.com/i.jpg', caption: 'Oi' });
    assert.deepStrictEqual(providers.turn.buildSend(image, profileFor('turn')).body, {
      recipient_type: 'individual',
      to: PHONE,
      type: 'image',
      image: { link: 'https://exemplo.com/i.jpg', caption: 'Oi' },
    });
    const doc = messageSchema.parse({ type: 'media', to: PHONE, kind: 'document', id: 'm1', filename: 'a.pdf' });
    assert.deepStrictEqual((providers.turn.buildSend(doc, profileFor('turn')).body as Record<string, unknown>).document, {
      id: 'm1',
      filename: 'a.pdf',
    });
    const preview = messageSchema.parse({ type: 'text', to: PHONE, text: 'veja https://exemplo.com', previewUrl: true });
    assert.equal((providers.turn.buildSend(preview, profileFor('turn')).body as Record<string, unknown>).preview_url, true);
    const tpl = messageSchema.parse({
      type: 'template',
      to: PHONE,
      name: 'promo',
      language: 'pt_BR',
      policy: 'fallback',
      namespace: 'ns-msg',
      header: { type: 'image', id: '12345' },
      body: ['a'],
      buttons: [],
    });
    // The message's namespace wins over the profile's.
    assert.deepStrictEqual(providers.turn.buildSend(tpl, profileFor('turn', { namespace: 'ns-profile' })).body, {
      to: PHONE,
      type: 'template',
      template: {
        namespace: 'ns-msg',
        name: 'promo',
        language: { code: 'pt_BR', policy: 'fallback' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { id: '12345' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'a' }] },
        ],
      },
    });
  });

  test('socialminer: preview_url goes inside text only when set; location strings as typed', () => {
    const plain = messageSchema.parse({ type: 'text', to: PHONE, text: 'oi' });
    const withPreview = messageSchema.parse({ type: 'text', to: PHONE, text: 'oi', previewUrl: false });
    const sm = providers.socialminer;
    assert.deepStrictEqual((sm.buildSend(plain, profileFor('socialminer')).body as Record<string, unknown>).text, { body: 'oi' });
    assert.deepStrictEqual((sm.buildSend(withPreview, profileFor('socialminer')).body as Record<string, unknown>).text, {
      body: 'oi',
      preview_url: false,
    });
    const loc = messageSchema.parse({ type: 'location', to: PHONE, latitude: '-23.5505', longitude: '-46.6333' });
    assert.deepStrictEqual((sm.buildSend(loc, profileFor('socialminer')).body as Record<string, unknown>).location, {
      latitude: '-23.5505',
      longitude: '-46.6333',
    });
  });
});

describe('Unicode round-trips unchanged', () => {
  const s = 'Olá 🎉 São Paulo';
  for (const id of ['interflow', 'turn', 'socialminer'] as const) {
    test(`${id}: text`, () => {
      const msg = messageSchema.parse({ type: 'text', to: PHONE, text: s });
      const wire = JSON.parse(JSON.stringify(providers[id].buildSend(msg, profileFor(id)).body)) as Record<string, unknown>;
      const got = id === 'interflow' ? (wire.content as { text: string }).text : (wire.text as { body: string }).body;
      assert.equal(got, s);
      assert.equal(Buffer.from(got, 'utf8').toString('hex'), Buffer.from(s, 'utf8').toString('hex'));
    });
  }
  test('interacto: contact name', () => {
    const msg = messageSchema.parse({
      type: 'contact',
      to: PHONE,
      contacts: [{ name: { formatted_name: s }, phones: [{ phone: PHONE }] }],
    });
    const wire = JSON.parse(JSON.stringify(providers.interacto.buildSend(msg, profileFor('interacto')).body)) as {
      contact: { name: string };
    };
    assert.equal(wire.contact.name, s);
  });
});
