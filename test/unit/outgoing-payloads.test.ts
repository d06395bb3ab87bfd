/**
 * Outgoing payloads against what Meta states (its OpenAPI examples and, for template parameters,
 * its template docs' prose), for the Meta-shaped providers (SocialMiner, Turn) and the tool's
 * message model: contact cards keep the phone as written; duplicate reply-button titles and list
 * row ids, and template parameters with a line break, a tab or more than four spaces in a row, or
 * empty, are refused before sending, naming the flag; a sticker by link goes to SocialMiner as
 * Meta's StickerMessage allows. The sandbox refuses the same bodies (it stays an oracle as strict
 * as the documents).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExitCode, UsageError, ValidationError } from '../../src/errors.js';
import { buildMessage, type BuildEnv, type Flags, type SendKind } from '../../src/message/build.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { PHONE, keys, profileFor } from '../fixtures/provider-examples.js';

const files: Record<string, string> = {};
const env: BuildEnv = {
  profile: { defaultCountry: 'BR', namespace: 'ns' },
  readFile: (path, flag) => {
    const f = files[path];
    if (f === undefined) throw new UsageError(`${flag} ${path}: no such file`);
    return f;
  },
};
const build = (kind: SendKind, flags: Flags) => buildMessage(kind, PHONE, flags, env);

function refuses(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsageError || err instanceof ValidationError, `not a usage/validation error: ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.usage);
    assert.match(err.message, pattern);
    return true;
  });
}

/**
 * The card of Meta's OpenAPI example "Send Contact Message"
 * (reference/meta-business-messaging-api_v23.0.yaml, facebook/openapi, MIT), as its body shows it.
 */
const metaExampleCard = {
  addresses: [
    { city: 'Menlo Park', country: 'United States', country_code: 'us', state: 'CA', street: '1 Hacker Way', type: 'HOME', zip: '94025' },
    {
      city: 'Menlo Park',
      country: 'United States',
      country_code: 'us',
      state: 'CA',
      street: '200 Jefferson Dr',
      type: 'WORK',
      zip: '94025',
    },
  ],
  birthday: '2012-08-18',
  emails: [
    { email: 'test@fb.com', type: 'WORK' },
    { email: 'test@whatsapp.com', type: 'HOME' },
  ],
  name: { first_name: 'John', formatted_name: 'John Smith', last_name: 'Smith', middle_name: 'D.', prefix: 'Dr', suffix: 'Jr' },
  org: { company: 'WhatsApp', department: 'Design', title: 'Manager' },
  phones: [
    { phone: '+1 (940) 555-1234', type: 'HOME' },
    { phone: '+1 (650) 555-1234', type: 'WORK', wa_id: '16505551234' },
  ],
  urls: [
    { type: 'WORK', url: 'https://www.facebook.com' },
    { type: 'HOME', url: 'https://www.whatsapp.com' },
  ],
};

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ port: 0 });
});
after(() => sandbox.close());

/** POSTs a body to the sandbox's provider route; the answer's status and error code. */
async function sandboxSays(provider: 'socialminer' | 'turn', body: unknown): Promise<{ status: number; text: string }> {
  const route = provider === 'socialminer' ? '/socialminer/api/Messages' : '/turn/v1/messages';
  const headers: Record<string, string> =
    provider === 'socialminer'
      ? { apikey: keys.socialminer, version: '4.0', 'Content-Type': 'application/json' }
      : { Authorization: `Bearer ${keys.turn}`, 'Content-Type': 'application/json' };
  const res = await fetch(sandbox.url + route, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe('contact cards keep the phone as written', () => {
  test("Meta's example card (--file) goes to SocialMiner exactly as Meta's example body has it", async () => {
    files['meta-card.json'] = JSON.stringify(metaExampleCard);
    const msg = build('contact', { file: 'meta-card.json' });
    const req = providers.socialminer.buildSend(msg, profileFor('socialminer'));
    assert.deepEqual(req.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'contacts',
      contacts: [metaExampleCard],
    });
    const answer = await sandboxSays('socialminer', req.body);
    assert.equal(answer.status, 200, answer.text);
  });

  test('--name/--phone: `+1 (940) 555-1234` stays so on the card; the recipient alone is normalized', () => {
    const msg = buildMessage('contact', '+55 (11) 99999-9999', { name: 'John Smith', phone: '+1 (940) 555-1234' }, env);
    const body = providers.socialminer.buildSend(msg, profileFor('socialminer')).body as { to: string; contacts: { phones: unknown[] }[] };
    assert.equal(body.to, '5511999999999');
    assert.deepEqual(body.contacts[0]!.phones, [{ phone: '+1 (940) 555-1234' }]);
  });

  test("a vCard's TEL stays as written", () => {
    files['card.vcf'] = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:João Silva\r\nTEL;TYPE=WORK:+55 (11) 98888-7777\r\nEND:VCARD\r\n';
    const body = providers.socialminer.buildSend(build('contact', { vcard: 'card.vcf' }), profileFor('socialminer')).body as {
      contacts: { phones: unknown[] }[];
    };
    assert.deepEqual(body.contacts[0]!.phones, [{ phone: '+55 (11) 98888-7777', type: 'WORK' }]);
  });

  test("Interacto's {name, phone} takes the number in its document's form (digits with country code)", () => {
    const msg = build('contact', { name: 'João', phone: '(11) 98888-7777' });
    const body = providers.interacto.buildSend(msg, profileFor('interacto')).body as { contact: unknown };
    assert.deepEqual(body.contact, { name: 'João', phone: '5511988887777' });
  });

  test('a phone that cannot be a number is refused, naming the card', () => {
    refuses(() => build('contact', { name: 'João', phone: '12' }), /--name\/--phone: contact 1 phone '12' cannot be a valid phone number/);
  });
});

describe('limits Meta states, refused before sending, naming the flag', () => {
  test('duplicate reply-button titles (--button)', async () => {
    refuses(
      () => build('interactive', { body: 'Confirma?', button: ['a=Sim', 'b=Sim'] }),
      /^--button: titles must be unique \('Sim' is given twice\)/,
    );
    // Distinct titles are fine; the sandbox refuses what the tool now refuses.
    assert.equal(build('interactive', { body: 'Confirma?', button: ['a=Sim', 'b=Não'] }).type, 'interactive');
    const dup = {
      to: PHONE,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirma?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'a', title: 'Sim' } },
            { type: 'reply', reply: { id: 'b', title: 'Sim' } },
          ],
        },
      },
    };
    assert.equal((await sandboxSays('turn', dup)).status, 400);
  });

  test('duplicate list row ids, also across sections (--list)', async () => {
    files['list.json'] = JSON.stringify({
      button: 'Ver opções',
      sections: [
        { title: 'Pizzas', rows: [{ id: 'p1', title: 'Margherita' }] },
        { title: 'Bebidas', rows: [{ id: 'p1', title: 'Água' }] },
      ],
    });
    refuses(
      () => build('interactive', { body: 'Escolha', list: 'list.json' }),
      /^--list list\.json: row ids must be unique across the list \('p1' is given twice\)/,
    );
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Escolha' },
        action: { button: 'Ver opções', sections: JSON.parse(files['list.json']).sections },
      },
    };
    const answer = await sandboxSays('socialminer', body);
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, /unique row ids/);
  });

  for (const [what, value, problem] of [
    ['a line break', 'Olá\nJoão', 'holds a line break'],
    ['a CRLF', 'Olá\r\nJoão', 'holds a line break'],
    ['a tab', 'Olá\tJoão', 'holds a tab'],
    ['five spaces in a row', 'Olá     João', 'holds more than 4 spaces in a row'],
  ] as const) {
    test(`a template parameter with ${what} (--param, template files, hsm), and the sandbox agrees`, async () => {
      refuses(
        () => build('template', { name: 'pedido', param: ['ok', value] }),
        new RegExp(`^--param: parameter 2 ${problem}: WhatsApp refuses line breaks, tabs and more than 4 spaces in a row`),
      );
      files['t.json'] = JSON.stringify({ name: 'pedido', body: [value] });
      refuses(() => build('template', { file: 't.json' }), new RegExp(`^t\\.json: body\\.0: parameter 1 ${problem}`));
      refuses(() => build('template', { name: 'pedido', hsm: true, param: [value] }), new RegExp(`^--param: parameter 1 ${problem}`));
      refuses(
        () => build('template', { name: 'pedido', headerText: value }),
        /^--header-\*: the header parameter cannot hold a line break, a tab or more than 4 spaces in a row/,
      );
      const body = {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: PHONE,
        type: 'template',
        template: {
          name: 'pedido',
          language: { code: 'pt_BR', policy: 'deterministic' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: value }] }],
        },
      };
      const answer = await sandboxSays('socialminer', body);
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.text, /line break, a tab or more than 4 consecutive spaces/);
    });
  }

  test('four spaces in a row, and line breaks outside parameters (text messages), are fine', () => {
    assert.equal(build('template', { name: 'pedido', param: ['Olá    João'] }).type, 'template');
    assert.equal(build('text', { text: 'Olá\nJoão\tSilva' }).type, 'text');
  });

  test('empty parameters: --param, template files and hsm (Turn) alike', async () => {
    refuses(() => build('template', { name: 'pedido', param: ['ok', ''] }), /^--param: template parameter must not be empty/);
    refuses(() => build('template', { name: 'pedido', hsm: true, param: [' '] }), /^--param: an hsm parameter default must not be empty/);
    files['hsm.json'] = JSON.stringify({ type: 'hsm', name: 'pedido', namespace: 'ns', language: 'pt_BR', params: [''] });
    refuses(() => build('template', { file: 'hsm.json' }), /hsm\.json: params\.0\.default: an hsm parameter default must not be empty/);
    const hsm = {
      to: PHONE,
      type: 'hsm',
      hsm: {
        namespace: 'ns',
        element_name: 'pedido',
        language: { policy: 'deterministic', code: 'pt_BR' },
        localizable_params: [{ default: '' }],
      },
    };
    assert.equal((await sandboxSays('turn', hsm)).status, 400);
  });
});

describe('stickers by link', () => {
  test("SocialMiner: sent as Meta's StickerMessage {link}, and the sandbox accepts it", async () => {
    const msg = build('media', { kind: 'sticker', url: 'https://exemplo.com/figurinha.webp' });
    const body = providers.socialminer.buildSend(msg, profileFor('socialminer')).body;
    assert.deepEqual(body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: PHONE,
      type: 'sticker',
      sticker: { link: 'https://exemplo.com/figurinha.webp' },
    });
    const answer = await sandboxSays('socialminer', body);
    assert.equal(answer.status, 200, answer.text);
  });

  test('Turn documents stickers by media id only: still refused, naming --id', () => {
    const msg = build('media', { kind: 'sticker', url: 'https://exemplo.com/figurinha.webp' });
    refuses(() => providers.turn.buildSend(msg, profileFor('turn')), /turn sends stickers by media id only: use --id instead of --url/);
  });
});
