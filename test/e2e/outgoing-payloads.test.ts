/**
 * Outgoing payloads end to end (issue 13): the built binary against the sandbox. Contact cards
 * keep the phone as written; what Meta states in prose (unique reply-button titles and list row
 * ids, template parameters without line breaks, tabs, more than four spaces in a row, or empty)
 * is refused before anything is sent, naming the flag (send) or the row (bulk, a multi-line CSV
 * cell included); a sticker by link reaches SocialMiner.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, json, startWorld, type RunResult, type World } from './harness.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());
beforeEach(() => {
  world.sandbox.reset();
  world.sandbox.received.length = 0;
});

const TO = '5511999999999';

async function run(args: string[]): Promise<RunResult> {
  const r = await world.run(args);
  assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the key leaked');
  return r;
}

/** A refusal before sending: exit 2, the message on stderr, nothing on stdout, nothing received. */
async function refusedBeforeSending(args: string[], message: RegExp): Promise<void> {
  const r = await run(args);
  assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(r.stdout, '');
  assert.equal(world.sandbox.received.length, 0, 'nothing was sent');
}

function file(name: string, text: string): string {
  const path = join(world.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('contact cards keep the phone as written', () => {
  test("socialminer: `+1 (940) 555-1234` arrives as written (Meta's example keeps it so); `to` is normalized", async () => {
    const r = await run([
      'send',
      'contact',
      '+55 (11) 99999-9999',
      '--name',
      'John Smith',
      '--phone',
      '+1 (940) 555-1234',
      '--profile',
      'socialminer',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const got = world.sandbox.received.at(-1)!;
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'John Smith' }, phones: [{ phone: '+1 (940) 555-1234' }] }],
    });
  });

  test('--dry-run prints the card as written too', async () => {
    const r = await run(['send', 'contact', TO, '--name', 'Ana', '--phone', '+55 21 98888-7777', '--profile', 'socialminer', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json<{ body: { contacts: { phones: unknown }[] } }>(r).body.contacts[0]!.phones, [{ phone: '+55 21 98888-7777' }]);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('interacto: its {name, phone} gets digits with the country code, as its document shows', async () => {
    const r = await run(['send', 'contact', TO, '--name', 'João', '--phone', '(11) 98888-7777', '--profile', 'interacto']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((world.sandbox.received.at(-1)!.body as { contact: unknown }).contact, { name: 'João', phone: '5511988887777' });
  });
});

describe("Meta's stated limits, refused before sending", () => {
  test('duplicate reply-button titles name --button', async () => {
    await refusedBeforeSending(
      ['send', 'interactive', TO, '--body', 'Confirma?', '--button', 'sim=Sim', '--button', 'ok=Sim', '--profile', 'turn'],
      /error: --button: titles must be unique \('Sim' is given twice\)/,
    );
  });

  test('duplicate list row ids name --list', async () => {
    const list = file(
      'lista.json',
      JSON.stringify({
        button: 'Ver opções',
        sections: [
          { title: 'Pizzas', rows: [{ id: 'p1', title: 'Margherita' }] },
          { title: 'Bebidas', rows: [{ id: 'p1', title: 'Água' }] },
        ],
      }),
    );
    await refusedBeforeSending(
      ['send', 'interactive', TO, '--body', 'Escolha', '--list', list, '--profile', 'socialminer'],
      /--list .*lista\.json: row ids must be unique across the list \('p1' is given twice\)/,
    );
  });

  test('template parameters with a line break, a tab, five spaces, or empty name --param', async () => {
    for (const [value, problem] of [
      ['Olá\nJoão', /--param: parameter 2 holds a line break/],
      ['Olá\tJoão', /--param: parameter 2 holds a tab/],
      ['Olá     João', /--param: parameter 2 holds more than 4 spaces in a row/],
      ['', /--param: template parameter must not be empty/],
    ] as const) {
      for (const profile of ['turn', 'socialminer', 'interflow']) {
        await refusedBeforeSending(
          ['send', 'template', TO, '--name', 'pedido', '--param', 'ok', '--param', value, '--profile', profile],
          problem,
        );
      }
    }
    await refusedBeforeSending(
      ['send', 'template', TO, '--name', 'pedido', '--hsm', '--param', '', '--profile', 'turn'],
      /--param: an hsm parameter default must not be empty/,
    );
  });

  test('bulk: a row whose cell would make such a parameter fails with its row number (a multi-line CSV cell too); the others are sent', async () => {
    const csv = file(
      'pedidos.csv',
      'to,nome,pedido\n' +
        '11999990001,João,12345\n' + // 2: sent
        '11999990002,"Maria\nda Silva",12346\n' + // 3-4: a quoted line break in a parameter
        '11999990003,Ana\tLuíza,12347\n' + // 5: a tab
        '11999990004,Bia     Souza,12348\n' + // 6: five spaces
        '11999990005,,12349\n' + // 7: empty
        '11999990006,Luíza 🎉,12350\n', // 8: sent
    );
    const args = [
      'bulk',
      csv,
      '--template',
      'pedido',
      '--param',
      '{{nome}}',
      '--param',
      '{{pedido}}',
      '--profile',
      'socialminer',
      '--json',
    ];
    const dry = await run([...args, '--dry-run']);
    assert.equal(dry.code, 3, dry.stderr);
    const dryLines = dry.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; status?: string; request?: unknown; error?: { message: string } });
    assert.deepEqual(
      dryLines.filter((l) => l.request).map((l) => l.row),
      [2, 8],
    );
    assert.equal(world.sandbox.received.length, 0, 'a dry run sends nothing');

    const r = await run(args);
    assert.equal(r.code, 3, r.stderr);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; status: string; error?: { code: string; message: string } });
    const byRow = new Map(out.map((o) => [o.row, o]));
    assert.equal(byRow.get(2)!.status, 'sent');
    assert.equal(byRow.get(8)!.status, 'sent');
    assert.match(byRow.get(3)!.error!.message, /^row 3: --param: parameter 1 holds a line break/);
    assert.match(byRow.get(5)!.error!.message, /^row 5: --param: parameter 1 holds a tab/);
    assert.match(byRow.get(6)!.error!.message, /^row 6: --param: parameter 1 holds more than 4 spaces in a row/);
    assert.match(byRow.get(7)!.error!.message, /^row 7: --param: template parameter must not be empty/);
    for (const row of [3, 5, 6, 7]) assert.equal(byRow.get(row)!.status, 'failed');
    const sent = world.sandbox.received.map(
      (q) => q.body as { to: string; template: { components: { parameters: { text: string }[] }[] } },
    );
    assert.deepEqual(sent.map((b) => b.to).sort(), ['5511999990001', '5511999990006']);
    const luiza = sent.find((b) => b.to === '5511999990006')!;
    assert.deepEqual(
      luiza.template.components[0]!.parameters.map((p) => p.text),
      ['Luíza 🎉', '12350'],
    );
  });
});

describe('stickers by link', () => {
  test('socialminer: sent as {link} and accepted', async () => {
    const r = await run([
      'send',
      'media',
      TO,
      '--kind',
      'sticker',
      '--url',
      'https://exemplo.com/figurinha.webp',
      '--profile',
      'socialminer',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const got = world.sandbox.received.at(-1)!;
    assert.equal(got.status, 200);
    assert.deepEqual((got.body as { sticker: unknown }).sticker, { link: 'https://exemplo.com/figurinha.webp' });
  });

  test('turn documents stickers by media id: refused before sending, naming --id', async () => {
    await refusedBeforeSending(
      ['send', 'media', TO, '--kind', 'sticker', '--url', 'https://exemplo.com/figurinha.webp', '--profile', 'turn'],
      /turn sends stickers by media id only: use --id instead of --url/,
    );
  });
});
