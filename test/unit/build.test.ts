/**
 * Flags → message: recipients normalized, every flag error names the flag, files read and
 * checked, vCards parsed. Table-driven where it helps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode, UsageError, ValidationError } from '../../src/errors.js';
import { buildMessage, type BuildEnv, type Flags, type SendKind } from '../../src/message/build.js';
import { contactsFromVcard } from '../../src/message/contact.js';
import { normalizeRecipient } from '../../src/message/recipient.js';

const files: Record<string, string> = {};
const env: BuildEnv = {
  profile: { defaultCountry: 'BR', namespace: 'ns-from-profile' },
  readFile: (path, flag) => {
    const f = files[path];
    if (f === undefined) throw new UsageError(`${flag} ${path}: no such file`);
    return f;
  },
};
const build = (kind: SendKind, flags: Flags, to = '11999999999') => buildMessage(kind, to, flags, env);

function refuses(fn: () => unknown, pattern: RegExp, exit: number = ExitCode.usage): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsageError || err instanceof ValidationError, `not a usage/validation error: ${String(err)}`);
    assert.equal(err.exitCode, exit);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('recipients', () => {
  const ok: [string, string, string?][] = [
    ['+55 (11) 99999-9999', '5511999999999'],
    ['11999999999', '5511999999999'],
    ['5511999999999', '5511999999999'],
    ['(11) 3333-4444', '551133334444'],
    ['+1 919 555 1112', '19195551112'],
    ['+44 7911 123456', '447911123456'],
    ['07911 123456', '447911123456', 'GB'],
  ];
  for (const [input, expected, country] of ok) {
    test(`${input} → ${expected}`, () => assert.equal(normalizeRecipient(input, (country ?? 'BR') as 'BR'), expected));
  }
  for (const bad of ['123', '5.5119E+12', '55119999999990000', 'abc', '', '+55 11 9999']) {
    test(`'${bad}' is refused naming it`, () =>
      refuses(() => normalizeRecipient(bad), bad ? new RegExp(`'${bad.replace(/[.+]/g, '\\$&')}'`) : /empty/));
  }
});

describe('builders', () => {
  test('text keeps unicode and normalizes the recipient', () => {
    assert.deepEqual(build('text', { text: 'Olá 🎉 São Paulo' }, '+55 (11) 99999-9999'), {
      type: 'text',
      to: '5511999999999',
      text: 'Olá 🎉 São Paulo',
    });
  });

  test('text over 4096 characters is refused', () =>
    refuses(() => build('text', { text: 'a'.repeat(4097) }), /^text: is longer than 4096 characters$/));

  test('media needs exactly one of --url/--id and a known --kind', () => {
    refuses(() => build('media', { kind: 'image' }), /--url URL.*--id MEDIA_ID/);
    refuses(() => build('media', { kind: 'image', url: 'https://a.b/c.jpg', id: '1' }), /either --url or --id/);
    refuses(() => build('media', { kind: 'gif', url: 'https://a.b/c.gif' }), /--kind 'gif'/);
    refuses(() => build('media', { kind: 'image', url: 'ftp://a.b/c.jpg' }), /^--url: must be an http\(s\) URL$/);
    refuses(
      () => build('media', { kind: 'audio', url: 'https://a.b/c.ogg', caption: 'x' }),
      /^--caption: is only for image, video and document$/,
    );
    refuses(() => build('media', { kind: 'image', url: 'https://a.b/c.jpg', filename: 'x.jpg' }), /^--filename: is only for documents$/);
  });

  test('several problems are each named once, with no count for those already shown', () => {
    refuses(
      () => build('media', { kind: 'audio', url: 'ftp://a.b/c.ogg', caption: 'x' }),
      /^--url: must be an http\(s\) URL; --caption: is only for image, video and document$/,
    );
  });

  test('location keeps coordinates as typed and checks ranges', () => {
    const m = build('location', { latitude: '-23.5505', longitude: '-46.6333', name: 'Escritório' });
    assert.deepEqual(m, { type: 'location', to: '5511999999999', latitude: '-23.5505', longitude: '-46.6333', name: 'Escritório' });
    refuses(() => build('location', { latitude: '91', longitude: '0' }), /^--latitude: must be between -90 and 90$/);
    refuses(() => build('location', { latitude: '1,5', longitude: '0' }), /^--latitude: must be a decimal number/);
    refuses(() => build('location', { longitude: '0' }), /--latitude is required/);
  });

  test('contact from flags, with Interacto options', () => {
    const m = build('contact', {
      name: 'João Silva',
      phone: '(11) 98888-7777',
      delay: '2',
      typing: '8',
      priority: '2',
      tag: ['urgente', 'lead'],
      metadata: ['leadId=1234533'],
    });
    assert.deepEqual(m, {
      type: 'contact',
      to: '5511999999999',
      // The card keeps the phone as written (Meta's examples do: `+1 (940) 555-1234`); only `to` is normalized.
      contacts: [{ name: { formatted_name: 'João Silva' }, phones: [{ phone: '(11) 98888-7777' }] }],
      options: { delay: 2, typing: 8, priority: 2, tags: ['urgente', 'lead'], metadata: { leadId: '1234533' } },
    });
    refuses(() => build('contact', { name: 'João' }), /--phone is required/);
    refuses(() => build('contact', {}), /--name N --phone P, --file contact.json or --vcard/);
    refuses(() => build('contact', { name: 'J', phone: '11988887777', priority: '1.5' }), /--priority must be a whole number/);
    refuses(() => build('contact', { name: 'J', phone: '11988887777', metadata: ['novalue'] }), /--metadata takes KEY=VALUE/);
  });

  test('contact from JSON: simple and Meta-shaped; errors name the file', () => {
    files['simple.json'] = '{"name":"João Silva","phone":"5511999999999"}';
    assert.equal((build('contact', { file: 'simple.json' }) as { contacts: unknown[] }).contacts.length, 1);
    files['meta.json'] = JSON.stringify([{ name: { formatted_name: 'Ana' }, phones: [{ phone: '+55 21 98888-7777', type: 'HOME' }] }]);
    const m = build('contact', { file: 'meta.json' }) as { contacts: { phones: { phone: string }[] }[] };
    assert.equal(m.contacts[0]!.phones[0]!.phone, '+55 21 98888-7777');
    // A contact phone that cannot be a number is still refused, naming the card.
    files['typo.json'] = JSON.stringify({ name: { formatted_name: 'Ana' }, phones: [{ phone: '+55 21 9888' }] });
    refuses(() => build('contact', { file: 'typo.json' }), /typo\.json: contact 1 phone '\+55 21 9888' cannot be a valid phone number/);
    files['bad.json'] = '{"name":{"formatted_name":"Ana"},"nickname":"x"}';
    refuses(() => build('contact', { file: 'bad.json' }), /bad\.json.*nickname/);
    files['broken.json'] = '{"name":';
    refuses(() => build('contact', { file: 'broken.json' }), /--file broken\.json: not valid JSON/);
    refuses(() => build('contact', { file: 'missing.json' }), /--file missing\.json: no such file/);
  });

  test('template from flags: header by URL or id, buttons sorted by index', () => {
    const m = build('template', {
      name: 'order_update',
      param: ['João', '12345'],
      headerDocument: 'media-123',
      headerFilename: 'pedido.pdf',
      quickReply: ['1=nao'],
      buttonUrl: ['0=pedido/12345'],
    });
    assert.deepEqual(m, {
      type: 'template',
      to: '5511999999999',
      name: 'order_update',
      language: 'pt_BR',
      header: { type: 'document', id: 'media-123', filename: 'pedido.pdf' },
      body: ['João', '12345'],
      buttons: [
        { type: 'url', index: 0, text: 'pedido/12345' },
        { type: 'quick_reply', index: 1, payload: 'nao' },
      ],
    });
    refuses(() => build('template', {}), /--name is required/);
    refuses(() => build('template', { name: 'Order Update' }), /--name: template name must be lowercase/);
    refuses(() => build('template', { name: 'x', language: 'portuguese' }), /^--language: must be a code like pt_BR/);
    refuses(() => build('template', { name: 'x', quickReply: ['a=b'] }), /--quick-reply: the button index must be a number/);
    refuses(() => build('template', { name: 'x', quickReply: ['0=a', '0=b'] }), /two buttons have the same index/);
    refuses(() => build('template', { name: 'x', headerText: 'a', headerImage: 'b' }), /one header/);
    refuses(() => build('template', { name: 'x', policy: 'sometimes' }), /^--policy: must be deterministic or fallback/);
  });

  test('template file: neutral format, flags that would conflict are refused', () => {
    files['t.json'] = JSON.stringify({
      name: 'order_confirmation',
      language: 'en_US',
      body: ['João'],
      buttons: [{ type: 'quick_reply', index: 0, payload: 'sim' }],
    });
    const m = build('template', { file: 't.json', language: 'pt_BR' });
    assert.deepEqual(m, {
      type: 'template',
      to: '5511999999999',
      name: 'order_confirmation',
      language: 'pt_BR',
      body: ['João'],
      buttons: [{ type: 'quick_reply', index: 0, payload: 'sim' }],
    });
    refuses(() => build('template', { file: 't.json', param: ['x'] }), /--file already describes the template: drop --param/);
    files['t2.json'] = JSON.stringify({ name: 'x', parameters: [] });
    refuses(() => build('template', { file: 't2.json' }), /t2\.json: unknown field 'parameters'/);
    files['t3.json'] = JSON.stringify({ name: 'x', body: [1] });
    refuses(() => build('template', { file: 't3.json' }), /body/);
  });

  test('hsm from flags and from a file with currency and date_time', () => {
    const m = build('template', { hsm: true, name: 'purchase_with_credit_card', language: 'en_US', param: ['$10', '1234'] });
    assert.deepEqual(m, {
      type: 'hsm',
      to: '5511999999999',
      namespace: 'ns-from-profile',
      elementName: 'purchase_with_credit_card',
      language: 'en_US',
      policy: 'deterministic',
      params: [{ default: '$10' }, { default: '1234' }],
    });
    files['hsm.json'] = JSON.stringify({
      type: 'hsm',
      namespace: '8bea15c0_b636_0737_7912_63f2b9a6bd09',
      name: 'four_lparam_demo',
      language: 'en_US',
      params: [
        'just a string',
        { default: '$100.99', currency: { currency_code: 'USD', amount_1000: 100990 } },
        { default: 'January 26, 2017', date_time: { unix_epoch: { timestamp: 1485470276 } } },
      ],
    });
    const h = build('template', { file: 'hsm.json' }) as { params: unknown[] };
    assert.equal(h.params.length, 3);
    assert.deepEqual(h.params[0], { default: 'just a string' });
  });

  test('interactive: buttons, list file, location request', () => {
    assert.deepEqual(build('interactive', { body: 'Confirma?', button: ['sim=Sim', 'nao=Não'], footer: 'Loja' }), {
      type: 'interactive',
      to: '5511999999999',
      body: 'Confirma?',
      footer: 'Loja',
      action: {
        type: 'buttons',
        buttons: [
          { id: 'sim', title: 'Sim' },
          { id: 'nao', title: 'Não' },
        ],
      },
    });
    refuses(
      () => build('interactive', { body: 'x', button: ['a=1', 'b=2', 'c=3', 'd=4'] }),
      /--button: WhatsApp allows at most 3 reply buttons/,
    );
    refuses(() => build('interactive', { body: 'x', button: ['a=1', 'a=2'] }), /^--button: ids must be unique$/);
    refuses(() => build('interactive', { body: 'x', button: ['Sim'] }), /--button takes ID=TITLE/);
    files['l.json'] = JSON.stringify({
      button: 'Ver',
      sections: [{ title: 'A', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Linha ${i}` })) }],
    });
    refuses(() => build('interactive', { body: 'x', list: 'l.json' }), /--list l\.json: WhatsApp allows at most 10 rows/);
    refuses(() => build('interactive', { body: 'x' }), /--button ID=TITLE.*--list.*--location-request/);
    assert.deepEqual(build('interactive', { body: 'Onde?', locationRequest: true }).type, 'interactive');
  });
});

describe('vCard', () => {
  test('3.0 with folding, escapes, structured fields and several cards', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Silva;João;Pedro;Sr.;',
      'FN:João Pedro Silva',
      'ORG:Padaria São Jorge;Vendas',
      'TITLE:Gerente',
      'TEL;TYPE=CELL:+55 11 98888-7777',
      'TEL;TYPE=WORK,VOICE:+55 11 3333-4444',
      'EMAIL;TYPE=INTERNET,WORK:joao@exemplo.com.br',
      'ADR;TYPE=WORK:;;Av. Paulista\\, 1000;São Paulo;SP;01310-100;Brasil',
      'NOTE:uma nota longa que continua',
      '  na linha seguinte',
      'BDAY:19850225',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Ana 🎉',
      'TEL;VALUE=uri;TYPE=home:tel:+55-21-98888-7777',
      'END:VCARD',
    ].join('\r\n');
    const cards = contactsFromVcard(text, 'c.vcf');
    assert.equal(cards.length, 2);
    assert.deepEqual(cards[0], {
      name: { formatted_name: 'João Pedro Silva', first_name: 'João', last_name: 'Silva', middle_name: 'Pedro', prefix: 'Sr.' },
      org: { company: 'Padaria São Jorge', department: 'Vendas', title: 'Gerente' },
      phones: [{ phone: '+55 11 98888-7777' }, { phone: '+55 11 3333-4444', type: 'WORK' }],
      emails: [{ email: 'joao@exemplo.com.br', type: 'WORK' }],
      addresses: [{ street: 'Av. Paulista, 1000', city: 'São Paulo', state: 'SP', zip: '01310-100', country: 'Brasil', type: 'WORK' }],
      birthday: '1985-02-25',
    });
    assert.deepEqual(cards[1], { name: { formatted_name: 'Ana 🎉' }, phones: [{ phone: '+55-21-98888-7777', type: 'HOME' }] });
  });

  test('a file without a card, or a card without a name, is refused naming the file', () => {
    refuses(() => contactsFromVcard('hello', 'x.vcf'), /x\.vcf: no vCard found/);
    refuses(() => contactsFromVcard('BEGIN:VCARD\nTEL:1\nEND:VCARD', 'y.vcf'), /y\.vcf: vCard 1 has no name/);
  });
});
