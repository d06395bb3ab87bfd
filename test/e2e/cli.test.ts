/**
 * The built binary as a whole program: configuration errors and how the config is found,
 * profile precedence, the exposed-key warning, `profiles list|show`, `interflow sandbox` as a
 * real process, --timeout against a server that never answers, help/version/pipes/colors, and
 * provider answers that are not what the happy path expects (non-JSON 502, Meta-style 403).
 * Every run's output is checked for the canary key at the end.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, CHANNEL, INSTANCE, bin, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';

const TO = '5511999999999';
const repoRoot = dirname(dirname(bin));
const STACK = /\n\s+at /;
const ANSI = /\u001b\[/;

let world: World;
let tmp: string;
const outputs: RunResult[] = [];
/** Literal keys written into config files: like the canary, they must never be printed. */
const literalKeys = new Set<string>();

before(async () => {
  world = await startWorld();
  tmp = mkdtempSync(join(tmpdir(), 'interflow-cli-e2e-'));
});
after(async () => {
  for (const r of outputs) {
    for (const key of [CANARY, ...literalKeys]) {
      assert.ok(!r.stdout.includes(key), `key leaked on stdout:\n${r.stdout}`);
      assert.ok(!r.stderr.includes(key), `key leaked on stderr:\n${r.stderr}`);
    }
  }
  await world.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => world.sandbox.reset());

interface Run {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** HOME (and XDG_CONFIG_HOME under it); default: the test's temp dir. */
  home?: string;
  input?: string;
}

/**
 * A clean environment (TEST_KEY = the canary) plus `extra`. Applied after cleanEnv, because
 * cleanEnv removes INTERFLOW_PROFILE and INTERFLOW_API_KEY even when they are passed to it.
 */
function envWith(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...cleanEnv(home, { TEST_KEY: CANARY }), ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** Runs the binary with a clean environment and records the output. */
async function run(args: string[], opts: Run = {}): Promise<RunResult> {
  const r = await runCli(args, {
    env: envWith(opts.home ?? tmp, opts.env),
    cwd: opts.cwd ?? tmp,
    input: opts.input,
  });
  outputs.push(r);
  return r;
}

let fileCounter = 0;
/** Writes a config file (JSON unless text is given) with the given mode; returns its path. */
function writeConfig(content: unknown, opts: { name?: string; mode?: number; dir?: string } = {}): string {
  const file = join(opts.dir ?? tmp, opts.name ?? `config-${++fileCounter}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  chmodSync(file, opts.mode ?? 0o600);
  return file;
}

const base = (provider: string) => `${world.sandbox.url}${provider === 'interflow' ? '/interflow/v1' : `/${provider}`}`;

/** Lines of stderr, without the empty last one. */
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

function assertOneLineError(r: RunResult, ...patterns: (RegExp | string)[]): void {
  assert.equal(r.stdout, '', `stdout must be empty on an error:\n${r.stdout}`);
  assert.doesNotMatch(r.stderr, STACK, `stack trace on stderr:\n${r.stderr}`);
  const errorLines = lines(r.stderr).filter((l) => l.startsWith('error: '));
  assert.equal(errorLines.length, 1, `exactly one error line expected:\n${r.stderr}`);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(errorLines[0]!.includes(p), `error line lacks '${p}':\n${r.stderr}`);
    else assert.match(errorLines[0]!, p);
  }
}

/** Starts a server on 127.0.0.1:0 and resolves with its port. */
function listen(server: HttpServer | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

// ---------------------------------------------------------------------------------------------

describe('1. configuration errors exit 2, name the file, the profile and the field, send nothing', () => {
  const sendArgs = (config: string) => ['send', 'text', TO, 'Olá', '--config', config];

  test('unknown provider', async () => {
    const cfg = writeConfig(
      { profiles: { p: { provider: 'whatsapp', baseUrl: base('turn'), apiKey: '${TEST_KEY}' } } },
      { name: 'unknown-provider.json' },
    );
    const r = await run(sendArgs(cfg));
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, 'unknown-provider.json', "profile 'p'", /provider: .*'whatsapp'/, /interflow, interacto, turn, socialminer/);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('interflow profile without channelId', async () => {
    const cfg = writeConfig(
      { profiles: { main: { provider: 'interflow', baseUrl: base('interflow'), apiKey: '${TEST_KEY}' } } },
      { name: 'no-channel.json' },
    );
    const r = await run(sendArgs(cfg));
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, 'no-channel.json', "profile 'main'", /channelId: is required/);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('${MISSING_VAR} as apiKey names the variable', async () => {
    const cfg = writeConfig(
      { profiles: { envkey: { provider: 'interflow', baseUrl: base('interflow'), apiKey: '${MISSING_VAR}', channelId: CHANNEL } } },
      { name: 'missing-var.json' },
    );
    const r = await run(sendArgs(cfg), { env: { MISSING_VAR: undefined } });
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, 'missing-var.json', "profile 'envkey'", 'apiKey', /MISSING_VAR is not set/);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('malformed JSON names the file and where', async () => {
    const cfg = writeConfig(`{\n  "profiles": {\n    "p": { "provider": "turn", "apiKey": "\${TEST_KEY}", }\n  }\n}\n`, {
      name: 'malformed.json',
    });
    const r = await run(sendArgs(cfg));
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, 'malformed.json', /invalid JSON/, /line 3, column \d+/);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.equal(world.sandbox.received.length, 0);
  });

  test('a YAML .interflowrc is found by searching up from a subdirectory', async () => {
    const home = join(tmp, 'yaml-home');
    const project = join(home, 'project');
    const deep = join(project, 'src', 'deep');
    mkdirSync(deep, { recursive: true });
    writeConfig(
      [
        '# found by the search, not by --config',
        'defaultProfile: yamlturn',
        'profiles:',
        '  yamlturn:',
        '    provider: turn',
        `    baseUrl: ${base('turn')}`,
        '    apiKey: ${TEST_KEY}',
        '    namespace: template-namespace',
        '',
      ].join('\n'),
      { dir: project, name: '.interflowrc' },
    );
    const r = await run(['send', 'text', TO, 'Olá do YAML', '--json'], { cwd: deep, home });
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.equal(out.ok, true);
    assert.equal(out.profile, 'yamlturn');
    assert.equal(out.provider, 'turn');
    assert.equal(world.sandbox.received.length, 1);
    const got = world.sandbox.received[0]!;
    assert.equal(got.provider, 'turn');
    assert.equal(got.headers['authorization'], `Bearer ${CANARY}`);
    assert.deepEqual((got.body as { text: unknown }).text, { body: 'Olá do YAML' });
  });

  test('no configuration at all says how to create one', async () => {
    const empty = join(tmp, 'empty-home');
    const cwd = join(empty, 'work');
    mkdirSync(cwd, { recursive: true });
    const r = await run(['send', 'text', TO, 'Olá'], { cwd, home: empty });
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, /no configuration found/, /\.interflowrc/, /interflow init/);
    assert.equal(world.sandbox.received.length, 0);
  });
});

describe('2. profile precedence and the key override', () => {
  let cfg: string;
  before(() => {
    cfg = writeConfig({
      defaultProfile: 'def',
      profiles: {
        def: { provider: 'interflow', baseUrl: base('interflow'), apiKey: '${TEST_KEY}', channelId: CHANNEL },
        fromenv: { provider: 'turn', baseUrl: base('turn'), apiKey: '${TEST_KEY}' },
        fromflag: { provider: 'socialminer', baseUrl: base('socialminer'), apiKey: '${TEST_KEY}' },
      },
    });
  });

  async function providerUsed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    world.sandbox.reset();
    const r = await run(['send', 'text', TO, 'Olá', '--json', '--config', cfg, ...args], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(world.sandbox.received.length, 1);
    return `${world.sandbox.received[0]!.provider} ${json(r).profile}`;
  }

  test('--profile beats INTERFLOW_PROFILE beats defaultProfile', async () => {
    assert.equal(await providerUsed([]), 'interflow def');
    assert.equal(await providerUsed([], { INTERFLOW_PROFILE: 'fromenv' }), 'turn fromenv');
    assert.equal(await providerUsed(['--profile', 'fromflag'], { INTERFLOW_PROFILE: 'fromenv' }), 'socialminer fromflag');
  });

  test('INTERFLOW_API_KEY overrides the profile key', async () => {
    const wrong = 'wrong_literal_key_7c1d2e3f4a';
    literalKeys.add(wrong);
    const keyed = writeConfig({
      profiles: { lit: { provider: 'interflow', baseUrl: base('interflow'), apiKey: wrong, channelId: CHANNEL } },
    });

    let r = await run(['send', 'text', TO, 'Olá', '--config', keyed]);
    assert.equal(r.code, 4, `the literal key is wrong: expected 4\n${r.stderr}`);
    assert.match(r.stderr, /401/);
    assert.equal(world.sandbox.received.at(-1)?.headers['authorization'], `Bearer ${wrong}`);

    world.sandbox.reset();
    r = await run(['send', 'text', TO, 'Olá', '--json', '--config', keyed], { env: { INTERFLOW_API_KEY: CANARY } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r).ok, true);
    assert.equal(world.sandbox.received.length, 1);
    assert.equal(world.sandbox.received[0]!.headers['authorization'], `Bearer ${CANARY}`);
  });
});

describe('3. a literal key in a file others can read', () => {
  const literal = 'if_live_LITERAL_0a1b2c3d4e5f';
  const profiles = {
    remote: { provider: 'interflow', baseUrl: 'https://example.invalid/v1', apiKey: literal, channelId: CHANNEL },
  };
  before(() => literalKeys.add(literal));

  test('0644: a warning on stderr naming the file; stdout is only the dry-run JSON', async () => {
    const cfg = writeConfig({ profiles }, { name: 'readable-by-others.json', mode: 0o644 });
    const r = await run(['send', 'text', TO, 'Olá', '--dry-run', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = lines(r.stderr).filter((l) => /warning/i.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /readable-by-others\.json/);
    assert.match(warnings[0]!, /'remote'/);
    assert.match(warnings[0]!, /chmod 600/);
    const req = json(r) as { method: string; url: string; headers: Record<string, string> };
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'https://example.invalid/v1/messages/send');
    assert.equal(req.headers['Authorization'], 'Bearer ***');
    assert.doesNotMatch(r.stdout, /warning/i);
  });

  test('0600: no warning', async () => {
    const cfg = writeConfig({ profiles }, { name: 'private.json', mode: 0o600 });
    const r = await run(['send', 'text', TO, 'Olá', '--dry-run', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal((json(r) as { url: string }).url, 'https://example.invalid/v1/messages/send');
  });
});

describe('4. profiles list and show', () => {
  const literal = 'tk_live_LITERAL_LIST_998877';
  let cfg: string;
  before(() => {
    literalKeys.add(literal);
    cfg = writeConfig({
      defaultProfile: 'turn',
      profiles: {
        interflow: { provider: 'interflow', baseUrl: base('interflow'), apiKey: '${TEST_KEY}', channelId: CHANNEL },
        turn: { provider: 'turn', apiKey: literal },
        interacto: { provider: 'interacto', baseUrl: base('interacto'), apiKey: '${TEST_KEY}', instanceId: INSTANCE },
      },
    });
  });

  test('list: JSON in a pipe, every profile, the default marked, no key', async () => {
    const r = await run(['profiles', 'list', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const rows = json<{ name: string; provider: string; baseUrl: string; default: boolean }[]>(r);
    assert.ok(Array.isArray(rows));
    assert.deepEqual(
      rows.map(({ name, provider, baseUrl, default: d }) => ({ name, provider, baseUrl, default: d })),
      [
        { name: 'interflow', provider: 'interflow', baseUrl: base('interflow'), default: false },
        { name: 'turn', provider: 'turn', baseUrl: 'https://whatsapp.turn.io', default: true },
        { name: 'interacto', provider: 'interacto', baseUrl: base('interacto'), default: false },
      ],
    );
    assert.ok(!r.stdout.includes(CANARY));
    assert.ok(!r.stdout.includes(literal));
  });

  test('list follows INTERFLOW_PROFILE for the default mark and never shows the override key', async () => {
    const r = await run(['profiles', 'list', '--config', cfg], { env: { INTERFLOW_PROFILE: 'interacto', INTERFLOW_API_KEY: CANARY } });
    assert.equal(r.code, 0, r.stderr);
    const rows = json<{ name: string; default: boolean }[]>(r);
    assert.deepEqual(
      rows.filter((x) => x.default).map((x) => x.name),
      ['interacto'],
    );
    assert.ok(!r.stdout.includes(CANARY));
  });

  test('show NAME --json: key redacted, says where it came from', async () => {
    let r = await run(['profiles', 'show', 'interflow', '--json', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    let view = json(r);
    assert.equal(view.name, 'interflow');
    assert.equal(view.provider, 'interflow');
    assert.equal(view.channelId, CHANNEL);
    assert.equal(view.apiKey, '***');
    assert.equal(view.apiKeyFrom, 'TEST_KEY');
    assert.equal(view.source, cfg);

    r = await run(['profiles', 'show', 'turn', '--json', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    view = json(r);
    assert.equal(view.apiKey, '***');
    assert.equal(view.apiKeyFrom, 'file');
    assert.equal(view.baseUrl, 'https://whatsapp.turn.io');
    assert.ok(!r.stdout.includes(literal));

    // INTERFLOW_API_KEY is an Interflow key: it replaces the key of interflow profiles only.
    r = await run(['profiles', 'show', 'turn', '--json', '--config', cfg], { env: { INTERFLOW_API_KEY: CANARY } });
    assert.equal(r.code, 0, r.stderr);
    view = json(r);
    assert.equal(view.apiKey, '***');
    assert.equal(view.apiKeyFrom, 'file');
    r = await run(['profiles', 'show', 'interflow', '--json', '--config', cfg], { env: { INTERFLOW_API_KEY: CANARY } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r).apiKeyFrom, 'INTERFLOW_API_KEY');
  });

  test('show nope: exit 2 listing the profiles', async () => {
    const r = await run(['profiles', 'show', 'nope', '--config', cfg]);
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, "'nope'", /interflow, turn, interacto/);
  });
});

describe('5. interflow sandbox as a process', () => {
  const sandboxKey = 'sbx_live_SANDBOXKEY_13579';
  let child: ChildProcessWithoutNullStreams | undefined;
  after(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('--port 0 prints its URL, serves a send, and stops on SIGINT with exit 0', async () => {
    const proc = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--api-key', sandboxKey], {
      env: cleanEnv(tmp),
      cwd: tmp,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, signal) => resolve({ code, signal })),
    );

    const url = await new Promise<string>((resolve, reject) => {
      // A safety net only (the sandbox printing something else, or hanging): it exits or prints it.
      const timer = setTimeout(() => reject(new Error(`no URL on stderr after 60 s:\n${stderr}`)), 60_000);
      const check = () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          proc.stderr.off('data', check);
          resolve(m[1]!);
        }
      };
      proc.stderr.on('data', check);
      proc.on('exit', () => reject(new Error(`the sandbox exited early:\n${stderr}`)));
      check();
    });
    assert.notEqual(url, 'http://127.0.0.1:0');

    const cfg = writeConfig({
      profiles: { sbx: { provider: 'interflow', baseUrl: `${url}/interflow/v1`, apiKey: '${SBX_KEY}', channelId: CHANNEL } },
    });
    const r = await run(['send', 'text', TO, 'Olá, sandbox', '--json', '--config', cfg], { env: { SBX_KEY: sandboxKey } });
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.equal(out.ok, true);
    assert.match(out.id as string, /^msg_/);
    assert.ok(!r.stdout.includes(sandboxKey) && !r.stderr.includes(sandboxKey));

    // The sandbox logs the request it received (one line per request): wait for that line.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!/POST \/interflow\/v1\/messages\/send 20\d/.test(stderr)) return;
        proc.stderr.off('data', check);
        resolve();
      };
      proc.stderr.on('data', check);
      proc.on('exit', () => reject(new Error(`the sandbox exited before logging the request:\n${stderr}`)));
      check();
    });
    assert.match(stderr, /POST \/interflow\/v1\/messages\/send 20\d text → 5511999999999/);

    proc.kill('SIGINT');
    // A safety net for a sandbox that ignores SIGINT; how fast it stops is not asserted.
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
    const how = await Promise.race([exited, timeout]);
    assert.notEqual(how, 'timeout', `the sandbox did not stop after SIGINT:\n${stderr}`);
    assert.deepEqual(how, { code: 0, signal: null }, stderr);
    assert.ok(!stdout.includes(sandboxKey), `key on the sandbox's stdout:\n${stdout}`);
    assert.ok(!stderr.includes(sandboxKey), `key on the sandbox's stderr:\n${stderr}`);
    assert.doesNotMatch(stderr, STACK);
  });
});

describe('6. --timeout', () => {
  const sockets = new Set<Socket>();
  let silent: NetServer;
  let port: number;
  before(async () => {
    silent = createNetServer((socket) => {
      // Reads the request and never answers.
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    port = await listen(silent);
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('no answer within --timeout 300: exit 1 after at least 300 ms, says the message may or may not have been accepted', async () => {
    const cfg = writeConfig({ profiles: { slow: { provider: 'turn', baseUrl: `http://127.0.0.1:${port}/turn`, apiKey: '${TEST_KEY}' } } });
    const started = Date.now();
    const r = await run(['send', 'text', TO, 'Olá', '--timeout', '300', '--config', cfg]);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    // It waited the deadline out (how much longer a loaded machine takes is not asserted).
    assert.ok(elapsed >= 300, `gave up after ${elapsed} ms`);
    assertOneLineError(r, `127.0.0.1:${port}`, /no answer within 300 ms after the request was sent/);
    assert.match(r.stderr, /^hint: .*may or may not have accepted the message/m);
  });

  test('--timeout abc: exit 2 naming --timeout, nothing sent', async () => {
    const r = await run(['send', 'text', TO, 'Olá', '--timeout', 'abc', '--config', world.config]);
    assert.equal(r.code, 2, r.stderr);
    assertOneLineError(r, '--timeout', "'abc'");
    assert.equal(world.sandbox.received.length, 0);
  });
});

describe('7. help, version, pipes and colors', () => {
  test('--help: usage with examples on stdout, exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: interflow/m);
    assert.match(r.stdout, /Examples:/);
    assert.equal(r.stderr, '');
  });

  for (const kind of ['text', 'media', 'location', 'contact', 'template', 'interactive']) {
    test(`send ${kind} --help has examples`, async () => {
      const r = await run(['send', kind, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: interflow send ${kind}`, 'm'));
      assert.match(r.stdout, /Examples:/);
      const examples = r.stdout.split('\n').filter((l) => /^\s*\$ interflow /.test(l));
      assert.ok(examples.length >= 2, `fewer than two examples:\n${r.stdout}`);
      assert.equal(r.stderr, '');
    });
  }

  test('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), pkg.version);
    }
  });

  test('a closed stdout (| head -1, | true) ends quietly with 0', async () => {
    for (const reader of ['head -1', 'true']) {
      const rcFile = join(tmp, `pipe-rc-${reader.replace(/\W/g, '')}`);
      const res = await new Promise<RunResult>((resolve, reject) => {
        const child = spawn('sh', ['-c', `(node "$0" --help; echo $? > "$1") | ${reader}`, bin, rcFile], {
          env: cleanEnv(tmp),
          cwd: tmp,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
      outputs.push(res);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(readFileSync(rcFile, 'utf8').trim(), '0', `interflow's exit status with '| ${reader}'`);
      assert.equal(res.stderr, '', `error text with '| ${reader}'`);
      if (reader === 'head -1') assert.match(res.stdout, /^Usage: interflow/);
    }
  });

  test('no ANSI escapes in a table or an error, with NO_COLOR and in a pipe without it', async () => {
    for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: undefined, FORCE_COLOR: undefined }]) {
      world.sandbox.reset();
      const ok = await run(['send', 'text', TO, 'Olá', '--config', world.config], { env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /PROVIDER\s+PROFILE\s+TO\s+TYPE\s+ID\s+STATUS/);
      assert.doesNotMatch(ok.stdout, ANSI, JSON.stringify(ok.stdout));
      assert.doesNotMatch(ok.stderr, ANSI, JSON.stringify(ok.stderr));

      const bad = await run(['send', 'text', TO, 'Olá', '--profile', 'interflow-disconnected', '--config', world.config], { env });
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(bad.stderr, /^error: /m);
      assert.doesNotMatch(bad.stderr, ANSI, JSON.stringify(bad.stderr));
      assert.doesNotMatch(bad.stdout, ANSI);
    }
  });

  // On a terminal (a pseudo-terminal from util-linux `script`; skipped where there is none).
  const pty = process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

  /** Runs the binary on a pseudo-terminal of `cols` columns; kills it (SIGKILL) after limitMs. */
  async function runOnTerminal(args: string[], opts: { env?: NodeJS.ProcessEnv; cols: number; limitMs: number }) {
    const pidFile = join(tmp, `pty-${Date.now()}-${Math.random().toString(36).slice(2)}.pid`);
    const cmd = `stty cols ${opts.cols} rows 24; echo $$ > ${sq(pidFile)}; exec ${[process.execPath, bin, ...args].map(sq).join(' ')}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: envWith(tmp, opts.env), cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const limit = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), opts.limitMs).unref());
    const how = await Promise.race([exited, limit]);
    // Checked for keys in the final after() hook, like every other run.
    outputs.push({ code: how === 'timeout' ? -1 : (how ?? -1), stdout: output, stderr: '' });
    if (how === 'timeout') {
      // The CLI runs in the terminal's own session: kill it by the pid it wrote, then script.
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
      await exited;
      return { code: null, output, timedOut: true };
    }
    return { code: how, output, timedOut: false };
  }

  test('on a terminal with NO_COLOR: no ANSI escapes in a table or an error', { skip: !pty && 'no util-linux script' }, async () => {
    world.sandbox.reset();
    const ok = await runOnTerminal(['send', 'text', TO, 'Olá', '--config', world.config], {
      env: { NO_COLOR: '1' },
      cols: 80,
      limitMs: 60_000,
    });
    assert.equal(ok.timedOut, false, ok.output);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /PROVIDER\s+PROFILE\s+TO\s+TYPE\s+ID\s+STATUS/);
    assert.doesNotMatch(ok.output, ANSI, JSON.stringify(ok.output));
    const bad = await runOnTerminal(['send', 'text', TO, 'Olá', '--profile', 'interflow-disconnected', '--config', world.config], {
      env: { NO_COLOR: '1' },
      cols: 80,
      limitMs: 60_000,
    });
    assert.equal(bad.code, 1, bad.output);
    assert.match(bad.output, /^error: /m);
    assert.doesNotMatch(bad.output, ANSI, JSON.stringify(bad.output));
  });

  test('on a terminal, --json FIELDS prints JSON, not a table', { skip: !pty && 'no util-linux script' }, async () => {
    world.sandbox.reset();
    const r = await runOnTerminal(['send', 'text', TO, 'Olá', '--json', 'id,status', '--config', world.config], {
      env: { NO_COLOR: '1' },
      cols: 80,
      limitMs: 60_000,
    });
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /PROVIDER/);
    assert.deepEqual(JSON.parse(r.output.replace(/\r/g, '')), { id: world.sandbox.accepted()[0]!.messageId, status: 'sent' });
  });

  test(
    'on a terminal that reports 0 columns, a send still ends',
    {
      skip: !pty && 'no util-linux script',
    },
    async () => {
      world.sandbox.reset();
      const r = await runOnTerminal(['send', 'text', TO, 'Olá', '--config', world.config], {
        env: { NO_COLOR: undefined },
        cols: 0,
        limitMs: 60_000,
      });
      assert.equal(r.timedOut, false, `still running after 60 s; last output: ${JSON.stringify(r.output.slice(-300))}`);
      assert.equal(r.code, 0, r.output);
      assert.equal(world.sandbox.received.length, 1);
    },
  );
});

describe('8 and 9. provider answers that are not the happy path', () => {
  interface Got {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
  }
  const received: Got[] = [];
  let answer: { status: number; type: string; body: string } = { status: 502, type: 'text/html', body: 'Bad Gateway' };
  let server: HttpServer;
  let port: number;
  before(async () => {
    server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers });
        res.writeHead(answer.status, { 'Content-Type': answer.type, Connection: 'close' });
        res.end(answer.body);
      });
    });
    port = await listen(server);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const profiles = () => ({
    interflow: { provider: 'interflow', baseUrl: `http://127.0.0.1:${port}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL },
    interacto: { provider: 'interacto', baseUrl: `http://127.0.0.1:${port}/interacto`, apiKey: '${TEST_KEY}', instanceId: INSTANCE },
    turn: { provider: 'turn', baseUrl: `http://127.0.0.1:${port}/turn`, apiKey: '${TEST_KEY}' },
    socialminer: { provider: 'socialminer', baseUrl: `http://127.0.0.1:${port}/socialminer`, apiKey: '${TEST_KEY}' },
  });
  const sendArgs = (profile: string) =>
    profile === 'interacto'
      ? ['send', 'contact', TO, '--name', 'João', '--phone', '11988887777', '--profile', profile]
      : ['send', 'text', TO, 'Olá', '--profile', profile];

  test('8: a 502 text/html "Bad Gateway" is exit 1 with one line naming the status, on every provider', async () => {
    answer = { status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    const cfg = writeConfig({ profiles: profiles() });
    for (const profile of ['interflow', 'interacto', 'turn', 'socialminer']) {
      received.length = 0;
      const r = await run([...sendArgs(profile), '--config', cfg]);
      assert.equal(r.code, 1, `${profile}: ${r.stderr}`);
      assert.equal(received.length, 1, `${profile}: one request`);
      assertOneLineError(r, profile, /\b502\b/);
      assert.doesNotMatch(r.stderr, /Unexpected token|SyntaxError|is not valid JSON/, r.stderr);
      for (const l of lines(r.stderr)) assert.match(l, /^(error|hint): /, `unexpected stderr line: ${l}`);
    }
  });

  test('8: --json still gives ok:false with the status when the body is not JSON', async () => {
    answer = { status: 502, type: 'text/html', body: 'Bad Gateway' };
    const cfg = writeConfig({ profiles: profiles() });
    const r = await run([...sendArgs('turn'), '--json', '--config', cfg]);
    assert.equal(r.code, 1, r.stderr);
    const out = json(r);
    assert.equal(out.ok, false);
    assert.equal((out.error as { status: number }).status, 502);
    assert.doesNotMatch(r.stderr, STACK);
  });

  test('9: a Meta-style 403 (OAuthException 190) on socialminer exits 4', async () => {
    answer = {
      status: 403,
      type: 'application/json',
      body: JSON.stringify({
        error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf123' },
      }),
    };
    const cfg = writeConfig({ profiles: profiles() });
    const r = await run([...sendArgs('socialminer'), '--config', cfg]);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(received.length, 1);
    assert.equal(received[0]!.url, '/socialminer/api/Messages');
    assert.equal(received[0]!.headers['apikey'], CANARY);
    assertOneLineError(r, 'socialminer', /\b403\b/, /Invalid OAuth access token/);
  });
});
