/**
 * Issue 12 (keys and config files, bad input) with the BUILT binary. A capture server on
 * 127.0.0.1 (a plain node http server that records what it receives) stands in for the
 * attacker's host: where the CLI must refuse, it must receive nothing — no key, no environment
 * secret. Every refusal is paired with a control in which the same host does receive the
 * request (trusted, or named by --config), so a test fails if the protection goes.
 *
 * "A host that is not loopback" is `0.0.0.0` here: by name it is neither loopback nor a provider
 * (so a config pointing there needs trust and gets the cleartext warning), yet on Linux and macOS
 * a connection to it reaches the capture server on 127.0.0.1.
 *
 * Search-root tests use a temp dir as HOME and a nested project with and without `.git`.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHANNEL, INSTANCE, cleanEnv, runCli, type RunResult } from './harness.js';

const TO = '5511999999999';
/** The victim's Interflow key (exported, as the README's example config suggests). */
const VICTIM_KEY = 'if_live_VICTIM_7a6b5c4d3e2f1a0b';
/** An unrelated secret in the environment. */
const GITHUB_TOKEN = 'ghp_CANARYTOKEN_0123456789abcdef';
const TURN_TOKEN = 'turn_token_CANARY_55aa66bb';
const secrets = [VICTIM_KEY, GITHUB_TOKEN, TURN_TOKEN];

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Capture {
  port: number;
  received: Captured[];
  /** Everything received, as text (to search for secrets). */
  text(): string;
  reply: (c: Captured) => { status: number; body: unknown };
  close(): Promise<void>;
}

const ok = { status: 200, body: { success: true, data: { id: 'msg_capture_1', status: 'sent' }, messages: [{ id: 'wamid.capture1' }] } };

async function startCapture(): Promise<Capture> {
  const capture: Capture = {
    port: 0,
    received: [],
    text: () => capture.received.map((c) => `${c.method} ${c.url}\n${JSON.stringify(c.headers)}\n${c.body}`).join('\n'),
    reply: () => ok,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const c: Captured = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      capture.received.push(c);
      const r = capture.reply(c);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  capture.port = (server.address() as AddressInfo).port;
  return capture;
}

let cap: Capture;
let root: string;
before(async () => {
  cap = await startCapture();
  root = mkdtempSync(join(tmpdir(), 'interflow-security-'));
});
after(async () => {
  await cap.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh HOME (with the user's own config) under the test's root. */
function world(name: string) {
  const home = join(root, name, 'home');
  mkdirSync(home, { recursive: true });
  const env = cleanEnv(home, { INTERFLOW_API_KEY: VICTIM_KEY, GITHUB_TOKEN, TURN_TOKEN });
  const write = (file: string, content: unknown, mode = 0o600): string => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode });
    chmodSync(file, mode);
    return file;
  };
  // The user's own config: a Turn profile on loopback, under /mine.
  write(join(home, '.config', 'interflow', 'config.json'), {
    profiles: { mine: { provider: 'turn', baseUrl: `http://127.0.0.1:${cap.port}/mine`, apiKey: '${TURN_TOKEN}' } },
  });
  return {
    home,
    env,
    write,
    run: (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> => {
      mkdirSync(cwd, { recursive: true });
      return runCli(args, { env: { ...env, ...extra }, cwd });
    },
  };
}

/** A foreign (non-loopback, non-provider) base URL that reaches the capture server. */
const foreign = (path: string): string => `http://0.0.0.0:${cap.port}${path}`;

function assertNoSecrets(r: RunResult): void {
  for (const s of secrets) {
    for (const form of [s, encodeURIComponent(s)]) {
      assert.ok(!r.stdout.includes(form) && !r.stderr.includes(form), `a secret leaked:\n${r.stdout}\n${r.stderr}`);
    }
  }
}

/** Runs `fn` and asserts the capture server received nothing meanwhile. */
async function receivesNothing<T>(fn: () => Promise<T>): Promise<T> {
  const before = cap.received.length;
  const result = await fn();
  assert.equal(
    cap.received.length,
    before,
    `the capture server received:\n${cap.received
      .slice(before)
      .map((c) => c.url)
      .join('\n')}`,
  );
  return result;
}

/** Exit 2 and exactly one line on stderr, holding every part. */
function refusedOneLine(r: RunResult, ...parts: (string | RegExp)[]): void {
  assert.equal(r.code, 2, r.stderr);
  // Nothing on stdout, or under --json the failure as {"ok":false,"error":{…}} (issue 14).
  if (r.stdout !== '') assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, false, r.stdout);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^error: /);
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(lines[0]!.includes(p), `${JSON.stringify(lines[0])} lacks ${JSON.stringify(p)}`);
    else assert.match(lines[0]!, p);
  }
  assertNoSecrets(r);
}

describe('issue 12: a key goes only to its provider', () => {
  test('INTERFLOW_API_KEY overrides interflow profiles only: a Turn send carries the Turn token', async () => {
    const w = world('override');
    const rc = w.write(join(w.home, 'ci', 'rc.json'), {
      profiles: {
        turn: { provider: 'turn', baseUrl: `http://127.0.0.1:${cap.port}/turn`, apiKey: '${TURN_TOKEN}' },
        main: { provider: 'interflow', baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`, apiKey: '${IF_KEY}', channelId: CHANNEL },
      },
    });
    const before = cap.received.length;
    const turn = await w.run(['send', 'text', TO, 'Olá', '--profile', 'turn', '--config', rc, '--json'], w.home);
    assert.equal(turn.code, 0, turn.stderr);
    const interflow = await w.run(['send', 'text', TO, 'Olá', '--profile', 'main', '--config', rc, '--json'], w.home);
    assert.equal(interflow.code, 0, interflow.stderr);
    const [toTurn, toInterflow] = cap.received.slice(before);
    assert.equal(toTurn?.url, '/turn/v1/messages');
    assert.equal(toTurn?.headers.authorization, `Bearer ${TURN_TOKEN}`);
    assert.ok(!JSON.stringify(toTurn).includes(VICTIM_KEY), 'the Interflow key reached the Turn profile');
    assert.equal(toInterflow?.headers.authorization, `Bearer ${VICTIM_KEY}`);
    // A loopback http:// baseUrl gets no cleartext warning.
    assert.doesNotMatch(turn.stderr + interflow.stderr, /cleartext/);

    // The Turn token unset: INTERFLOW_API_KEY does not stand in for it.
    const unset = await receivesNothing(() =>
      w.run(['send', 'text', TO, 'Olá', '--profile', 'turn', '--config', rc], w.home, { TURN_TOKEN: '' }),
    );
    refusedOneLine(unset, "profile 'turn': apiKey: environment variable TURN_TOKEN is not set");
  });
});

describe('issue 12: the search stops at the home directory or a repository root', () => {
  test('in a repository under HOME, a config in a directory above the repository is not read', async () => {
    const w = world('repo-in-home');
    w.write(join(w.home, 'work', '.interflowrc.json'), {
      profiles: { evil: { provider: 'interflow', baseUrl: foreign('/evil'), apiKey: '${INTERFLOW_API_KEY}', channelId: CHANNEL } },
    });
    const project = join(w.home, 'work', 'proj');
    mkdirSync(join(project, '.git'), { recursive: true });
    const cwd = join(project, 'src', 'deep');

    const before = cap.received.length;
    const r = await w.run(['send', 'text', TO, 'Olá', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const sent = cap.received.slice(before);
    assert.deepEqual(
      sent.map((c) => c.url),
      ['/mine/v1/messages'],
      'the user config was used',
    );
    assert.equal(sent[0]!.headers.authorization, `Bearer ${TURN_TOKEN}`);

    // Without .git the search climbs to ~/work, finds the file, and refuses it (it is not trusted).
    rmSync(join(project, '.git'), { recursive: true });
    const refused = await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], cwd));
    refusedOneLine(
      refused,
      '~/work/.interflowrc.json is not trusted',
      "profile 'evil': baseUrl",
      'interflow config trust ~/work/.interflowrc.json',
    );
  });

  test('outside HOME the search stops at a repository root instead of climbing to /', async () => {
    const w = world('outside-home');
    const outside = join(root, 'outside-home', 'ci-workspace');
    const parentRc = w.write(join(outside, '.interflowrc.json'), {
      profiles: { evil: { provider: 'turn', baseUrl: foreign('/evil'), apiKey: '${TURN_TOKEN}' } },
    });
    const repo = join(outside, 'checkout');
    mkdirSync(join(repo, '.git'), { recursive: true });

    const before = cap.received.length;
    const r = await w.run(['send', 'text', TO, 'Olá'], join(repo, 'pkg'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      cap.received.slice(before).map((c) => c.url),
      ['/mine/v1/messages'],
    );

    rmSync(join(repo, '.git'), { recursive: true });
    const refused = await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], join(repo, 'pkg')));
    refusedOneLine(refused, `${parentRc} is not trusted`, "profile 'evil': baseUrl", `interflow config trust ${parentRc}`);
  });
});

describe('issue 12: a found config file that could send a secret away is used only once trusted', () => {
  test('${GITHUB_TOKEN} in a baseUrl: refused, trusted, used; changed: refused again; untrusted: refused', async () => {
    const w = world('trust');
    const project = join(w.home, 'demo');
    const rcFile = join(project, '.interflowrc.json');
    const content = (namespace: string) => ({
      profiles: {
        demo: { provider: 'turn', baseUrl: `http://127.0.0.1:${cap.port}/x/\${GITHUB_TOKEN}`, apiKey: 'turn_literal_key_0001', namespace },
      },
    });
    w.write(rcFile, content('ns1'));

    const refused = await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], project));
    refusedOneLine(
      refused,
      '~/demo/.interflowrc.json is not trusted',
      "profile 'demo': baseUrl reads the environment",
      'interflow config trust ~/demo/.interflowrc.json',
    );
    // profiles list would print the interpolated baseUrl: refused too.
    refusedOneLine(await w.run(['profiles', 'list', '--json'], project), 'is not trusted');

    const trusted = await receivesNothing(() => w.run(['config', 'trust'], project));
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(
      trusted.stdout,
      /^trusted ~\/demo\/\.interflowrc\.json as it is now; it may:\n {2}profile 'demo': baseUrl reads the environment/,
    );
    const store = join(w.home, '.local', 'state', 'interflow', 'trusted.json');
    assert.ok(existsSync(store), 'the trust store is in ~/.local/state/interflow');
    if (process.platform !== 'win32') assert.equal(statSync(store).mode & 0o777, 0o600);
    assert.ok(
      Object.keys((JSON.parse(readFileSync(store, 'utf8')) as { trusted: object }).trusted).some((k) =>
        k.endsWith(join('demo', '.interflowrc.json')),
      ),
    );

    // Trusted: used as written (the test's own capture server is what the user chose to trust).
    const before = cap.received.length;
    const sent = await w.run(['send', 'text', TO, 'Olá', '--json'], project);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(
      cap.received.slice(before).map((c) => c.url),
      [`/x/${GITHUB_TOKEN}/v1/messages`],
    );

    // Changed since trusted: refused again.
    w.write(rcFile, content('ns2'));
    refusedOneLine(
      await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], project)),
      'changed since it was trusted',
      'interflow config trust',
    );

    const again = await w.run(['config', 'trust', '.interflowrc.json', '--json'], project);
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout) as { trusted: boolean; digest: string; risks: string[] };
    assert.equal(result.trusted, true);
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.risks.length, 1);

    const untrusted = await w.run(['config', 'untrust'], project);
    assert.equal(untrusted.code, 0, untrusted.stderr);
    assert.equal(untrusted.stdout, '~/demo/.interflowrc.json is no longer trusted\n');
    refusedOneLine(await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], project)), 'is not trusted');
  });

  test('a foreign baseUrl with "apiKey": "${INTERFLOW_API_KEY}" is refused; named by --config it is used, with a cleartext warning', async () => {
    const w = world('foreign');
    const project = join(w.home, 'cloned');
    w.write(join(project, '.interflowrc.json'), {
      profiles: { interflow: { provider: 'interflow', baseUrl: foreign('/v1'), apiKey: '${INTERFLOW_API_KEY}', channelId: CHANNEL } },
    });
    const refused = await receivesNothing(() => w.run(['send', 'text', TO, 'Olá'], project));
    refusedOneLine(
      refused,
      '~/cloned/.interflowrc.json is not trusted',
      "profile 'interflow': baseUrl sends the key to http://0.0.0.0:",
      'interflow config trust',
    );

    // Control: the host is reachable, so the refusal above is what kept the key. --config FILE is trusted.
    const before = cap.received.length;
    const named = await w.run(['send', 'text', TO, 'Olá', '--config', '.interflowrc.json'], project);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(cap.received.slice(before)[0]?.headers.authorization, `Bearer ${VICTIM_KEY}`);
    assert.match(
      named.stderr,
      /^warning: profile 'interflow' sends its key in cleartext to 0\.0\.0\.0:\d+ \(its baseUrl is http:\/\/\); use https:\/\/$/m,
    );
    assertNoSecrets(named);
  });

  test('interflow init trusts what the user typed, never a file from elsewhere it adds to', async () => {
    const w = world('init');
    const own = join(w.home, 'own');
    const init = ['init', '--profile', 'px', '--provider', 'turn', '--base-url', foreign('/proxy'), '--key-env', 'TURN_TOKEN'];
    const made = await w.run(init, own);
    assert.equal(made.code, 0, made.stderr);
    const before = cap.received.length;
    const sent = await w.run(['send', 'text', TO, 'Olá'], own);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(
      cap.received.slice(before).map((c) => c.url),
      ['/proxy/v1/messages'],
    );

    // A cloned file with a foreign baseUrl: adding a profile to it does not make it trusted.
    const cloned = join(w.home, 'cloned');
    w.write(join(cloned, '.interflowrc'), { profiles: { evil: { provider: 'turn', baseUrl: foreign('/evil'), apiKey: '${TURN_TOKEN}' } } });
    const added = await w.run(['init', '--profile', 'mine', '--provider', 'turn', '--key-env', 'TURN_TOKEN', '--no-check'], cloned);
    assert.equal(added.code, 0, added.stderr);
    refusedOneLine(await receivesNothing(() => w.run(['send', 'text', TO, 'Olá', '--profile', 'mine'], cloned)), "profile 'evil': baseUrl");
  });

  test('a config with nothing risky (provider hosts, loopback, ${NAME} only in apiKey) needs no trust', async () => {
    const w = world('plain');
    const project = join(w.home, 'shop');
    w.write(join(project, '.interflowrc.json'), {
      defaultProfile: 'local',
      profiles: {
        prod: { provider: 'interflow', apiKey: '${INTERFLOW_API_KEY}', channelId: CHANNEL, baseUrl: 'https://api.interflow.chat/v1' },
        local: { provider: 'turn', baseUrl: `http://127.0.0.1:${cap.port}/plain`, apiKey: '${TURN_TOKEN}' },
      },
    });
    const before = cap.received.length;
    const r = await w.run(['send', 'text', TO, 'Olá'], project);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      cap.received.slice(before).map((c) => c.url),
      ['/plain/v1/messages'],
    );
    // The state directory now holds the tracking store (README.md, "Tracking"); the trust store is not there.
    assert.ok(!existsSync(join(w.home, '.local', 'state', 'interflow', 'trusted.json')), 'no trust store needed');
  });

  test('a baseUrl with user:pass@ is refused, naming the profile and the field, the password never printed', async () => {
    const w = world('userinfo');
    for (const baseUrl of [
      `http://admin:s3cr3t_PASSWORD@127.0.0.1:${cap.port}/turn`,
      `http://admin:\${PROXY_PASS}@127.0.0.1:${cap.port}/turn`,
    ]) {
      const rc = w.write(join(w.home, 'rc.json'), { profiles: { proxy: { provider: 'turn', baseUrl, apiKey: '${TURN_TOKEN}' } } });
      for (const args of [
        ['send', 'text', TO, 'Olá'],
        ['profiles', 'list'],
      ]) {
        const r = await receivesNothing(() => w.run([...args, '--config', rc], w.home, { PROXY_PASS: 's3cr3t_PASSWORD' }));
        refusedOneLine(r, "~/rc.json: profile 'proxy': baseUrl: must not hold a user name or password");
        assert.ok(!r.stderr.includes('s3cr3t_PASSWORD'));
      }
    }
  });
});

describe('issue 12: redaction', () => {
  // A key holding every character JSON, URLs and HTML escape.
  const KEY = 'if_live_q"uo\\te/<&>+ %x\'9';
  const forms = [KEY, JSON.stringify(KEY).slice(1, -1), JSON.stringify(JSON.stringify(KEY)).slice(1, -1), encodeURIComponent(KEY)];
  const leaks = (text: string): string[] => forms.filter((f) => text.includes(f));

  test('a key with " and \\ never appears, in any escaping form, in --json, --verbose or stderr', async () => {
    const w = world('redact');
    const rc = w.write(join(w.home, 'rc.json'), {
      profiles: {
        main: { provider: 'interflow', baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`, apiKey: '${ODD_KEY}', channelId: CHANNEL },
      },
    });
    // A provider that quotes the credential back, JSON-escaped and URL-encoded.
    cap.reply = (c) => ({
      status: 401,
      body: {
        success: false,
        error: {
          code: 'UNAUTHORIZED',
          message: `invalid credential ${String(c.headers.authorization)}`,
          details: [{ field: 'key', message: `see https://example.com/keys?k=${encodeURIComponent(KEY)} (${JSON.stringify(KEY)})` }],
        },
      },
    });
    try {
      const before = cap.received.length;
      for (const flags of [['--json'], ['--verbose'], []]) {
        const r = await w.run(['send', 'text', TO, 'Olá', ...flags, '--config', rc], w.home, { ODD_KEY: KEY, INTERFLOW_API_KEY: '' });
        assert.equal(r.code, 4, r.stderr);
        assert.deepEqual(leaks(r.stdout + r.stderr), [], `${flags.join(' ')}:\n${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout + r.stderr, /invalid credential Bearer \*\*\*/);
      }
      assert.equal(cap.received.length, before + 3);
      assert.equal(cap.received[before]!.headers.authorization, `Bearer ${KEY}`, 'the key itself went out unchanged');
    } finally {
      cap.reply = () => ok;
    }
  });

  test('the bulk journal holds provider error text redacted', async () => {
    const w = world('journal');
    const rc = w.write(join(w.home, 'rc.json'), {
      profiles: {
        main: { provider: 'interflow', baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`, apiKey: '${ODD_KEY}', channelId: CHANNEL },
      },
    });
    const csv = w.write(join(w.home, 'rows.csv'), `to,nome\n${TO},João\n`);
    const journal = join(w.home, 'rows.journal');
    cap.reply = (c) => ({
      status: 400,
      body: { success: false, error: { code: 'VALIDATION_ERROR', message: `request with ${String(c.headers.authorization)} refused` } },
    });
    try {
      const r = await w.run(['bulk', csv, '--text', 'Olá {{nome}}', '--journal', journal, '--json', '--config', rc], w.home, {
        ODD_KEY: KEY,
        INTERFLOW_API_KEY: '',
      });
      assert.equal(r.code, 3, r.stderr);
      const text = readFileSync(journal, 'utf8');
      assert.match(text, /"t":"done","row":2,"key":"[0-9a-f]+","status":"failed"/);
      assert.match(text, /request with Bearer \*\*\* refused/);
      assert.deepEqual(leaks(text + r.stdout + r.stderr), []);
    } finally {
      cap.reply = () => ok;
    }
  });

  test('a key shorter than 8 characters is refused, naming the profile; output is never mangled', async () => {
    const w = world('short');
    const rc = w.write(join(w.home, 'rc.json'), {
      profiles: {
        nines: { provider: 'interflow', baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`, apiKey: '9999', channelId: CHANNEL },
        prefix: { provider: 'interflow', baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`, apiKey: '${SHORT}', channelId: CHANNEL },
      },
    });
    for (const profile of ['nines', 'prefix']) {
      const r = await receivesNothing(() =>
        w.run(['send', 'text', TO, 'Olá', '--profile', profile, '--config', rc], w.home, { SHORT: 'msg_', INTERFLOW_API_KEY: '' }),
      );
      refusedOneLine(r, `~/rc.json: profile '${profile}': apiKey: is 4 characters long`, 'shorter than 8');
    }
    // INTERFLOW_API_KEY too short: the same, naming where it came from.
    const r = await receivesNothing(() =>
      w.run(['send', 'text', TO, 'Olá', '--profile', 'prefix', '--config', rc], w.home, { INTERFLOW_API_KEY: '9999' }),
    );
    refusedOneLine(r, "profile 'prefix': apiKey: is 4 characters long (from INTERFLOW_API_KEY)");
  });
});

describe('issue 12: bad input is refused (exit 2, named) before anything is sent', () => {
  let w: ReturnType<typeof world>;
  let rc: string;
  before(() => {
    w = world('bad-input');
    rc = w.write(join(w.home, 'rc.json'), {
      defaultProfile: 'main',
      profiles: {
        main: {
          provider: 'interflow',
          baseUrl: `http://127.0.0.1:${cap.port}/interflow/v1`,
          apiKey: '${INTERFLOW_API_KEY}',
          channelId: CHANNEL,
        },
        ia: { provider: 'interacto', baseUrl: `http://127.0.0.1:${cap.port}/interacto`, apiKey: '${TURN_TOKEN}', instanceId: INSTANCE },
      },
    });
  });

  const contact = ['send', 'contact', TO, '--name', 'João', '--phone', '5511988887777', '--profile', 'ia'];
  const cases: [string, string[], string | RegExp, string?][] = [
    [
      '--timeout past 2^31-1 ms',
      ['send', 'text', TO, 'Olá', '--timeout', '3000000000'],
      '--timeout must be a whole number of milliseconds from 1 to 2147483647',
    ],
    [
      'a media URL with a space',
      ['send', 'media', TO, '--kind', 'image', '--url', 'https://example.com/a b.jpg'],
      '--url: holds a space, a line break',
    ],
    [
      'a media URL with CR LF',
      ['send', 'media', TO, '--kind', 'image', '--url', 'https://example.com/a.jpg\r\nX-Injected: 1'],
      '--url: holds a space, a line break',
    ],
    [
      'a template header URL with a space',
      ['send', 'template', TO, '--name', 'promo', '--header-image', 'https://example.com/a b.jpg'],
      'header media url holds a space',
    ],
    [
      'text of zero-width characters only',
      ['send', 'text', TO, '\u200b\u200c\u200d\u2060\ufeff'],
      'text: must not be empty (spaces and zero-width characters do not count)',
    ],
    ['text with a NUL from stdin', ['send', 'text', TO, '-'], 'holds a NUL character', 'Olá\u0000mundo'],
    ['--metadata __proto__=x', [...contact, '--metadata', '__proto__=x'], "--metadata: '__proto__' cannot be a key"],
    ['--metadata constructor=x', [...contact, '--metadata', 'constructor=x'], "--metadata: 'constructor' cannot be a key"],
    [
      '--wait-timeout past 2^31-1 ms',
      ['messages', 'get', 'msg_1', '--wait', 'read', '--wait-timeout', '3000000000'],
      '--wait-timeout must be a whole number',
    ],
    [
      'customers --field prototype=x',
      ['customers', 'create', '--name', 'João', '--field', 'prototype=x'],
      "--field: 'prototype' cannot be a field name",
    ],
  ];
  for (const [name, args, message, input] of cases) {
    test(name, async () => {
      const r = await receivesNothing(() => runCli([...args, '--config', rc], { env: w.env, cwd: w.home, input }));
      refusedOneLine(r, message);
    });
  }

  for (const name of ['__proto__', 'constructor', 'prototype']) {
    test(`a profile named ${name}`, async () => {
      const file = w.write(
        join(w.home, `${name}.json`),
        `{"profiles": {"${name}": {"provider": "turn", "baseUrl": "http://127.0.0.1:${cap.port}/turn", "apiKey": "\${TURN_TOKEN}"}}}`,
      );
      for (const args of [
        ['send', 'text', TO, 'Olá'],
        ['send', 'text', TO, 'Olá', '--profile', name],
      ]) {
        const r = await receivesNothing(() => w.run([...args, '--config', file], w.home));
        refusedOneLine(r, `'${name}' cannot be a profile name (__proto__, constructor, prototype are reserved names)`);
      }
    });
  }

  test('a CSV cell holding a NUL fails its row, naming row and column; the other rows are sent', async () => {
    const csv = w.write(join(w.home, 'nul.csv'), `to,nome\n${TO},Jo\u0000ão\n5511988887777,Maria\n`);
    const before = cap.received.length;
    const r = await w.run(
      ['bulk', csv, '--text', 'Olá {{nome}}', '--json', '--journal', join(w.home, 'nul.journal'), '--config', rc],
      w.home,
    );
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; status: string; error?: { code: string; message: string } });
    const failed = lines.find((l) => l.row === 2);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.error?.code, 'CONTROL_CHARACTER');
    assert.match(failed?.error?.message ?? '', /^row 2: column 'nome' holds a NUL byte/);
    assert.equal(lines.find((l) => l.row === 3)?.status, 'sent');
    const sent = cap.received.slice(before);
    assert.equal(sent.length, 1);
    assert.ok(!sent[0]!.body.includes('\u0000') && !sent[0]!.body.includes('\\u0000'));
    assert.match(sent[0]!.body, /Olá Maria/);
  });
});
