/**
 * Rough edges a new user met (issue 14): each one as the built binary shows it, against the
 * project's sandbox where it is behaviour.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { CANARY, CHANNEL, bin, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';
import { keys, Terminal } from './terminal.js';
import type { SandboxOptions } from '../../src/sandbox/server.js';

const ctrlU = '\u0015'; // readline: erase the line typed so far

const TO = '5511999999999';
const repoRoot = dirname(dirname(bin));

let world: World;
let tmp: string;
const outputs: RunResult[] = [];

before(async () => {
  world = await startWorld();
  tmp = mkdtempSync(join(tmpdir(), 'interflow-rough-'));
});
after(async () => {
  for (const r of outputs) {
    assert.ok(!r.stdout.includes(CANARY), `key leaked on stdout:\n${r.stdout}`);
    assert.ok(!r.stderr.includes(CANARY), `key leaked on stderr:\n${r.stderr}`);
  }
  await world.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => world.sandbox.reset());

async function run(args: string[], opts: Parameters<World['run']>[1] = {}): Promise<RunResult> {
  const r = await world.run(args, opts);
  outputs.push(r);
  return r;
}

describe('before npm install', () => {
  test('bin/interflow.js without dist/ says to run npm install, in one line, exit 1', async () => {
    const dir = mkdtempSync(join(tmp, 'clone-'));
    cpSync(join(repoRoot, 'bin'), join(dir, 'bin'), { recursive: true });
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'interflow.js'), '--help'], { env: cleanEnv(dir), cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'error: dist/ is missing: run npm install first (it builds dist/)\n');
  });
});

describe('messages say each thing once', () => {
  test('a too-long text names the argument once', async () => {
    const r = await run(['send', 'text', TO, 'a'.repeat(4097)]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: text: is longer than 4096 characters\n');
    assert.equal(world.sandbox.received.length, 0);
  });

  test('a bad --url names the flag once, and a second problem without "(and 1 more"', async () => {
    const r = await run(['send', 'media', TO, '--kind', 'audio', '--url', 'notaurl', '--caption', 'c']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: --url: must be an http(s) URL; --caption: is only for image, video and document\n');
  });

  test('an Interacto-only option is named by its flag (--tag, not tags)', async () => {
    const csv = join(tmp, 'tags.csv');
    writeFileSync(csv, `to,text\n${TO},Olá\n`);
    const b = await run(['bulk', csv, '--text', '{{text}}', '--tag', 'vip', '--profile', 'turn', '--journal', join(tmp, 'tags.journal')]);
    assert.equal(b.code, 2, b.stderr);
    assert.equal(b.stderr, 'error: --tag is an Interacto-only option; turn does not accept it\n');
    assert.ok(!existsSync(join(tmp, 'tags.journal')), 'no journal written');
  });

  test('--to-column naming no column says which columns there are, once', async () => {
    const csv = join(tmp, 'fone.csv');
    writeFileSync(csv, `name,fone\nJoão,${TO}\n`);
    const named = await run(['bulk', csv, '--text', 'oi', '--to-column', 'phone']);
    assert.equal(named.code, 2);
    assert.equal(named.stderr, "error: --to-column 'phone' is not a column of the CSV: it has name, fone\n");
    const unnamed = await run(['bulk', csv, '--text', 'oi']);
    assert.equal(unnamed.code, 2);
    assert.equal(
      unnamed.stderr,
      "error: no 'to' or 'phone' column for the recipients: the CSV has name, fone; name the recipients' column with --to-column\n",
    );
  });

  test("a Turn profile's bad baseUrl cites Turn's URLs, not Interflow's", async () => {
    const config = join(tmp, 'turn-bad-url.json');
    writeFileSync(config, JSON.stringify({ profiles: { t: { provider: 'turn', apiKey: '${TEST_KEY}', baseUrl: 'ftp://x' } } }));
    const r = await runCli(['profiles', 'list', '--config', config], { env: cleanEnv(tmp, { TEST_KEY: CANARY }), cwd: tmp });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `error: ~/turn-bad-url.json: profile 't': baseUrl: must be an http(s) URL without query or fragment, e.g. https://whatsapp.turn.io or http://127.0.0.1:8787/turn\n`,
    );
  });

  test('a 404 from a wrong baseUrl says "baseUrl" once, in the hint', async () => {
    const config = join(tmp, 'wrong-path.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { t: { provider: 'turn', apiKey: '${TEST_KEY}', baseUrl: `${world.sandbox.url}/nowhere` } } }),
    );
    const r = await runCli(['send', 'text', TO, 'oi', '--config', config], { env: cleanEnv(tmp, { TEST_KEY: CANARY }), cwd: tmp });
    outputs.push(r);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.split('baseUrl').length - 1, 1, r.stderr);
    assert.match(r.stderr, /^hint: check the profile's baseUrl \(`interflow profiles show --profile t`\)$/m);
  });
});

describe('customers and webhooks create check their fields locally', () => {
  test('customers create --email that is not an e-mail: exit 2, nothing sent', async () => {
    const r = await run(['customers', 'create', '--name', 'João', '--email', 'joao.email.com']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: --email must be an e-mail address like joao@email.com, got 'joao.email.com'\n");
    assert.equal(world.sandbox.received.length, 0);
  });

  test('customers update --tag "": exit 2, nothing sent', async () => {
    const r = await run(['customers', 'update', 'cust_1', '--tag', '']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: --tag must not be empty\n');
    assert.equal(world.sandbox.received.length, 0);
  });

  test('webhooks create --url that is not an http(s) URL: exit 2, nothing sent', async () => {
    const r = await run(['webhooks', 'create', '--url', 'exemplo.com/hooks']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: --url must be an http(s) URL like https://exemplo.com/hooks, got 'exemplo.com/hooks'\n");
    assert.equal(world.sandbox.received.length, 0);
  });

  test('a valid e-mail and URL still go through', async () => {
    const c = await run(['customers', 'create', '--name', 'João', '--email', 'joao@email.com', '--json']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(json(c).email, 'joao@email.com');
    const w = await run(['webhooks', 'create', '--url', 'https://exemplo.com/hooks', '--json']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(json(w).url, 'https://exemplo.com/hooks');
  });
});

describe('bulk refuses what the provider cannot send before any row', () => {
  test('interacto with --template-file: exit 2, no journal, nothing sent', async () => {
    const csv = join(tmp, 'interacto.csv');
    writeFileSync(csv, `to,nome\n${TO},João\n`);
    const file = join(tmp, 'template.json');
    writeFileSync(file, JSON.stringify({ name: 'order_confirmation', language: 'pt_BR', params: ['{{nome}}'] }));
    const journal = join(tmp, 'interacto.journal');
    const r = await run(['bulk', csv, '--template-file', file, '--profile', 'interacto', '--journal', journal]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'error: interacto does not support template messages; it supports: contact\n');
    assert.ok(!existsSync(journal), 'no journal written');
    assert.equal(world.sandbox.received.length, 0);
  });

  test('interacto with --text: the same refusal, the same exit code', async () => {
    const csv = join(tmp, 'interacto-text.csv');
    writeFileSync(csv, `to\n${TO}\n`);
    const r = await run(['bulk', csv, '--text', 'oi', '--profile', 'interacto', '--journal', join(tmp, 'interacto-text.journal')]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'error: interacto does not support text messages; it supports: contact\n');
    assert.ok(!existsSync(join(tmp, 'interacto-text.journal')));
  });
});

describe('npm run demo', () => {
  test('echoes commands a shell reads back as run, and ends with `npx interflow sandbox`', async () => {
    const demo = spawnSync(process.execPath, [join(repoRoot, 'dist', 'demo.js')], { env: cleanEnv(tmp), cwd: tmp, encoding: 'utf8' });
    assert.equal(demo.status, 0, demo.stderr);
    const echoed = demo.stderr.split('\n').filter((l) => l.startsWith('$ interflow '));
    const hsm = echoed.find((l) => l.includes('--hsm'));
    assert.ok(hsm?.includes("--param '$10' --param 1234"), hsm);
    // Each echoed line, given to sh as it is printed, yields the words the demo ran.
    for (const line of echoed.filter((l) => /[$'"]/.test(l))) {
      const words = spawnSync('sh', ['-c', `printf '%s\\n' ${line.slice(2)}`], { encoding: 'utf8' }).stdout.split('\n');
      assert.ok(!line.includes('$10') || words.includes('$10'), `${line} → ${words.join(' | ')}`);
    }
    assert.match(demo.stderr, /^Try it yourself: `npx interflow sandbox` in one terminal/m);
  });
});

/** A terminal session of the CLI with the world's config: no CI, no color. */
function terminal(args: string[], opts: { env?: NodeJS.ProcessEnv; cols?: number } = {}): Terminal {
  const env = cleanEnv(world.dir, { TEST_KEY: CANARY });
  delete env.CI;
  Object.assign(env, opts.env);
  return new Terminal([...args, '--config', world.config], { env, cols: opts.cols });
}

describe('destructive commands take --yes the same way', () => {
  afterEach(() => Terminal.killAll());

  for (const [noun, create] of [
    ['webhooks', ['webhooks', 'create', '--url', 'https://exemplo.com/hooks', '--json']],
    ['customers', ['customers', 'create', '--name', 'João', '--json']],
  ] as const) {
    test(`${noun} delete: off a terminal it refuses without --yes (exit 2, nothing deleted); --yes deletes`, async () => {
      const id = String(json(await run([...create])).id);
      const what = noun === 'webhooks' ? 'webhook' : 'customer';
      const refused = await run([noun, 'delete', id]);
      assert.equal(refused.code, 2);
      assert.equal(
        refused.stderr,
        `error: refusing to delete ${what} ${id} without confirmation: add --yes\nhint: not a terminal, so there is no one to ask; --yes goes ahead without asking\n`,
      );
      assert.ok(!world.sandbox.received.some((r) => r.method === 'DELETE'));
      const done = await run([noun, 'delete', id, '--yes', '--json']);
      assert.equal(done.code, 0, done.stderr);
      assert.ok(world.sandbox.received.some((r) => r.method === 'DELETE'));
    });

    test(`${noun} delete: No on a terminal is a plain "cancelled" line, exit 130, nothing deleted`, async () => {
      const id = String(json(await run([...create])).id);
      const what = noun === 'webhooks' ? 'webhook' : 'customer';
      const t = terminal([noun, 'delete', id]);
      await t.answer(`Delete ${what} ${id}? This cannot be undone.`, 'n');
      const end = await t.exit();
      assert.equal(end.code, 130, end.screen);
      assert.match(end.screen, new RegExp(`^cancelled: ${what} ${id} was not deleted$`, 'm'));
      assert.doesNotMatch(end.screen, /error:/);
      assert.ok(!world.sandbox.received.some((r) => r.method === 'DELETE'));
    });
  }
});

describe('--json: every failure has its JSON on stdout', () => {
  test('a network failure of a send: {"ok":false,…,"error":{…}}, exit 1', async () => {
    const config = join(tmp, 'down.json');
    // Port 9 (discard) on loopback: nothing listens there.
    writeFileSync(
      config,
      JSON.stringify({ profiles: { down: { provider: 'turn', apiKey: '${TEST_KEY}', baseUrl: 'http://127.0.0.1:9/turn' } } }),
    );
    const r = await runCli(['send', 'text', TO, 'oi', '--json', '--config', config], {
      env: cleanEnv(tmp, { TEST_KEY: CANARY }),
      cwd: tmp,
    });
    outputs.push(r);
    assert.equal(r.code, 1, r.stderr);
    const out = json<{ ok: boolean; provider: string; profile: string; to: string; error: { code: string; message: string } }>(r);
    assert.equal(out.ok, false);
    assert.equal(out.provider, 'turn');
    assert.equal(out.profile, 'down');
    assert.equal(out.to, TO);
    assert.equal(out.error.code, 'CONNECT_FAILED');
    assert.match(r.stderr, /^error: could not connect to 127\.0\.0\.1:9/);
  });

  test('a usage error and a resource refusal: JSON too, exit codes unchanged', async () => {
    const usage = await run(['customers', 'create', '--name', 'x', '--email', 'bad', '--json']);
    assert.equal(usage.code, 2);
    assert.deepEqual(json(usage), {
      ok: false,
      error: { code: 'USAGE', message: "--email must be an e-mail address like joao@email.com, got 'bad'" },
    });
    const missing = await run(['customers', 'get', 'cust_nope', '--json']);
    assert.equal(missing.code, 1);
    assert.equal(json<{ ok: boolean; error: { status: number } }>(missing).error.status, 404);
  });

  test("commander's own refusals (unknown flag, missing argument, bad option value): JSON too, exit 2, nothing sent", async () => {
    const before = world.sandbox.received.length;
    const cases: [string[], RegExp][] = [
      [['customers', 'get', '--json'], /missing required argument 'id'/],
      [['send', 'text', TO, 'oi', '--jsno', '--json'], /unknown option '--jsno'/],
      [['webhooks', 'create', '--json'], /required option '--url <url>' not specified/],
      [['customers', 'list', '--per-page', '500', '--json'], /^--per-page must be a whole number from 1 to 100, got '500'$/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const out = json<{ ok: boolean; error: { code: string; message: string } }>(r);
      assert.equal(out.ok, false);
      assert.equal(out.error.code, 'USAGE');
      assert.match(out.error.message, message);
      assert.match(r.stderr, /^error: /m);
    }
    assert.equal(world.sandbox.received.length, before);
  });
});

describe('profiles: the key when its variable is unset, and the profile in hints', () => {
  test('profiles show NAME with the variable unset: ${NAME} (unset); JSON off a terminal', async () => {
    const r = await run(['profiles', 'show', 'turn'], { env: { TEST_KEY: '' } });
    assert.equal(r.code, 0, r.stderr);
    const view = json<{ name: string; apiKey: string; apiKeyFrom: string }>(r);
    assert.equal(view.name, 'turn');
    assert.equal(view.apiKey, '${TEST_KEY} (unset)');
    assert.equal(view.apiKeyFrom, 'TEST_KEY');
  });

  test('--dry-run with the variable unset prints the request with the key as ***', async () => {
    const r = await run(['send', 'text', TO, 'Olá', '--profile', 'turn', '--dry-run'], { env: { TEST_KEY: '' } });
    assert.equal(r.code, 0, r.stderr);
    const req = json<{ headers: Record<string, string>; body: { text: { body: string } } }>(r);
    assert.equal(req.headers.Authorization ?? req.headers.authorization, 'Bearer ***');
    assert.equal(req.body.text.body, 'Olá');
    assert.equal(world.sandbox.received.length, 0);
    // Without --dry-run it is still a configuration error.
    const real = await run(['send', 'text', TO, 'Olá', '--profile', 'turn'], { env: { TEST_KEY: '' } });
    assert.equal(real.code, 2);
    assert.match(real.stderr, /apiKey: environment variable TEST_KEY is not set/);
  });

  for (const profile of ['interflow', 'turn', 'socialminer']) {
    test(`a refused key (${profile}): the hint names --profile ${profile}`, async () => {
      const r = await run(['send', 'text', TO, 'oi', '--profile', profile], { env: { TEST_KEY: 'wrong_key_0123456789' } });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, new RegExp(`^hint: .*\`interflow profiles show --profile ${profile}\`.*$`, 'm'));
    });
  }
});

describe('help', () => {
  test('`help send text` shows send text, as `send text --help` does', async () => {
    const help = await run(['help', 'send', 'text']);
    const flag = await run(['send', 'text', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: interflow send text \[options\] <to> \[text\]\n/);
    assert.equal(help.stdout, flag.stdout);
    const nested = await run(['help', 'customers', 'delete']);
    assert.match(nested.stdout, /^Usage: interflow customers delete \[options\] <id>\n/);
  });

  test("a subcommand's --help lists the global flags", async () => {
    for (const args of [
      ['send', 'text', '--help'],
      ['webhooks', 'delete', '--help'],
      ['bulk', '--help'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 0);
      const global = r.stdout.slice(r.stdout.indexOf('\nGlobal Options:\n'));
      assert.ok(global.length > 20, r.stdout);
      for (const flag of ['--profile <name>', '--config <file>', '--json [fields]', '--dry-run', '--verbose', '--timeout <ms>']) {
        assert.ok(global.includes(`  ${flag}`), `${args.join(' ')}: ${flag} missing from\n${global}`);
      }
    }
  });
});

describe('tables fit the terminal', () => {
  afterEach(() => Terminal.killAll());
  const visible = (screen: string) => screen.split('\n').filter((l) => l.trim() !== '');
  const cols = (l: string) => [...l].length;

  test('chats list at 80 and 50 columns: no line wider than the terminal; cut cells end in …', async () => {
    for (const width of [80, 50]) {
      const end = await terminal(['chats', 'list'], { cols: width }).exit();
      assert.equal(end.code, 0, end.screen);
      const lines = visible(end.screen);
      assert.match(lines[0]!, /^ID\s+NAME\s+PHONE\s+STATUS/);
      for (const l of lines) assert.ok(cols(l) <= width, `${cols(l)} > ${width}: ${l}`);
      assert.equal(lines.filter((l) => l.startsWith('chat_')).length, 3, end.screen);
      if (width === 50)
        assert.ok(
          lines.some((l) => l.includes('…')),
          end.screen,
        );
    }
  });

  test('a SocialMiner send at 80 columns: the result fits, its id whole, printed once (no ✔ line beside it)', async () => {
    const env = cleanEnv(world.dir, { TEST_KEY: CANARY });
    delete env.CI;
    delete env.NO_COLOR;
    const t = new Terminal(['send', 'text', TO, 'Olá', '--profile', 'socialminer', '--config', world.config], { env, cols: 80 });
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    const id = world.sandbox.accepted()[0]!.messageId;
    assert.ok(id.length > 40, id);
    const lines = visible(end.screen);
    for (const l of lines) assert.ok(cols(l) <= 80, `${cols(l)} > 80: ${l}`);
    assert.ok(
      lines.some((l) => l.endsWith(id)),
      end.screen,
    );
    assert.equal(end.screen.split(id).length - 1, 1, `the id once:\n${end.screen}`);
    assert.doesNotMatch(end.screen, /✔/);
  });

  test('a send that fits stays a one-row table', async () => {
    const end = await terminal(['send', 'text', TO, 'Olá', '--profile', 'interflow'], { cols: 100 }).exit();
    assert.equal(end.code, 0, end.screen);
    assert.match(end.screen, /^PROVIDER\s+PROFILE\s+TO\s+TYPE\s+ID\s+STATUS$/m);
  });
});

describe('bulk: --dry-run lines and the progress line', () => {
  afterEach(() => Terminal.killAll());

  test('--dry-run: each line carries the body once (no bodyText beside body)', async () => {
    const csv = join(tmp, 'dry.csv');
    writeFileSync(csv, `to,name\n${TO},João\n5511988887777,Maria\n`);
    const r = await run(['bulk', csv, '--text', 'Olá {{name}}', '--profile', 'turn', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; request: Record<string, unknown> });
    assert.equal(lines.length, 2);
    for (const l of lines) assert.deepEqual(Object.keys(l.request), ['method', 'url', 'headers', 'body']);
    assert.deepEqual((lines[0]!.request.body as { text: unknown }).text, { body: 'Olá João' });
    assert.equal(world.sandbox.received.length, 0);
  });

  /** One row to TO through a Turn profile of its own sandbox, on a terminal: the progress line shows `expected` on the way; exit 0, sent once. */
  async function progressShows(name: string, sandboxOptions: SandboxOptions, expected: RegExp, more: string[] = []): Promise<string> {
    const { startSandbox } = await import('../../src/sandbox/server.js');
    const sandbox = await startSandbox({ port: 0, apiKeys: [CANARY], ...sandboxOptions });
    try {
      const config = join(tmp, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          profiles: { turn: { provider: 'turn', apiKey: '${TEST_KEY}', baseUrl: `${sandbox.url}/turn`, namespace: 'template-namespace' } },
        }),
      );
      const csv = join(tmp, `${name}.csv`);
      writeFileSync(csv, `to\n${TO}\n`);
      const env = cleanEnv(tmp, { TEST_KEY: CANARY });
      delete env.CI;
      delete env.NO_COLOR;
      const t = new Terminal(['bulk', csv, '--text', 'Olá', '--config', config, '--journal', join(tmp, `${name}.journal`), ...more], {
        env,
        cwd: tmp,
      });
      await t.expect(expected);
      const end = await t.exit(30_000);
      assert.equal(end.code, 0, end.screen);
      assert.equal(sandbox.accepted().length, 1);
      return end.screen;
    } finally {
      await sandbox.close();
    }
  }

  test('the progress line says it is waiting, and why, while a 429 pauses the run', async () => {
    await progressShows(
      'paused',
      { faults: { failFirst: 1, failStatus: 429, retryAfter: 3 } },
      /waiting [1-3] s: 429 from the provider · \d/,
    );
  });

  test('the progress line says which recipient waits out its 131056 backoff, and how long, its number masked', async () => {
    // 1 s after the first refusal, then 4 s after the second: the line counts the second down.
    const masked = `\\+${TO.slice(0, 2)}…${TO.slice(-4)}`;
    const screen = await progressShows(
      'held',
      { refusals: { [TO]: { code: 131056, times: 2 } } },
      new RegExp(`waiting [2-4] s: 131056 pair rate for ${masked} · \\d`),
      ['--pair-interval', '0'],
    );
    assert.ok(!screen.includes(TO.slice(2)), `the whole number is not on the progress line:\n${screen}`);
  });
});

describe('init on a terminal: the key checked at once, a way back, the sandbox port', { timeout: 90_000 }, () => {
  afterEach(() => Terminal.killAll());

  test('a refused key is checked right after it is given and can be typed again; ← back goes to the question before', async () => {
    const dir = mkdtempSync(join(tmp, 'init-'));
    const file = join(dir, '.interflowrc');
    const env = cleanEnv(dir);
    delete env.CI;
    const port = new URL(world.sandbox.url).port;
    const t = new Terminal(['init', '--config', file], { env, cwd: dir });
    await t.answer('Provider', keys.enter, false); // interflow
    await t.answer('Profile name', 'local');
    // ← back (the last choice) from the base URL: the provider is asked again.
    await t.answer('Base URL', keys.up + keys.enter, false);
    await t.answer('Provider', keys.enter, false);
    await t.answer('Profile name', 'local');
    await t.answer('Base URL', keys.down + keys.down + keys.enter, false); // the local sandbox
    await t.answer('Sandbox port', ctrlU + port);
    await t.answer('Channel id', CHANNEL);
    await t.answer('The API key', keys.down + keys.enter, false); // typed now
    await t.answer('API key (not shown)', 'if_wrong_key_000000');
    // Checked at once, before any other question.
    await t.expect('the key was refused');
    await t.answer('The key was refused. Now?', keys.enter, false); // give the key again
    await t.answer('The API key', keys.down + keys.enter, false);
    await t.answer('API key (not shown)', CANARY);
    await t.expect('the key works');
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.doesNotMatch(end.screen, new RegExp(`${CANARY}|if_wrong_key`));
    const written = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { baseUrl: string; apiKey: string }> };
    assert.equal(written.profiles.local!.baseUrl, `http://127.0.0.1:${port}/interflow/v1`);
    assert.equal(written.profiles.local!.apiKey, CANARY);
    assert.equal(world.sandbox.received.filter((r) => r.method === 'GET').length, 2, 'the refused key and the good one, each checked once');
  });

  test('a refused key: cancel writes nothing, a plain cancelled line, exit 130', async () => {
    const dir = mkdtempSync(join(tmp, 'init-'));
    const file = join(dir, '.interflowrc');
    const env = cleanEnv(dir);
    delete env.CI;
    const t = new Terminal(['init', '--config', file], { env, cwd: dir });
    await t.answer('Provider', keys.enter, false);
    await t.answer('Profile name', 'x');
    await t.answer('Base URL', keys.down + keys.down + keys.down + keys.enter, false); // other…
    await t.answer('Base URL', `${world.sandbox.url}/interflow/v1`);
    await t.answer('Channel id', CHANNEL);
    await t.answer('The API key', keys.down + keys.enter, false);
    await t.answer('API key (not shown)', 'if_wrong_key_000000');
    await t.answer('The key was refused. Now?', keys.down + keys.down + keys.enter, false); // cancel
    const end = await t.exit();
    assert.equal(end.code, 130, end.screen);
    assert.match(end.screen, /^cancelled: nothing was written$/m);
    assert.doesNotMatch(end.screen, /error:/);
    assert.ok(!existsSync(file));
  });
});

describe('sandbox and webhooks listen do not clash', () => {
  test('webhooks listen defaults to 8788, the sandbox to 8787', async () => {
    const listen = await run(['webhooks', 'listen', '--help']);
    assert.match(
      listen.stdout.replace(/\s+/g, ' '),
      /--port <port> port to listen on \(0: any free port; 8788 leaves 8787 to `interflow sandbox`\) \(default: "8788"\)/,
    );
    const sandbox = await run(['sandbox', '--help']);
    assert.match(sandbox.stdout.replace(/\s+/g, ' '), /--port <port> port to listen on \(0 picks a free one\) \(default: "8787"\)/);
  });
});

describe('compose: a way back', { timeout: 90_000 }, () => {
  afterEach(() => Terminal.killAll());

  test('"← edit" at What now? asks the questions again with the answers as defaults; one changed answer is what is sent', async () => {
    const t = terminal([
      'compose',
      TO,
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
    const questions = [
      'Template name',
      'Language',
      'Namespace',
      'Language policy',
      'Header',
      'Image URL or media id',
      'Body text as approved',
      'How many body parameters?',
    ];
    for (const question of [...questions, 'Value for {{1}}', 'Value for {{2}}']) await t.answer(question, '', true);
    await t.answer('Another button?', '', true);
    await t.answer('What now?', keys.up + keys.enter, false); // ← edit (the last choice)
    for (const question of questions) await t.answer(question, '', true);
    await t.answer('Value for {{1}}', ctrlU + 'Maria');
    await t.answer('Value for {{2}}', '', true);
    await t.answer('Another button?', '', true);
    await t.answer('What now?', keys.enter, false); // send it
    const end = await t.exit();
    assert.equal(end.code, 0, end.screen);
    assert.equal(world.sandbox.received.length, 1, 'sent once');
    const body = world.sandbox.received[0]!.body as {
      template: { name: string; components: { type: string; parameters: { text?: string }[] }[] };
    };
    assert.equal(body.template.name, 'pedido_enviado');
    assert.deepEqual(
      body.template.components.find((c) => c.type === 'body')!.parameters.map((p) => p.text),
      ['Maria', '12345'],
    );
  });
});
