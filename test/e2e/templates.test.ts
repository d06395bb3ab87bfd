/**
 * The templates catalog end to end (issue #17): the built binary against the sandbox, counting
 * the requests the sandbox received. A message that does not fit its catalog entry is refused
 * with exit 2 and no request; a bulk run is checked row by row before its first request; the
 * catalog commands import, show, list and lint it. Expectations come from Meta's template format
 * (docs/providers/meta.md) and the fixture's own texts, not from the CLI's output.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';

const EXPORT = fileURLToPath(new URL('../fixtures/templates/graph-export.json', import.meta.url));
const TO = '5511999999999';

let world: World;
const outputs: RunResult[] = [];

before(async () => {
  world = await startWorld();
});
after(async () => {
  for (const r of outputs) {
    assert.ok(!r.stdout.includes(CANARY) && !r.stderr.includes(CANARY), 'the key leaked');
  }
  await world.close();
});
beforeEach(() => world.sandbox.reset());

async function cli(args: string[], input?: string): Promise<RunResult> {
  const r = await world.run(args, input === undefined ? {} : { input });
  outputs.push(r);
  return r;
}

const requests = (): number => world.sandbox.received.length;

/** Sends with the fixture catalog; expects a refusal: exit 2, nothing sent, stderr matching. */
async function refused(args: string[], ...expected: RegExp[]): Promise<RunResult> {
  const r = await cli(['send', 'template', TO, ...args, '--templates', EXPORT]);
  assert.equal(r.code, 2, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(requests(), 0, 'no request reached the sandbox');
  assert.equal(r.stdout, '');
  for (const e of expected) assert.match(r.stderr, e);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
  return r;
}

describe('send template against the catalog', () => {
  test('one body parameter short: refused, naming the template, BODY and the count expected', async () => {
    await refused(
      ['--name', 'order_update', '--param', 'João', '--button-url', '1=123'],
      /template 'order_update' \(pt_BR\): BODY expects 2 parameters.*got 1/,
    );
  });

  test('an IMAGE header without --header-image: refused', async () => {
    await refused(['--name', 'promo_image', '--param', 'Maria'], /template 'promo_image' \(pt_BR\): HEADER is IMAGE: give --header-image/);
  });

  test('a URL button ending in {{1}} without --button-url: refused', async () => {
    await refused(
      ['--name', 'order_update', '--param', 'João', '--param', '123'],
      /BUTTONS button 1 is a URL button ending in \{\{1\}\}.*give --button-url 1=/,
    );
  });

  test('a newline in a parameter: refused', async () => {
    await refused(
      ['--name', 'order_update', '--param', 'João\nSilva', '--param', '123', '--button-url', '1=123'],
      /BODY parameter \{\{1\}\} holds a line break/,
    );
  });

  test('five spaces in a row and a tab: refused', async () => {
    await refused(
      ['--name', 'order_update', '--param', 'João     Silva', '--param', '1\t23', '--button-url', '1=123'],
      /\{\{1\}\} holds more than 4 spaces/,
      /\{\{2\}\} holds a tab/,
    );
  });

  test('a PAUSED template: refused', async () => {
    await refused(['--name', 'paused_promo', '--param', 'Ana'], /template 'paused_promo' \(pt_BR\) is PAUSED/);
  });

  test('a quick-reply payload on a URL button, and a button that does not exist: refused', async () => {
    await refused(
      ['--name', 'order_update', '--param', 'a', '--param', 'b', '--quick-reply', '1=sim'],
      /button 1 is URL "Rastrear": --quick-reply is for QUICK_REPLY/,
    );
    await refused(
      ['--name', 'order_update', '--param', 'a', '--param', 'b', '--button-url', '1=x', '--quick-reply', '5=sim'],
      /BUTTONS has no button 5/,
    );
  });

  test('a template not in the catalog: refused with the hint to import it; --no-templates sends it unchecked', async () => {
    const r = await refused(
      ['--name', 'not_there', '--param', 'x'],
      /template 'not_there' \(pt_BR\) is not in the catalog/,
      /templates import/,
    );
    assert.match(r.stderr, /--no-templates/);
    const other = await refused(['--name', 'order_update', '--language', 'en_US'], /has no en_US entry.*it has pt_BR/);
    assert.ok(other);
    const sent = await cli([
      'send',
      'template',
      TO,
      '--name',
      'not_there',
      '--param',
      'x',
      '--templates',
      EXPORT,
      '--no-templates',
      '--json',
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(requests(), 1);
  });

  test('a valid send goes out with Meta components; its dry run shows the rendered text and sends nothing', async () => {
    const args = [
      'send',
      'template',
      TO,
      '--name',
      'order_update',
      '--param',
      'João',
      '--param',
      '123',
      '--button-url',
      '1=123',
      '--quick-reply',
      '0=atendente',
      '--templates',
      EXPORT,
    ];
    const dry = await cli([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(requests(), 0);
    const view = json(dry);
    assert.equal(view.rendered, 'Olá João, seu pedido 123 saiu para entrega.');
    assert.equal(view.method, 'POST');

    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r).ok, true);
    assert.equal(requests(), 1);
    const body = world.sandbox.received[0]!.body as { content: { components: unknown[] } } & Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(body)).content.components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'João' },
          { type: 'text', text: '123' },
        ],
      },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'atendente' }] },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '123' }] },
    ]);
    assert.equal(r.stderr.includes('Olá João'), false, 'the rendered text shows on a terminal only');
  });

  test('a NAMED template takes --param NAME=VALUE, sent in the order the names appear in its body', async () => {
    const r = await cli([
      'send',
      'template',
      TO,
      '--name',
      'welcome_named',
      '--param',
      'store=Loja São Paulo',
      '--param',
      'first_name=João',
      '--templates',
      EXPORT,
      '--dry-run',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const view = json<{ rendered: string; body: { content: { components: unknown[] } } }>(r);
    assert.equal(view.rendered, 'Olá João, bem-vindo à Loja São Paulo!');
    assert.deepEqual(view.body.content.components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'João' },
          { type: 'text', text: 'Loja São Paulo' },
        ],
      },
    ]);
    const sent = await cli([
      'send',
      'template',
      TO,
      '--name',
      'welcome_named',
      '--param',
      'store=Loja',
      '--param',
      'first_name=João',
      '--templates',
      EXPORT,
      '--profile',
      'socialminer',
      '--json',
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(requests(), 1);
    assert.deepEqual((world.sandbox.received[0]!.body as { template: { components: unknown[] } }).template.components, [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'João' },
          { type: 'text', text: 'Loja' },
        ],
      },
    ]);
    world.sandbox.reset();
    await refused(['--name', 'welcome_named', '--param', 'first_name=João'], /BODY is NAMED.*missing store/);
  });

  test('a PENDING template is sent with a warning on stderr', async () => {
    const r = await cli(['send', 'template', TO, '--name', 'pending_notice', '--param', 'amanhã', '--templates', EXPORT, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(requests(), 1);
    assert.match(r.stderr, /warning: template 'pending_notice' \(pt_BR\) is PENDING/);
  });

  test('without a catalog nothing changes: the same short message goes out', async () => {
    const r = await cli(['send', 'template', TO, '--name', 'order_update', '--param', 'João', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(requests(), 1);
  });

  test('templatesFile in the rc is read relative to the rc file (YAML too)', async () => {
    const sub = join(world.dir, 'conf');
    mkdirSync(sub, { recursive: true });
    const yaml = [
      'data:',
      '  - name: order_update',
      '    language: pt_BR',
      '    status: APPROVED',
      '    category: UTILITY',
      '    components:',
      '      - type: BODY',
      "        text: 'Olá {{1}}, pedido {{2}}.'",
    ].join('\n');
    writeFileSync(join(sub, 'templates.yaml'), yaml);
    const rc = JSON.parse(readFileSync(world.config, 'utf8'));
    rc.templatesFile = 'templates.yaml';
    const config = join(sub, 'rc.json');
    writeFileSync(config, JSON.stringify(rc), { mode: 0o600 });
    const r = await runCli(['send', 'template', TO, '--name', 'order_update', '--param', 'João', '--config', config], {
      env: cleanEnv(world.dir, { TEST_KEY: CANARY }),
      cwd: world.dir,
    });
    outputs.push(r);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /BODY expects 2 parameters/);
    assert.equal(requests(), 0);
  });

  test('a broken catalog names the file and the template', async () => {
    const bad = join(world.dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        data: [
          { name: 'ok_one', language: 'pt_BR', components: [] },
          { name: 'Broken Name', language: 'pt_BR', components: [] },
        ],
      }),
    );
    const r = await cli(['send', 'template', TO, '--name', 'ok_one', '--templates', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json: template 'Broken Name' \(pt_BR\): name: name must be lowercase/);
    assert.equal(requests(), 0);
  });
});

describe('bulk against the catalog', () => {
  /** 50 rows; line 6 has an empty cell, line 12 a two-line cell (lines 12-13), line 33 five spaces. */
  function csv(): string {
    const lines = ['to,nome,pedido'];
    for (let i = 0; i < 50; i++) {
      let nome = `Cliente ${i} João`;
      if (i === 4) nome = '';
      if (i === 10) nome = '"Ana\nMaria"';
      if (i === 30) nome = 'Ana     Maria';
      lines.push(`55119${String(i).padStart(8, '0')},${nome},${1000 + i}`);
    }
    const path = join(world.dir, `rows-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }
  const flags = [
    '--template',
    'order_update',
    '--param',
    '{{nome}}',
    '--param',
    '{{pedido}}',
    '--button-url',
    '1={{pedido}}',
    '--templates',
    EXPORT,
  ];

  test('3 bad rows of 50: the run is refused before any request, naming the 3 lines', async () => {
    const r = await cli(['bulk', csv(), ...flags]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(requests(), 0);
    assert.match(r.stderr, /3 of 50 rows do not fit/);
    assert.match(r.stderr, /line 6: .*BODY parameter \{\{1\}\} is empty/);
    assert.match(r.stderr, /line 12: .*holds a line break/);
    assert.match(r.stderr, /line 33: .*more than 4 spaces/);
    assert.match(r.stderr, /--skip-invalid/);
  });

  test('--skip-invalid sends the 47 others and marks the 3 failed (exit 3)', async () => {
    const r = await cli(['bulk', csv(), ...flags, '--skip-invalid', '--json', '--journal', join(world.dir, `skip-${Date.now()}.journal`)]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(requests(), 47);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; status: string; error?: { code: string } });
    assert.equal(lines.length, 50);
    const failed = lines.filter((l) => l.status === 'failed');
    assert.deepEqual(
      failed.map((l) => l.row).sort((a, b) => a - b),
      [6, 12, 33],
    );
    assert.ok(failed.every((l) => l.error?.code === 'VALIDATION'));
    assert.equal(lines.filter((l) => l.status === 'sent').length, 47);
  });

  test('stdin is checked the same way before any request', async () => {
    const text = readFileSync(csv(), 'utf8');
    const r = await cli(['bulk', '-', ...flags], text);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(requests(), 0);
    assert.match(r.stderr, /line 6:.*\n.*line 12:.*\n.*line 33:/);
  });

  test('more than 20 problems: 20 listed, then "… and N more"', async () => {
    const lines = ['to,nome,pedido'];
    for (let i = 0; i < 30; i++) lines.push(`55119${String(i).padStart(8, '0')},,`);
    const path = join(world.dir, 'empty.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const r = await cli(['bulk', path, ...flags]);
    assert.equal(r.code, 2);
    assert.equal(requests(), 0);
    assert.equal((r.stderr.match(/^ {2}line \d+:/gm) ?? []).length, 20);
    // 30 rows × 3 empty values ({{1}}, {{2}}, the URL suffix) = 90 problems.
    assert.match(r.stderr, /30 of 30 rows/);
    assert.match(r.stderr, /… and 70 more/);
  });

  test('flags that fit no row (a PAUSED template) are refused once, before reading the rows', async () => {
    const r = await cli(['bulk', csv(), '--template', 'paused_promo', '--param', '{{nome}}', '--templates', EXPORT, '--skip-invalid']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(requests(), 0);
    assert.match(r.stderr, /do not fit the templates catalog .* for any row/);
    assert.match(r.stderr, /template 'paused_promo' \(pt_BR\) is PAUSED/);
  });

  test('a template file per row (the general check) is refused the same way', async () => {
    const file = join(world.dir, 'pedido.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'order_update',
        language: 'pt_BR',
        body: ['{{nome}}', '{{pedido}}'],
        buttons: [{ type: 'url', index: 1, text: '{{pedido}}' }],
      }),
    );
    const r = await cli(['bulk', csv(), '--template-file', file, '--templates', EXPORT]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(requests(), 0);
    assert.match(r.stderr, /line 6: .*\n.*line 12: .*\n.*line 33: /);
  });

  test("the dry run shows each row's rendered text beside its request", async () => {
    const lines = ['to,nome,pedido', `${TO},João,123`];
    const path = join(world.dir, 'one.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const r = await cli(['bulk', path, ...flags, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { row: number; rendered: string };
    assert.equal(line.row, 2);
    assert.equal(line.rendered, 'Olá João, seu pedido 123 saiu para entrega.');
    assert.equal(requests(), 0);
  });
});

describe('templates import | list | show | lint', () => {
  test('a Graph API export imports as is, and shows', async () => {
    const catalog = join(world.dir, `catalog-${Date.now()}.json`);
    const imp = await cli(['templates', 'import', EXPORT, '--templates', catalog, '--json']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.deepEqual(json(imp), { file: catalog, added: 5, replaced: 0, total: 5 });
    const again = await cli(['templates', 'import', EXPORT, '--templates', catalog, '--json']);
    assert.deepEqual(json(again), { file: catalog, added: 0, replaced: 5, total: 5 });

    const show = await cli(['templates', 'show', 'order_update', '--templates', catalog, '--json']);
    assert.equal(show.code, 0, show.stderr);
    const entry = json(show);
    const original = (JSON.parse(readFileSync(EXPORT, 'utf8')) as { data: Record<string, unknown>[] }).data[0]!;
    assert.deepEqual(entry, original, 'the entry is kept exactly as exported');

    const list = await cli(['templates', 'list', '--templates', catalog, '--json', 'name,status']);
    assert.deepEqual(json(list), [
      { name: 'order_update', status: 'APPROVED' },
      { name: 'promo_image', status: 'APPROVED' },
      { name: 'paused_promo', status: 'PAUSED' },
      { name: 'welcome_named', status: 'APPROVED' },
      { name: 'pending_notice', status: 'PENDING' },
    ]);
    const lint = await cli(['templates', 'lint', '--templates', catalog]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });

  test('lint rejects a placeholder gap, a URL {{1}} not at the end, mixed placeholders and an unknown component', async () => {
    const bad = join(world.dir, 'lint.json');
    writeFileSync(
      bad,
      JSON.stringify([
        { name: 'gap', language: 'pt_BR', components: [{ type: 'BODY', text: 'Olá {{1}}, pedido {{3}}' }] },
        {
          name: 'url_middle',
          language: 'pt_BR',
          components: [
            { type: 'BODY', text: 'Oi' },
            { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://x.example/{{1}}/detalhes' }] },
          ],
        },
        { name: 'mixed', language: 'pt_BR', components: [{ type: 'BODY', text: 'Oi {{1}} {{nome}}' }] },
        { name: 'odd', language: 'pt_BR', components: [{ type: 'BODY', text: 'Oi' }, { type: 'CAROUSEL_X' }] },
      ]),
    );
    const r = await cli(['templates', 'lint', '--templates', bad]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /template 'gap' \(pt_BR\): BODY: placeholder gap: \{\{2\}\} missing/);
    assert.match(r.stdout, /template 'url_middle' \(pt_BR\): BUTTONS button 0: \{\{1\}\} must be at the end of the URL/);
    assert.match(r.stdout, /template 'mixed' \(pt_BR\): mixes positional and named/);
    assert.match(r.stdout, /template 'odd' \(pt_BR\): components\.1: unknown component type 'CAROUSEL_X'/);
    assert.match(r.stderr, /4 problems/);
  });

  test('no catalog configured: a clear error', async () => {
    const r = await cli(['templates', 'list']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no templates catalog: give --templates FILE/);
  });
});
