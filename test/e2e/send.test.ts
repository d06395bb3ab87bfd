/**
 * The built binary against the sandbox: every provider × every type it documents, with the body
 * the sandbox received compared to the shape in the provider's own document; refusals of what a
 * provider does not document; every exit code of a one-off send; dry-run; unicode byte-exact;
 * and a canary key that must never appear in any output.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, CHANNEL, INSTANCE, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';

let world: World;
const outputs: RunResult[] = [];

before(async () => {
  world = await startWorld();
});
after(async () => {
  // The canary key was the only key every run had; it must not appear anywhere.
  for (const r of outputs) {
    assert.ok(!r.stdout.includes(CANARY), `key leaked on stdout:\n${r.stdout}`);
    assert.ok(!r.stderr.includes(CANARY), `key leaked on stderr:\n${r.stderr}`);
  }
  await world.close();
});
beforeEach(() => world.sandbox.reset());

async function cli(...args: string[]): Promise<RunResult> {
  const r = await world.run(args);
  outputs.push(r);
  return r;
}

function lastReceived() {
  const r = world.sandbox.received.at(-1);
  assert.ok(r, 'the sandbox received nothing');
  return r;
}

const TO = '5511999999999';

/** Sends, expects exit 0 with a result of the shape README.md's Output section shows, returns what the sandbox got. */
async function sendOk(profile: string, type: string, args: string[]) {
  const r = await cli(...args, '--profile', profile, '--json');
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const result = json(r);
  assert.equal(result.ok, true);
  assert.equal(result.provider, profile.split('-')[0]);
  assert.equal(result.profile, profile);
  assert.equal(result.to, TO);
  assert.equal(result.type, type);
  assert.equal(typeof result.id, 'string');
  assert.ok((result.id as string).length > 0);
  assert.equal(typeof result.status, 'string');
  assert.equal(world.sandbox.received.length, 1, 'exactly one request per send');
  const got = lastReceived();
  assert.ok(got.status >= 200 && got.status < 300, `sandbox answered ${got.status}: ${JSON.stringify(got.body)}`);
  return { result, got };
}

describe('interflow (Bearer key, channel_id, content)', () => {
  const send = (type: string, content: unknown) => ({ channel_id: CHANNEL, to: TO, type, content });

  test('text: headers and body as the document shows; number typed loosely is normalized', async () => {
    const { result, got } = await sendOk('interflow', 'text', [
      'send',
      'text',
      '+55 (11) 99999-9999',
      'Olá! Esta é uma mensagem de teste.',
    ]);
    assert.equal(got.method, 'POST');
    assert.equal(got.path, '/interflow/v1/messages/send');
    assert.equal(got.headers['authorization'], `Bearer ${CANARY}`);
    assert.match(got.headers['content-type']!, /^application\/json/);
    assert.deepEqual(got.body, send('text', { text: 'Olá! Esta é uma mensagem de teste.' }));
    assert.match(result.id as string, /^msg_/);
    assert.equal(result.status, 'sent');
  });

  test('image, video, audio, document by url', async () => {
    let { got } = await sendOk('interflow', 'image', [
      'send',
      'media',
      TO,
      '--kind',
      'image',
      '--url',
      'https://exemplo.com/imagem.jpg',
      '--caption',
      'Confira nossa nova coleção!',
    ]);
    assert.deepEqual(got.body, send('image', { url: 'https://exemplo.com/imagem.jpg', caption: 'Confira nossa nova coleção!' }));
    world.sandbox.reset();
    ({ got } = await sendOk('interflow', 'document', [
      'send',
      'media',
      TO,
      '--kind',
      'document',
      '--url',
      'https://exemplo.com/contrato.pdf',
      '--filename',
      'contrato.pdf',
      '--caption',
      'Segue o contrato em anexo.',
    ]));
    assert.deepEqual(
      got.body,
      send('document', { url: 'https://exemplo.com/contrato.pdf', filename: 'contrato.pdf', caption: 'Segue o contrato em anexo.' }),
    );
    world.sandbox.reset();
    ({ got } = await sendOk('interflow', 'video', ['send', 'media', TO, '--kind', 'video', '--url', 'https://exemplo.com/v.mp4']));
    assert.deepEqual(got.body, send('video', { url: 'https://exemplo.com/v.mp4' }));
    world.sandbox.reset();
    ({ got } = await sendOk('interflow', 'audio', ['send', 'media', TO, '--kind', 'audio', '--url', 'https://exemplo.com/a.ogg']));
    assert.deepEqual(got.body, send('audio', { url: 'https://exemplo.com/a.ogg' }));
  });

  test('location: coordinates are JSON numbers', async () => {
    const { got } = await sendOk('interflow', 'location', [
      'send',
      'location',
      TO,
      '--latitude',
      '-23.5505',
      '--longitude',
      '-46.6333',
      '--name',
      'Escritório Central',
      '--address',
      'Av. Paulista, 1000 - São Paulo',
    ]);
    assert.deepEqual(
      got.body,
      send('location', { latitude: -23.5505, longitude: -46.6333, name: 'Escritório Central', address: 'Av. Paulista, 1000 - São Paulo' }),
    );
  });

  test('template: language is a plain string', async () => {
    const { got } = await sendOk('interflow', 'template', [
      'send',
      'template',
      TO,
      '--name',
      'order_confirmation',
      '--language',
      'pt_BR',
      '--param',
      'João',
      '--param',
      '12345',
    ]);
    assert.deepEqual(
      got.body,
      send('template', {
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
      }),
    );
  });
});

describe('interacto (Authorization without Bearer, Instance-Id)', () => {
  test('contact with delay, typing, priority, tags and metadata', async () => {
    const { result, got } = await sendOk('interacto', 'contact', [
      'send',
      'contact',
      TO,
      '--name',
      'João Silva',
      '--phone',
      '5511999999999',
      '--delay',
      '2',
      '--typing',
      '8',
      '--priority',
      '2',
      '--tag',
      'urgente',
      '--tag',
      'lead',
      '--metadata',
      'leadId=1234533',
    ]);
    assert.equal(got.path, '/interacto/message/contact');
    assert.equal(got.headers['authorization'], CANARY);
    assert.equal(got.headers['instance-id'], INSTANCE);
    assert.deepEqual(got.body, {
      to: '5511999999999',
      contact: { name: 'João Silva', phone: '5511999999999' },
      delay: 2,
      typing: 8,
      priority: 2,
      tags: ['urgente', 'lead'],
      metadata: { leadId: '1234533' },
    });
    assert.equal(result.status, 'queued');
  });

  test('contact from a vCard', async () => {
    const vcf = join(world.dir, 'joao.vcf');
    writeFileSync(vcf, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:João Silva\r\nTEL;TYPE=CELL:+55 11 98888-7777\r\nEND:VCARD\r\n');
    const { got } = await sendOk('interacto', 'contact', ['send', 'contact', TO, '--vcard', vcf]);
    assert.deepEqual(got.body, { to: TO, contact: { name: 'João Silva', phone: '5511988887777' } });
  });
});

describe('turn (Bearer token, /v1/messages)', () => {
  test('text with preview_url', async () => {
    const { result, got } = await sendOk('turn', 'text', [
      'send',
      'text',
      TO,
      'your-text-message-content https://exemplo.com',
      '--preview-url',
    ]);
    assert.equal(got.path, '/turn/v1/messages');
    assert.equal(got.headers['authorization'], `Bearer ${CANARY}`);
    assert.deepEqual(got.body, {
      preview_url: true,
      recipient_type: 'individual',
      to: TO,
      type: 'text',
      text: { body: 'your-text-message-content https://exemplo.com' },
    });
    assert.equal(result.status, 'sent');
  });

  test('media by id and by link; sticker by id', async () => {
    let { got } = await sendOk('turn', 'image', [
      'send',
      'media',
      TO,
      '--kind',
      'image',
      '--id',
      'your-media-id',
      '--caption',
      'your-image-caption',
    ]);
    assert.deepEqual(got.body, {
      recipient_type: 'individual',
      to: TO,
      type: 'image',
      image: { id: 'your-media-id', caption: 'your-image-caption' },
    });
    world.sandbox.reset();
    ({ got } = await sendOk('turn', 'document', [
      'send',
      'media',
      TO,
      '--kind',
      'document',
      '--url',
      'https://exemplo.com/c.pdf',
      '--filename',
      'c.pdf',
    ]));
    assert.deepEqual(got.body, {
      recipient_type: 'individual',
      to: TO,
      type: 'document',
      document: { link: 'https://exemplo.com/c.pdf', filename: 'c.pdf' },
    });
    world.sandbox.reset();
    ({ got } = await sendOk('turn', 'sticker', ['send', 'media', TO, '--kind', 'sticker', '--id', 'your-media-id']));
    assert.deepEqual(got.body, { recipient_type: 'individual', to: TO, type: 'sticker', sticker: { id: 'your-media-id' } });
    world.sandbox.reset();
    ({ got } = await sendOk('turn', 'video', [
      'send',
      'media',
      TO,
      '--kind',
      'video',
      '--id',
      'your-media-id',
      '--caption',
      'your-video-caption',
    ]));
    assert.deepEqual(got.body, {
      recipient_type: 'individual',
      to: TO,
      type: 'video',
      video: { id: 'your-media-id', caption: 'your-video-caption' },
    });
    world.sandbox.reset();
    ({ got } = await sendOk('turn', 'audio', ['send', 'media', TO, '--kind', 'audio', '--id', 'your-media-id']));
    assert.deepEqual(got.body, { recipient_type: 'individual', to: TO, type: 'audio', audio: { id: 'your-media-id' } });
  });

  test('template: namespace from the profile, language {code, policy}, media header, quick replies', async () => {
    const { got } = await sendOk('turn', 'template', [
      'send',
      'template',
      TO,
      '--name',
      'template_name',
      '--language',
      'en',
      '--header-video',
      'https://url.com/video-file.mp4',
      '--param',
      'body placeholder 1 value',
      '--quick-reply',
      '0=button-0-payload',
      '--quick-reply',
      '1=button-1-payload',
    ]);
    assert.deepEqual(got.body, {
      to: TO,
      type: 'template',
      template: {
        namespace: 'template-namespace',
        name: 'template_name',
        language: { code: 'en', policy: 'deterministic' },
        components: [
          { type: 'header', parameters: [{ type: 'video', video: { link: 'https://url.com/video-file.mp4' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'body placeholder 1 value' }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'button-0-payload' }] },
          { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'button-1-payload' }] },
        ],
      },
    });
  });

  test('template from a file', async () => {
    const file = join(world.dir, 'pedido.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'template_name',
        language: 'en',
        header: { type: 'text', text: 'header placeholder value' },
        body: ['Olá João'],
      }),
    );
    const { got } = await sendOk('turn', 'template', ['send', 'template', TO, '--file', file]);
    assert.deepEqual(got.body, {
      to: TO,
      type: 'template',
      template: {
        namespace: 'template-namespace',
        name: 'template_name',
        language: { code: 'en', policy: 'deterministic' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'header placeholder value' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Olá João' }] },
        ],
      },
    });
  });

  test('interactive buttons, list and location request', async () => {
    let { got } = await sendOk('turn', 'interactive', [
      'send',
      'interactive',
      TO,
      '--body',
      'Confirma?',
      '--header',
      'Pedido 123',
      '--footer',
      'Loja São Jorge',
      '--button',
      'sim=Sim',
      '--button',
      'nao=Não',
    ]);
    assert.deepEqual(got.body, {
      to: TO,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Pedido 123' },
        body: { text: 'Confirma?' },
        footer: { text: 'Loja São Jorge' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'sim', title: 'Sim' } },
            { type: 'reply', reply: { id: 'nao', title: 'Não' } },
          ],
        },
      },
    });
    world.sandbox.reset();
    const list = join(world.dir, 'list.json');
    const sections = [{ title: 'Amanhã', rows: [{ id: 'manha', title: 'Manhã', description: '9h às 12h' }] }];
    writeFileSync(list, JSON.stringify({ button: 'Ver opções', sections }));
    ({ got } = await sendOk('turn', 'interactive', ['send', 'interactive', TO, '--body', 'Escolha', '--list', list]));
    assert.deepEqual(got.body, {
      to: TO,
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Escolha' }, action: { button: 'Ver opções', sections } },
    });
    world.sandbox.reset();
    ({ got } = await sendOk('turn', 'interactive', [
      'send',
      'interactive',
      TO,
      '--body',
      'Por favor, informe sua localização?',
      '--location-request',
    ]));
    assert.deepEqual(got.body, {
      to: TO,
      type: 'interactive',
      interactive: {
        type: 'location_request_message',
        body: { type: 'text', text: 'Por favor, informe sua localização?' },
        action: { name: 'send_location' },
      },
    });
  });

  test('deprecated hsm', async () => {
    const { got } = await sendOk('turn', 'hsm', [
      'send',
      'template',
      TO,
      '--hsm',
      '--namespace',
      '8bea15c0_b636_0737_7912_63f2b9a6bd09',
      '--name',
      'purchase_with_credit_card',
      '--language',
      'en_US',
      '--policy',
      'fallback',
      '--param',
      '$10',
      '--param',
      '1234',
    ]);
    assert.deepEqual((got.body as Record<string, unknown>).hsm, {
      namespace: '8bea15c0_b636_0737_7912_63f2b9a6bd09',
      element_name: 'purchase_with_credit_card',
      language: { policy: 'fallback', code: 'en_US' },
      localizable_params: [{ default: '$10' }, { default: '1234' }],
    });
    assert.equal((got.body as Record<string, unknown>).type, 'hsm');
  });
});

describe('socialminer (apikey + version headers, Meta shapes)', () => {
  const meta = (type: string, extra: Record<string, unknown>) => ({
    messaging_product: 'whatsapp',
    to: TO,
    type,
    recipient_type: 'individual',
    ...extra,
  });

  test('text', async () => {
    const { got } = await sendOk('socialminer', 'text', ['send', 'text', TO, 'Chamando']);
    assert.equal(got.path, '/socialminer/api/Messages');
    assert.equal(got.headers['apikey'], CANARY);
    assert.equal(got.headers['version'], '4.0');
    assert.equal(got.headers['authorization'], undefined);
    assert.deepEqual(got.body, meta('text', { text: { body: 'Chamando' } }));
  });

  test('location: coordinates are strings, as typed', async () => {
    const { got } = await sendOk('socialminer', 'location', [
      'send',
      'location',
      TO,
      '--latitude',
      '0.0',
      '--longitude',
      '0.1',
      '--name',
      '<Location Name>',
      '--address',
      "<Location's Address>",
    ]);
    assert.deepEqual(
      got.body,
      meta('location', { location: { longitude: '0.1', latitude: '0.0', name: '<Location Name>', address: "<Location's Address>" } }),
    );
  });

  test('image, audio, video, document and sticker by id', async () => {
    for (const kind of ['image', 'audio', 'video', 'sticker']) {
      world.sandbox.reset();
      const { got } = await sendOk('socialminer', kind, ['send', 'media', TO, '--kind', kind, '--id', '515056594160172']);
      assert.deepEqual(got.body, meta(kind, { [kind]: { id: '515056594160172' } }));
    }
    world.sandbox.reset();
    const { got } = await sendOk('socialminer', 'document', [
      'send',
      'media',
      TO,
      '--kind',
      'document',
      '--id',
      '515056594160172',
      '--caption',
      'doc',
      '--filename',
      'myNameDoc.pdf',
    ]);
    assert.deepEqual(got.body, meta('document', { document: { caption: 'doc', id: '515056594160172', filename: 'myNameDoc.pdf' } }));
  });

  test('contacts: full card from a JSON file', async () => {
    const card = {
      name: { formatted_name: 'João Silva', first_name: 'João', last_name: 'Silva' },
      phones: [{ phone: '5511988887777', type: 'WORK', wa_id: '5511988887777' }],
      emails: [{ email: 'joao@exemplo.com.br', type: 'WORK' }],
      addresses: [
        {
          street: 'Av. Paulista, 1000',
          city: 'São Paulo',
          state: 'SP',
          zip: '01310-100',
          country: 'Brasil',
          country_code: 'BR',
          type: 'WORK',
        },
      ],
      org: { company: 'Padaria São Jorge', title: 'Gerente' },
      urls: [{ url: 'https://exemplo.com.br', type: 'WORK' }],
      birthday: '1985-02-25',
    };
    const file = join(world.dir, 'contato.json');
    writeFileSync(file, JSON.stringify(card));
    const { got } = await sendOk('socialminer', 'contact', ['send', 'contact', TO, '--file', file]);
    assert.deepEqual(got.body, meta('contacts', { contacts: [card] }));
  });

  test('template with a url button', async () => {
    const { got } = await sendOk('socialminer', 'template', [
      'send',
      'template',
      TO,
      '--name',
      'beta_abandoncart_link_v1_1',
      '--param',
      '[name]',
      '--button-url',
      '0=[target_url]',
    ]);
    assert.deepEqual(
      got.body,
      meta('template', {
        template: {
          name: 'beta_abandoncart_link_v1_1',
          language: { policy: 'deterministic', code: 'pt_BR' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: '[name]' }] },
            { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '[target_url]' }] },
          ],
        },
      }),
    );
  });

  test('interactive buttons', async () => {
    const { got } = await sendOk('socialminer', 'interactive', [
      'send',
      'interactive',
      TO,
      '--body',
      'Olá, o que você gostaria de fazer? teste às 15:59',
      '--button',
      'OLÁ, QUERO RECEBER MEU BENEFÍCIO.=Obter benefício',
      '--button',
      '#FALARCOMALOJA=Falar com a loja',
    ]);
    assert.deepEqual(
      got.body,
      meta('interactive', {
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
    );
  });
});

describe('socialminer lists', () => {
  test('interactive list from a file', async () => {
    const list = join(world.dir, 'sm-list.json');
    const sections = [
      {
        title: 'Horários',
        rows: [
          { id: 'manha', title: 'Manhã', description: '9h às 12h' },
          { id: 'tarde', title: 'Tarde' },
        ],
      },
    ];
    writeFileSync(list, JSON.stringify({ button: 'Ver opções', sections }));
    const { got } = await sendOk('socialminer', 'interactive', [
      'send',
      'interactive',
      TO,
      '--body',
      'Escolha um horário',
      '--footer',
      'Loja São Jorge',
      '--list',
      list,
    ]);
    assert.deepEqual(got.body, {
      messaging_product: 'whatsapp',
      to: TO,
      type: 'interactive',
      recipient_type: 'individual',
      interactive: {
        type: 'list',
        body: { text: 'Escolha um horário' },
        footer: { text: 'Loja São Jorge' },
        action: { button: 'Ver opções', sections },
      },
    });
  });
});

describe('what a provider does not document is refused before any request (exit 2)', () => {
  const cases: [string, string[], RegExp][] = [
    ['interacto', ['send', 'text', TO, 'Olá'], /interacto does not support text.*supports: contact/],
    ['interflow', ['send', 'media', TO, '--kind', 'sticker', '--id', 'abc'], /interflow does not support sticker/],
    ['interflow', ['send', 'media', TO, '--kind', 'image', '--id', 'abc'], /interflow/],
    ['interflow', ['send', 'contact', TO, '--name', 'João', '--phone', '11988887777'], /interflow does not support contact/],
    ['turn', ['send', 'location', TO, '--latitude', '1', '--longitude', '2'], /turn does not support location/],
    ['turn', ['send', 'contact', TO, '--name', 'João', '--phone', '11988887777'], /turn does not support contact/],
    [
      'socialminer',
      ['send', 'interactive', TO, '--body', 'x', '--location-request'],
      /socialminer does not support interactive location request/,
    ],
    ['socialminer', ['send', 'template', TO, '--hsm', '--name', 'x', '--namespace', 'ns'], /socialminer does not support hsm/],
    ['interflow', ['send', 'text', TO, 'Olá', '--delay', '2'], /./],
  ];
  for (const [profile, args, message] of cases) {
    test(`${profile}: ${args.slice(1, 4).join(' ')}`, async () => {
      // --delay is only declared on `send contact`, so on text it is an unknown option: still exit 2.
      const r = await cli(...args, '--profile', profile);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.equal(world.sandbox.received.length, 0);
    });
  }
});

describe('exit codes and errors', () => {
  test('0 with a table on stdout when not --json', async () => {
    const r = await cli('send', 'text', TO, 'Olá');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PROVIDER\s+PROFILE\s+TO\s+TYPE\s+ID\s+STATUS/);
    assert.match(r.stdout, /interflow\s+interflow\s+5511999999999\s+text\s+msg_\S+\s+sent/);
  });

  test('1: provider refusal (422 CHANNEL_DISCONNECTED) is a clear one-line error; --json gives ok:false', async () => {
    const r = await cli('send', 'text', TO, 'Olá', '--profile', 'interflow-disconnected', '--json');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*422.*CHANNEL_DISCONNECTED.*O canal está desconectado/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const out = json(r);
    assert.equal(out.ok, false);
    assert.deepEqual(
      { ...(out.error as object), hint: undefined },
      { status: 422, code: 'CHANNEL_DISCONNECTED', message: 'O canal está desconectado', hint: undefined },
    );
  });

  test('1: unknown channel (404 CHANNEL_NOT_FOUND) with a hint about channelId', async () => {
    const r = await cli('send', 'text', TO, 'Olá', '--profile', 'interflow-unknown-channel');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*404.*CHANNEL_NOT_FOUND.*Canal não encontrado/m);
    assert.match(r.stderr, /^hint: .*channelId/m);
    assert.equal(r.stdout, '');
  });

  test('1: network failure names the host and says nothing was sent', async () => {
    const cfg = join(world.dir, 'down.json');
    writeFileSync(
      cfg,
      JSON.stringify({ profiles: { down: { provider: 'turn', baseUrl: 'http://127.0.0.1:9/turn', apiKey: '${TEST_KEY}' } } }),
      { mode: 0o600 },
    );
    const r = await runCli(['send', 'text', TO, 'Olá', '--config', cfg], { env: cleanEnv(world.dir, { TEST_KEY: CANARY }) });
    outputs.push(r);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /could not connect to 127\.0\.0\.1:9 \(connection refused\)/);
    assert.match(r.stderr, /hint: nothing was sent/);
  });

  test('2: a number that cannot be valid is named, nothing sent', async () => {
    const r = await cli('send', 'text', '123', 'Olá');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'123' cannot be a valid phone number/);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('2: bad flag values name the flag', async () => {
    let r = await cli('send', 'location', TO, '--latitude', 'abc', '--longitude', '1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--latitude/);
    r = await cli('send', 'media', TO, '--kind', 'gif', '--url', 'https://x.com/a.gif');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kind 'gif'/);
    r = await cli('send', 'interactive', TO, '--body', 'x', '--button', 'a=' + 'T'.repeat(21), '--profile', 'turn');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--button: title is longer than 20 characters/);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('2: unknown command suggests the nearest one', async () => {
    const r = await cli('sned', 'text');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /send/);
  });

  test('2: unknown profile lists the profiles', async () => {
    const r = await cli('send', 'text', TO, 'Olá', '--profile', 'nope');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope/);
    assert.match(r.stderr, /turn/);
  });

  test('4: a refused key (401) exits 4 and the key is not echoed', async () => {
    for (const profile of ['interflow', 'interacto', 'turn', 'socialminer']) {
      const r = await world.run(
        profile === 'interacto'
          ? ['send', 'contact', TO, '--name', 'João', '--phone', '11988887777', '--profile', profile]
          : ['send', 'text', TO, 'Olá', '--profile', profile],
        { env: { TEST_KEY: 'wrong_key_123456' } },
      );
      outputs.push(r);
      assert.equal(r.code, 4, `${profile}: ${r.stderr}`);
      assert.match(r.stderr, /401/);
      assert.ok(!r.stderr.includes('wrong_key_123456'), r.stderr);
    }
  });
});

describe('dry-run, verbose, stdin, unicode', () => {
  test('--dry-run prints the exact request with keys as *** and sends nothing', async () => {
    for (const [profile, args] of [
      ['interflow', ['send', 'text', TO, 'Olá']],
      ['interacto', ['send', 'contact', TO, '--name', 'João', '--phone', '11988887777']],
      ['turn', ['send', 'text', TO, 'Olá']],
      ['socialminer', ['send', 'text', TO, 'Olá']],
    ] as const) {
      const r = await cli(...args, '--profile', profile, '--dry-run');
      assert.equal(r.code, 0, r.stderr);
      const req = json(r) as { method: string; url: string; headers: Record<string, string>; body: unknown };
      assert.equal(req.method, 'POST');
      assert.ok(req.url.startsWith(world.sandbox.url), req.url);
      const credential = req.headers['Authorization'] ?? req.headers['apikey'];
      assert.ok(credential === '***' || credential === 'Bearer ***', JSON.stringify(req.headers));
      assert.ok(req.body && typeof req.body === 'object');
    }
    assert.equal(world.sandbox.received.length, 0);
  });

  test('--verbose traces the request on stderr with the key redacted; stdout has only the result', async () => {
    const r = await cli('send', 'text', TO, 'Olá', '--verbose', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /> POST http:\/\/127\.0\.0\.1:\d+\/interflow\/v1\/messages\/send/);
    assert.match(r.stderr, /> Authorization: Bearer \*\*\*/);
    assert.match(r.stderr, /< 201/);
    assert.equal(json(r).ok, true);
  });

  test('text from stdin when piped', async () => {
    const r = await world.run(['send', 'text', TO, '--json'], { input: 'Olá do stdin ✅\n' });
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((lastReceived().body as { content: unknown }).content, { text: 'Olá do stdin ✅' });
  });

  test('Olá 🎉 São Paulo arrives byte-exact on every provider', async () => {
    const text = 'Olá 🎉 São Paulo';
    for (const profile of ['interflow', 'turn', 'socialminer']) {
      world.sandbox.reset();
      const r = await cli('send', 'text', TO, text, '--profile', profile);
      assert.equal(r.code, 0, r.stderr);
      const raw = lastReceived().rawBody;
      assert.ok(raw.includes(text), `raw body does not hold the UTF-8 text: ${raw}`);
      assert.ok(!raw.includes('\\u'), 'no \\u escapes on the wire');
    }
    world.sandbox.reset();
    const r = await cli('send', 'contact', TO, '--name', 'João São Paulo 🎉', '--phone', '11988887777', '--profile', 'interacto', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lastReceived().rawBody.includes('João São Paulo 🎉'));
  });
});
