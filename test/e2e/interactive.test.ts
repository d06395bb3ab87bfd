/**
 * The interactive commands driven for real: the built binary on a pseudo-terminal, keys typed as
 * a person would, and what the sandbox received checked against the provider's document (Turn's
 * template with quick replies: docs/providers/turn.md, with Meta's media header parameter from
 * docs/providers/meta.md). Also: every interactive command refuses to prompt off
 * a terminal, naming the flags to use instead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { CANARY, CHANNEL, cleanEnv, json, runCli, startWorld, type World } from './harness.js';
import { keys, Terminal } from './terminal.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});
beforeEach(() => world.sandbox.reset());
// A failed expectation leaves its terminal open: close them all, or the run never ends.
afterEach(() => Terminal.killAll());

/** A terminal session of the CLI with the world's config: no CI, no color. */
function terminal(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdoutPipe?: boolean } = {}): Terminal {
  const env = cleanEnv(world.dir, { TEST_KEY: CANARY });
  delete env.CI;
  Object.assign(env, opts.env);
  return new Terminal([...args, '--config', world.config], { ...opts, env });
}

const ctrlU = '\u0015'; // readline: erase the line typed so far

/** Turn's template as its document shows it, with our values. */
const turnTemplate = (to: string) => ({
  to,
  type: 'template',
  template: {
    namespace: 'template-namespace',
    name: 'pedido_enviado',
    language: { code: 'pt_BR', policy: 'deterministic' },
    components: [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://exemplo.com/pedido.jpg' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'João' },
          { type: 'text', text: '12345' },
        ],
      },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'confirmar' }] },
    ],
  },
});

/** Answers the composer's questions for Turn's pedido_enviado: image header, two parameters, a quick reply. */
async function composeTurnTemplate(t: Terminal, values: [string, string], opts: { badAnswers?: boolean } = {}): Promise<void> {
  if (opts.badAnswers) {
    await t.answer('Template name', 'Pedido-Enviado');
    await t.expect('template name must be lowercase letters, digits and _');
    t.type(ctrlU + 'pedido_enviado' + keys.enter);
  } else {
    await t.answer('Template name', 'pedido_enviado');
  }
  await t.answer('Language', '', true); // pt_BR, the default
  await t.answer('Namespace', '', true); // the profile's
  await t.answer('Language policy', '', true); // deterministic
  await t.answer('Header', keys.down + keys.down + keys.enter, false); // image
  if (opts.badAnswers) {
    await t.answer('Image URL or media id', '');
    await t.expect('header media id must not be empty');
    t.type('https://exemplo.com/pedido.jpg' + keys.enter);
  } else {
    await t.answer('Image URL or media id', 'https://exemplo.com/pedido.jpg');
  }
  await t.answer('Body text as approved', 'Olá {{1}}, seu pedido {{2}} saiu para entrega 🎉');
  await t.expect('Value for {{1}}');
  t.type(values[0]);
  // The live preview fills the text as the value is typed.
  await t.expect(`Olá ${values[0]}, seu pedido {{2}} saiu para entrega 🎉`);
  t.type(keys.enter);
  await t.answer('Value for {{2}}', values[1]);
  await t.answer('Buttons with a parameter?', keys.down + keys.enter, false); // quick reply
  await t.answer('Button index', '', true); // 0
  await t.answer('Payload', 'confirmar');
  await t.answer('Another button?', '', true); // no more
}

describe('compose / send template --interactive (Turn)', { timeout: 600_000 }, () => {
  test("composed with a media header, two parameters and a quick reply, sent: the sandbox gets Turn's template; invalid answers are re-asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-compose-'));
    const t = terminal(['send', 'template', '--interactive', '--profile', 'turn'], { cwd: dir });
    await t.answer('Recipient', '123');
    await t.expect(/to '123' is not a phone number|to '123'/);
    t.type(ctrlU + '+55 (11) 99999-9999' + keys.enter);
    await composeTurnTemplate(t, ['João', '12345'], { badAnswers: true });
    await t.expect('Olá João, seu pedido 12345 saiu para entrega 🎉'); // the preview
    await t.expect('[0] quick reply → confirmar');
    // Save it first, then send it.
    await t.answer('What now?', keys.down + keys.down + keys.enter, false);
    await t.answer('Save to', '', true); // pedido_enviado.json
    await t.expect('saved pedido_enviado.json');
    await t.answer('What now?', keys.enter, false);
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.match(end.screen, /pedido_enviado\.json/);
    assert.doesNotMatch(end.screen, /CANARY|\n\s+at /);

    assert.equal(world.sandbox.received.length, 1, 'one request');
    const got = world.sandbox.received[0]!;
    assert.equal(got.path, '/turn/v1/messages');
    assert.equal(got.status, 200, got.error ?? JSON.stringify(got.body));
    assert.deepEqual(got.body, turnTemplate('5511999999999'));

    // The saved file: the documented template file format, and it sends the same request.
    const saved = JSON.parse(readFileSync(join(dir, 'pedido_enviado.json'), 'utf8'));
    assert.deepEqual(saved, {
      name: 'pedido_enviado',
      language: 'pt_BR',
      header: { type: 'image', url: 'https://exemplo.com/pedido.jpg' },
      body: ['João', '12345'],
      buttons: [{ type: 'quick_reply', index: 0, payload: 'confirmar' }],
    });
    const again = await world.run([
      'send',
      'template',
      '5511988887777',
      '--file',
      join(dir, 'pedido_enviado.json'),
      '--profile',
      'turn',
      '--json',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(world.sandbox.received[1]!.body, turnTemplate('5511988887777'));
  });

  test('--print-file with {{column}} values, then bulk --template-file fills them per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-compose-'));
    const t = terminal(['compose', '--print-file', '--profile', 'turn'], { stdoutPipe: true });
    await composeTurnTemplate(t, ['{{nome}}', '{{pedido}}']);
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 0, 'composing sends nothing');
    const file = JSON.parse(end.stdout);
    assert.deepEqual(file.body, ['{{nome}}', '{{pedido}}']);
    const path = join(dir, 'pedido.json');
    writeFileSync(path, end.stdout);
    const csv = join(dir, 'contatos.csv');
    writeFileSync(csv, 'phone,nome,pedido\n5511999999999,João,12345\n5511988887777,Conceição,67890\n');
    const bulk = await world.run(['bulk', csv, '--template-file', path, '--profile', 'turn', '--json']);
    assert.equal(bulk.code, 0, bulk.stderr);
    const bodies = world.sandbox.received
      .map((r) => r.body)
      .sort((a, b) => String((a as { to: string }).to).localeCompare((b as { to: string }).to));
    const second = turnTemplate('5511988887777');
    second.template.components[1]!.parameters = [
      { type: 'text', text: 'Conceição' },
      { type: 'text', text: '67890' },
    ] as never;
    assert.deepEqual(bodies, [second, turnTemplate('5511999999999')]);
  });

  test('flags given become the defaults: Enter through every question sends the same template', async () => {
    const t = terminal([
      'send',
      'template',
      '5511999999999',
      '--interactive',
      '--profile',
      'turn',
      '--name',
      'pedido_enviado',
      '--header-image',
      'https://exemplo.com/pedido.jpg',
      '--param',
      'João',
      '--param',
      '12345',
      '--quick-reply',
      '0=confirmar',
    ]);
    for (const question of [
      'Template name',
      'Language',
      'Namespace',
      'Language policy',
      'Header',
      'Image URL or media id',
      'Body text as approved',
      'How many body parameters?',
      'Value for {{1}}',
      'Value for {{2}}',
    ]) {
      await t.answer(question, '', true);
    }
    await t.expect('buttons from the flags: quick reply 0=confirmar');
    await t.answer('Another button?', '', true);
    await t.answer('What now?', keys.enter, false); // send it
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 1);
    assert.deepEqual(world.sandbox.received[0]!.body, turnTemplate('5511999999999'));
  });

  test('Ctrl-C mid-way: exit 130, a one-line message, nothing sent', async () => {
    const t = terminal(['compose', '5511999999999', '--profile', 'turn']);
    await t.answer('Template name', 'pedido_enviado');
    await t.answer('Language', '', true);
    await t.expect('Namespace');
    t.type(keys.ctrlC);
    const end = await t.exit();
    assert.equal(end.code, 130, end.screen);
    assert.match(end.screen, /cancelled: nothing was sent or written/);
    assert.doesNotMatch(end.screen, /\n\s+at |ExitPromptError/);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('an interacto profile is refused before any question (interacto has no templates)', async () => {
    const t = terminal(['compose', '--profile', 'interacto']);
    const end = await t.exit();
    assert.equal(end.code, 2);
    assert.match(end.screen, /interacto, which has no template messages/);
  });
});

describe('init', { timeout: 600_000 }, () => {
  test('writes a new .interflowrc (mode 0600) from the answers, after checking the key with GET /webhooks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-init-'));
    const file = join(dir, '.interflowrc');
    const env = cleanEnv(dir, { INTERFLOW_API_KEY: CANARY });
    delete env.CI;
    const t = new Terminal(['init', '--config', file], { env, cwd: dir });
    await t.answer('Provider', keys.enter, false); // interflow
    await t.answer('Profile name', 'produção');
    await t.expect("letters, digits, '.', '_' and '-'");
    t.type(ctrlU + 'producao' + keys.enter);
    await t.answer('Base URL', keys.down + keys.down + keys.down + keys.enter, false); // other…
    await t.answer('Base URL', `${world.sandbox.url}/interflow/v1`);
    await t.answer('Channel id', 'abc');
    await t.expect("must be the channel's UUID");
    t.type(ctrlU + CHANNEL + keys.enter);
    await t.answer('The API key', keys.enter, false); // from an environment variable
    await t.answer('Variable name', '', true); // INTERFLOW_API_KEY
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.match(end.screen, /the key works/);
    assert.doesNotMatch(end.screen, new RegExp(CANARY));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      defaultProfile: 'producao',
      profiles: {
        producao: {
          provider: 'interflow',
          apiKey: '${INTERFLOW_API_KEY}',
          baseUrl: `${world.sandbox.url}/interflow/v1`,
          channelId: CHANNEL,
        },
      },
    });
    const check = world.sandbox.received.filter((r) => r.method === 'GET');
    assert.equal(check.length, 1);
    assert.match(check[0]!.path, /^\/interflow\/v1\/webhooks/);
    // The profile works.
    const sent = await runCli(['send', 'text', '11999999999', 'Olá 🎉', '--json'], {
      env: cleanEnv(dir, { INTERFLOW_API_KEY: CANARY }),
      cwd: dir,
    });
    assert.equal(sent.code, 0, sent.stderr);
  });

  test('adds a profile to an existing file: others intact, mode 0600, a typed key never echoed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-init-'));
    const file = join(dir, '.interflowrc');
    const existing = {
      defaultProfile: 'interflow',
      profiles: {
        interflow: { provider: 'interflow', apiKey: '${INTERFLOW_API_KEY}', channelId: CHANNEL, plan: 'professional' },
        socialminer: { provider: 'socialminer', apiKey: '${SOCIALMINER_API_KEY}' },
      },
    };
    writeFileSync(file, JSON.stringify(existing), { mode: 0o644 });
    const env = cleanEnv(dir);
    delete env.CI;
    const t = new Terminal(['init'], { env, cwd: dir });
    await t.expect('it has interflow, socialminer');
    await t.answer('Provider', keys.down + keys.down + keys.enter, false); // turn
    await t.answer('Profile name', '', true); // turn
    await t.answer('Base URL', keys.enter, false); // Turn's own
    await t.answer('Template namespace', 'template-namespace');
    await t.answer('The API key', keys.down + keys.enter, false); // typed now
    await t.answer('API key (not shown)', 'turn_SECRET_9x8y7z');
    await t.answer("Make 'turn' the default profile", 'n');
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.doesNotMatch(end.screen, /turn_SECRET_9x8y7z/);
    assert.match(end.screen, /keep it out of version control/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      defaultProfile: 'interflow',
      profiles: { ...existing.profiles, turn: { provider: 'turn', apiKey: 'turn_SECRET_9x8y7z', namespace: 'template-namespace' } },
    });
    assert.equal(world.sandbox.received.length, 0, 'no request for a turn key');
  });

  test('with --provider it asks nothing (works off a terminal); a refused interflow key writes nothing (exit 4)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-init-'));
    const file = join(dir, 'rc.json');
    const base = [
      'init',
      '--config',
      file,
      '--provider',
      'interflow',
      '--base-url',
      `${world.sandbox.url}/interflow/v1`,
      '--channel-id',
      CHANNEL,
    ];
    const refused = await runCli([...base, '--profile', 'local'], { env: cleanEnv(dir, { INTERFLOW_API_KEY: 'if_wrong_key' }) });
    assert.equal(refused.code, 4, refused.stderr);
    assert.throws(() => statSync(file), /ENOENT/);

    const ok = await runCli([...base, '--profile', 'local', '--json'], { env: cleanEnv(dir, { INTERFLOW_API_KEY: CANARY }) });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(json(ok), { file, profile: 'local', provider: 'interflow', default: true, created: true });
    const turn = await runCli(['init', '--config', file, '--provider', 'turn', '--key-stdin'], {
      env: cleanEnv(dir),
      input: 'turn_piped_key\n',
    });
    assert.equal(turn.code, 0, turn.stderr);
    const again = await runCli(['init', '--config', file, '--provider', 'turn'], { env: cleanEnv(dir) });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already has a profile 'turn'.*--force/);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(written.defaultProfile, 'local');
    assert.deepEqual(Object.keys(written.profiles), ['local', 'turn']);
    assert.equal(written.profiles.turn.apiKey, 'turn_piped_key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

test("init writes the directory's own .interflowrc.json when there is one, and refuses to hide a YAML one", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'interflow-init-'));
  writeFileSync(join(dir, '.interflowrc.json'), JSON.stringify({ profiles: { sm: { provider: 'socialminer', apiKey: '${SM}' } } }));
  const json = await runCli(['init', '--provider', 'turn'], { env: cleanEnv(dir), cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, '.interflowrc.json'), 'utf8')).profiles), ['sm', 'turn']);
  assert.throws(() => statSync(join(dir, '.interflowrc')), /ENOENT/);

  const yamlDir = mkdtempSync(join(tmpdir(), 'interflow-init-'));
  writeFileSync(join(yamlDir, '.interflowrc.yaml'), 'profiles:\n  sm:\n    provider: socialminer\n    apiKey: k\n');
  const yaml = await runCli(['init', '--provider', 'turn'], { env: cleanEnv(yamlDir), cwd: yamlDir });
  assert.equal(yaml.code, 2);
  assert.match(yaml.stderr, /configuration is in \.interflowrc\.yaml, which init does not rewrite.*--config FILE/);
  assert.throws(() => statSync(join(yamlDir, '.interflowrc')), /ENOENT/);
});

describe('no prompts off a terminal', () => {
  const cases: [string, string[], RegExp][] = [
    ['compose', ['compose', '5511999999999', '--profile', 'turn'], /--name NAME .*--param/],
    ['send template --interactive', ['send', 'template', '--interactive', '--profile', 'turn'], /--name NAME .*--file template\.json/],
    ['init', ['init'], /--provider interflow\|interacto\|turn\|socialminer/],
  ];
  for (const [name, args, flags] of cases) {
    test(`${name}: exit 2 naming the flags, when stdin is a pipe`, async () => {
      const r = await world.run(args, { env: { CI: '' } }); // CI unset: the pipes alone refuse
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /asks questions, but stdin, stdout and stderr are not terminals: /);
      assert.match(r.stderr, flags);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(world.sandbox.received.length, 0);
    });
  }
  test('CI set: no prompts even on a terminal', async () => {
    const t = terminal(['compose', '--profile', 'turn'], { env: { CI: 'true' } });
    const end = await t.exit();
    assert.equal(end.code, 2);
    assert.match(end.screen, /compose asks questions, but CI is set/);
  });
});
