/**
 * `compose` with a templates catalog, driven on a pseudo-terminal: it offers the catalog's
 * templates and asks exactly the parameters the chosen one takes (two body values, the URL
 * button's suffix, the quick reply's optional payload), previews the rendered text, and sends
 * what the sandbox then receives.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { CANARY, cleanEnv, startWorld, type World } from './harness.js';
import { keys, Terminal } from './terminal.js';

const EXPORT = fileURLToPath(new URL('../fixtures/templates/graph-export.json', import.meta.url));

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});
beforeEach(() => world.sandbox.reset());
afterEach(() => Terminal.killAll());

function terminal(args: string[]): Terminal {
  const env = cleanEnv(world.dir, { TEST_KEY: CANARY });
  delete env.CI;
  return new Terminal([...args, '--config', world.config], { env });
}

describe('compose with a templates catalog', { timeout: 90_000 }, () => {
  test('offers the catalog, asks exactly its parameters, previews the rendered text and sends it', async () => {
    const t = terminal(['compose', '5511999999999', '--templates', EXPORT]);
    await t.expect('paused_promo (pt_BR) · MARKETING · PAUSED (cannot be sent)'); // listed, not selectable
    t.type(keys.enter); // order_update, the first
    await t.expect('Value for {{1}}');
    t.type('João');
    await t.expect('Olá João, seu pedido {{2}} saiu para entrega.');
    t.type(keys.enter);
    await t.answer('Value for {{2}}', '123');
    await t.answer('Quick reply 0 "Falar com atendente": payload', '', true);
    await t.answer('Button 1 "Rastrear"', '123');
    await t.expect('Olá João, seu pedido 123 saiu para entrega.');
    await t.answer('What now?', keys.enter, false); // send
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 1, 'one request');
    const body = world.sandbox.received[0]!.body as { content: { name: string; components: unknown[] } };
    assert.equal(body.content.name, 'order_update');
    assert.deepEqual(body.content.components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'João' },
          { type: 'text', text: '123' },
        ],
      },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '123' }] },
    ]);
  });

  test('asks the media header an image template takes, then its body value, and sends both', async () => {
    const t = terminal(['compose', '5511999999999', '--templates', EXPORT, '--name', 'promo_image']);
    await t.answer('Template', ''); // promo_image, preselected by --name
    await t.answer('Image header URL', 'https://example.com/promo.jpg');
    await t.answer('Value for {{1}}', 'Maria');
    await t.expect('Oferta especial para Maria 🎉');
    await t.answer('What now?', keys.enter, false); // send
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 1, 'one request');
    const body = world.sandbox.received[0]!.body as { content: { name: string; components: unknown[] } };
    assert.equal(body.content.name, 'promo_image');
    assert.deepEqual(body.content.components, [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/promo.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Maria' }] },
    ]);
  });

  test('a send on a terminal shows the rendered text on stderr', async () => {
    const t = terminal([
      'send',
      'template',
      '5511999999999',
      '--name',
      'order_update',
      '--param',
      'João',
      '--param',
      '123',
      '--button-url',
      '1=123',
      '--templates',
      EXPORT,
    ]);
    await t.expect('Olá João, seu pedido 123 saiu para entrega.');
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 1);
  });
});
