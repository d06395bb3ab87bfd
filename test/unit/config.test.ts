/**
 * The rc file: search, formats, profile choice, ${ENV} interpolation, errors, the exposed-key
 * warning, and the `profiles` commands. Real files in temp dirs; HOME and XDG_CONFIG_HOME always
 * point into the temp dir, so the real home is never read.
 *
 *   node --import tsx --test test/unit/config.test.ts
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/errors.js';
import { loadConfig, readConfigFile, searchDirs } from '../../src/config/load.js';
import { contentDigest, trustFile } from '../../src/config/trust-store.js';
import { listProfiles, resolveProfile, resolveProfileDetailed } from '../../src/config/resolve.js';
import { parseRcFile } from '../../src/config/schema.js';
import { runProfilesList } from '../../src/commands/profiles/list.run.js';
import { runProfilesShow } from '../../src/commands/profiles/show.run.js';
import type { CommandContext, GlobalOptions } from '../../src/commands/context.js';
import { createIo } from '../../src/output/io.js';
import { redact } from '../../src/output/redact.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
const INSTANCE = '66a09db606fd14660c8fc1d0';
const posix = process.platform !== 'win32';

const roots: string[] = [];
after(async () => {
  for (const dir of roots) await rm(dir, { recursive: true, force: true });
});

interface World {
  /** HOME. */
  home: string;
  /** HOME/project: where configs go. */
  project: string;
  /** HOME/project/a/b: where searches start. */
  sub: string;
  /** XDG_CONFIG_HOME. */
  xdg: string;
  env: NodeJS.ProcessEnv;
  write(rel: string, content: string | object, mode?: number): Promise<string>;
  /** Writes a file and trusts it as it is (`interflow config trust`): for files that need trust. */
  writeTrusted(rel: string, content: string | object): Promise<string>;
}

/** A fresh temp HOME holding project/a/b, and an XDG_CONFIG_HOME beside it. */
async function world(extraEnv: NodeJS.ProcessEnv = {}): Promise<World> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'interflow-config-'));
  roots.push(root);
  const home = path.join(root, 'home');
  const project = path.join(home, 'project');
  const sub = path.join(project, 'a', 'b');
  const xdg = path.join(root, 'xdg');
  await mkdir(sub, { recursive: true });
  await mkdir(xdg, { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: xdg, INTERFLOW_STATE_DIR: path.join(root, 'state'), ...extraEnv };
  async function write(rel: string, content: string | object, mode = 0o600): Promise<string> {
    const file = path.isAbsolute(rel) ? rel : path.join(project, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode });
    await chmod(file, mode);
    return file;
  }
  return {
    home,
    project,
    sub,
    xdg,
    env,
    write,
    async writeTrusted(rel, content) {
      const file = await write(rel, content);
      trustFile(file, contentDigest((await readConfigFile(file, env, 'test')).data), env);
      return file;
    },
  };
}

const turnOnly = { profiles: { turn: { provider: 'turn', apiKey: '${TURN_TOKEN}' } } };

/** Asserts a ConfigError (exit 2) whose message holds every part. */
async function rejectsConfig(fn: () => unknown, ...parts: (string | RegExp)[]): Promise<ConfigError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
  assert.equal(error.exitCode, 2);
  for (const part of parts) {
    if (typeof part === 'string')
      assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    else assert.match(error.message, part);
  }
  return error;
}

/** loadConfig + resolveProfile as the CLI does, collecting warnings. */
async function resolveIn(w: World, opts: { cwd?: string; configPath?: string; profileName?: string; env?: NodeJS.ProcessEnv } = {}) {
  const env = { ...w.env, ...opts.env };
  const warnings: string[] = [];
  const loaded = await loadConfig({ cwd: opts.cwd ?? w.sub, configPath: opts.configPath, env });
  const profile = resolveProfile(loaded, { profileName: opts.profileName, env, warn: (l) => warnings.push(l), cwd: opts.cwd ?? w.sub });
  return { loaded, profile, warnings };
}

describe('search', () => {
  test('finds .interflowrc (JSON) searching up from a subdirectory', async () => {
    const w = await world();
    const file = await w.write('.interflowrc', turnOnly);
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    assert.equal(loaded?.filepath, file);
    assert.equal(loaded?.config.profiles.turn?.provider, 'turn');
  });

  test('finds .interflowrc written in YAML', async () => {
    const w = await world();
    const file = await w.write('.interflowrc', 'profiles:\n  turn:\n    provider: turn\n    apiKey: ${TURN_TOKEN}\n    namespace: ns\n');
    const { profile } = await resolveIn(w, { env: { TURN_TOKEN: 'tok_yaml_1' } });
    assert.equal(profile.source, file);
    assert.equal(profile.apiKey, 'tok_yaml_1');
    assert.equal(profile.namespace, 'ns');
  });

  test('finds .interflowrc.yml, .interflowrc.yaml and .interflowrc.json', async () => {
    for (const name of ['.interflowrc.yml', '.interflowrc.yaml']) {
      const w = await world();
      const file = await w.write(name, 'profiles:\n  sm: { provider: socialminer, apiKey: "${SM}" }\n');
      const loaded = await loadConfig({ cwd: w.sub, env: w.env });
      assert.equal(loaded?.filepath, file, name);
    }
    const w = await world();
    const file = await w.write('.interflowrc.json', turnOnly);
    assert.equal((await loadConfig({ cwd: w.sub, env: w.env }))?.filepath, file);
  });

  test('finds package.json#interflow, and skips a package.json without it', async () => {
    const w = await world();
    const pkg = await w.write('package.json', { name: 'shop', interflow: turnOnly });
    await w.write('a/package.json', { name: 'inner' });
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    assert.equal(loaded?.filepath, pkg);
    assert.deepEqual(Object.keys(loaded?.config.profiles ?? {}), ['turn']);
  });

  test('package.json#interflow comes before .interflowrc in a directory; the nearest directory wins', async () => {
    const w = await world();
    await w.write('.interflowrc', { profiles: { far: { provider: 'turn', apiKey: 'x${A}' } } });
    const near = await w.write('a/package.json', { interflow: { profiles: { near: { provider: 'turn', apiKey: 'x${A}' } } } });
    await w.write('a/.interflowrc', { profiles: { other: { provider: 'turn', apiKey: 'x${A}' } } });
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    assert.equal(loaded?.filepath, near);
  });

  test('an empty .interflowrc is skipped, as cosmiconfig does', async () => {
    const w = await world();
    await w.write('a/.interflowrc', '\n');
    const file = await w.write('.interflowrc.json', turnOnly);
    assert.equal((await loadConfig({ cwd: w.sub, env: w.env }))?.filepath, file);
  });

  test('falls back to $XDG_CONFIG_HOME/interflow/config.yaml, then ~/.config/interflow/config.json', async () => {
    const w = await world();
    const xdgFile = await w.write(path.join(w.xdg, 'interflow', 'config.yaml'), 'profiles:\n  t: { provider: turn, apiKey: "${T}" }\n');
    assert.equal((await loadConfig({ cwd: w.sub, env: w.env }))?.filepath, xdgFile);

    const w2 = await world();
    const homeFile = await w2.write(path.join(w2.home, '.config', 'interflow', 'config.json'), turnOnly);
    const env = { HOME: w2.home };
    assert.equal((await loadConfig({ cwd: w2.sub, env }))?.filepath, homeFile);
  });

  test('does not search above the home directory', async () => {
    const w = await world();
    await w.write(path.join(path.dirname(w.home), '.interflowrc'), turnOnly);
    assert.equal(await loadConfig({ cwd: w.sub, env: w.env }), null);
  });

  test('does not search above a repository root (a .git directory or file)', async () => {
    for (const gitIsFile of [false, true]) {
      const w = await world();
      await w.write('.interflowrc', turnOnly);
      if (gitIsFile) await w.write('a/.git', 'gitdir: /elsewhere/.git/worktrees/a\n');
      else await mkdir(path.join(w.project, 'a', '.git'), { recursive: true });
      assert.equal(await loadConfig({ cwd: w.sub, env: w.env }), null);
      assert.deepEqual(searchDirs(w.sub, w.env), [w.sub, path.join(w.project, 'a')]);
    }
  });

  test('a found file that could send a secret away is refused until trusted, with this content', async () => {
    const w = await world();
    const risky = { profiles: { t: { provider: 'turn', apiKey: '${T}', baseUrl: 'https://proxy.example.com/turn' } } };
    await w.write('.interflowrc', risky);
    await rejectsConfig(
      () => loadConfig({ cwd: w.sub, env: w.env }),
      '~/project/.interflowrc is not trusted',
      "profile 't': baseUrl",
      'interflow config trust ~/project/.interflowrc',
    );
    await w.writeTrusted('.interflowrc', risky);
    assert.equal((await loadConfig({ cwd: w.sub, env: w.env }))?.origin, 'search');
    // The same content in the user's own config directory needs no trust.
    const w2 = await world();
    await w2.write(path.join(w2.xdg, 'interflow', 'config.json'), risky);
    assert.equal((await loadConfig({ cwd: w2.sub, env: w2.env }))?.origin, 'user');
  });

  test('nothing found: null, and resolving says where it searched and how to fix it', async () => {
    const w = await world({ INTERFLOW_API_KEY: 'if_key_without_config' });
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    assert.equal(loaded, null);
    await rejectsConfig(
      () => resolveProfile(loaded, { env: w.env, warn: () => {}, cwd: w.sub }),
      'no configuration found; searched',
      '.interflowrc',
      'package.json#interflow',
      '~/project/a/b',
      'create .interflowrc (see .interflowrc.example) or run `interflow init`',
    );
  });
});

describe('code is never loaded', () => {
  const marker = (dir: string, name: string) => path.join(dir, `RAN-${name}`);
  const evil = (dir: string, name: string) =>
    `require('fs').writeFileSync(${JSON.stringify(marker(dir, name))}, 'x'); module.exports = { profiles: {} };\n`;
  const evilEsm = (dir: string, name: string) =>
    `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker(dir, name))}, 'x'); export default { profiles: {} };\n`;

  test('.interflowrc.js/.cjs/.mjs/.ts and interflow.config.js beside the config are not executed', async () => {
    const w = await world();
    const names = ['.interflowrc.js', '.interflowrc.cjs', 'interflow.config.js', 'interflow.config.cjs', '.config/interflowrc.js'];
    for (const name of names) await w.write(`a/b/${name}`, evil(w.sub, path.basename(name)), 0o644);
    await w.write('a/b/.interflowrc.mjs', evilEsm(w.sub, '.interflowrc.mjs'), 0o644);
    await w.write('a/b/.interflowrc.ts', evilEsm(w.sub, '.interflowrc.ts'), 0o644);
    const file = await w.write('.interflowrc.json', turnOnly);
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    await sleep(50);
    assert.equal(loaded?.filepath, file);
    for (const name of [...names.map((n) => path.basename(n)), '.interflowrc.mjs', '.interflowrc.ts']) {
      assert.ok(!existsSync(marker(w.sub, name)), `${name} ran`);
    }
  });

  test("cosmiconfig's meta config (.config/config.js in the working directory) is not executed", async () => {
    const w = await world();
    for (const name of ['config.js', 'config.cjs', 'config.mjs']) {
      await w.write(`.config/${name}`, name === 'config.mjs' ? evilEsm(w.project, name) : evil(w.project, name), 0o644);
    }
    await w.write('package.json', { name: 'cloned', cosmiconfig: { searchPlaces: ['.interflowrc.cjs'] } });
    await w.write('.interflowrc.cjs', evil(w.project, '.interflowrc.cjs'), 0o644);
    const before = process.cwd();
    process.chdir(w.project);
    try {
      assert.equal(await loadConfig({ cwd: w.project, env: w.env }), null);
      await sleep(50);
    } finally {
      process.chdir(before);
    }
    for (const name of ['config.js', 'config.cjs', 'config.mjs', '.interflowrc.cjs'])
      assert.ok(!existsSync(marker(w.project, name)), `${name} ran`);
  });

  test('--config naming a code file is refused without running it', async () => {
    const w = await world();
    const file = await w.write('settings.cjs', evil(w.project, 'settings.cjs'));
    await rejectsConfig(() => loadConfig({ configPath: file, cwd: w.sub, env: w.env }), '~/project/settings.cjs', 'JSON or YAML');
    await sleep(20);
    assert.ok(!existsSync(marker(w.project, 'settings.cjs')));
  });
});

describe('--config', () => {
  test('loads exactly the named file (relative to cwd), JSON or YAML by extension or content', async () => {
    const w = await world();
    await w.write('.interflowrc', { profiles: { searched: { provider: 'turn', apiKey: 'x${A}' } } });
    const json = await w.write('a/b/ci.json', turnOnly);
    assert.equal((await loadConfig({ configPath: 'ci.json', cwd: w.sub, env: w.env }))?.filepath, json);
    const yaml = await w.write('ci.yaml', 'profiles:\n  y: { provider: turn, apiKey: "${T}" }\n');
    assert.deepEqual(Object.keys((await loadConfig({ configPath: yaml, cwd: w.sub, env: w.env }))!.config.profiles), ['y']);
    const bare = await w.write('interflow.conf', 'profiles:\n  z: { provider: turn, apiKey: "${T}" }\n');
    assert.deepEqual(Object.keys((await loadConfig({ configPath: bare, cwd: w.sub, env: w.env }))!.config.profiles), ['z']);
  });

  test('a missing file is an error naming it', async () => {
    const w = await world();
    await rejectsConfig(() => loadConfig({ configPath: 'nope.json', cwd: w.project, env: w.env }), '~/project/nope.json', 'no such file');
  });

  test('an empty file is an error naming it', async () => {
    const w = await world();
    const file = await w.write('empty.json', '');
    await rejectsConfig(() => loadConfig({ configPath: file, cwd: w.project, env: w.env }), '~/project/empty.json', 'empty');
  });
});

describe('which profile', () => {
  const four = {
    defaultProfile: 'b',
    profiles: {
      a: { provider: 'turn', apiKey: 'key_a_0001' },
      b: { provider: 'turn', apiKey: 'key_b_0001' },
      c: { provider: 'turn', apiKey: 'key_c_0001' },
      d: { provider: 'turn', apiKey: 'key_d_0001' },
    },
  };

  test('--profile > INTERFLOW_PROFILE > defaultProfile', async () => {
    const w = await world();
    await w.write('.interflowrc', four);
    assert.equal((await resolveIn(w)).profile.name, 'b');
    assert.equal((await resolveIn(w, { env: { INTERFLOW_PROFILE: 'c' } })).profile.name, 'c');
    assert.equal((await resolveIn(w, { env: { INTERFLOW_PROFILE: 'c' }, profileName: 'a' })).profile.name, 'a');
    assert.equal((await resolveIn(w, { profileName: 'd' })).profile.apiKey, 'key_d_0001');
  });

  test('the only profile when there is no default', async () => {
    const w = await world();
    await w.write('.interflowrc', { profiles: { solo: { provider: 'socialminer', apiKey: 'sm_solo_key' } } });
    const { profile } = await resolveIn(w);
    assert.equal(profile.name, 'solo');
    assert.equal(profile.defaultCountry, 'BR');
  });

  test('several profiles and no default: the error lists them and says how to choose', async () => {
    const w = await world();
    const { defaultProfile: _, ...noDefault } = four;
    await w.write('.interflowrc', noDefault);
    await rejectsConfig(() => resolveIn(w), '~/project/.interflowrc', 'a, b, c, d', '--profile NAME or INTERFLOW_PROFILE');
  });

  test('an unknown --profile or INTERFLOW_PROFILE names it and lists the profiles', async () => {
    const w = await world();
    await w.write('.interflowrc', four);
    await rejectsConfig(() => resolveIn(w, { profileName: 'zzz' }), "no profile 'zzz'", '--profile', 'a, b, c, d');
    await rejectsConfig(() => resolveIn(w, { env: { INTERFLOW_PROFILE: 'yyy' } }), "no profile 'yyy'", 'INTERFLOW_PROFILE', 'a, b, c, d');
  });

  test('a defaultProfile that is not a profile is a file error', async () => {
    const w = await world();
    await w.write('.interflowrc', { ...four, defaultProfile: 'x' });
    await rejectsConfig(
      () => loadConfig({ cwd: w.sub, env: w.env }),
      "~/project/.interflowrc: defaultProfile: 'x' is not a profile",
      'a, b, c, d',
    );
  });
});

describe('${ENV} and INTERFLOW_API_KEY', () => {
  test('every string is interpolated; numbers from the environment become numbers', async () => {
    const w = await world({ TURN_TOKEN: 'tok_env_123', SANDBOX: 'http://127.0.0.1:8787', RATE: '120', CC: 'us' });
    await w.writeTrusted('.interflowrc', {
      profiles: {
        turn: {
          provider: 'turn',
          apiKey: '${TURN_TOKEN}',
          baseUrl: '${SANDBOX}/turn/',
          rateLimit: '${RATE}',
          defaultCountry: '${CC}',
          namespace: 'ns',
        },
      },
    });
    const { profile } = await resolveIn(w);
    assert.deepEqual(profile, {
      name: 'turn',
      provider: 'turn',
      apiKey: 'tok_env_123',
      baseUrl: 'http://127.0.0.1:8787/turn',
      namespace: 'ns',
      rateLimit: 120,
      defaultCountry: 'US',
      source: path.join(w.project, '.interflowrc'),
    });
    assert.equal(redact('Bearer tok_env_123'), 'Bearer ***');
  });

  test('a missing variable names the file, the profile, the field and the variable', async () => {
    const w = await world();
    await w.write('.interflowrc', turnOnly);
    const err = await rejectsConfig(() => resolveIn(w));
    assert.equal(
      err.message,
      "~/project/.interflowrc: profile 'turn': apiKey: environment variable TURN_TOKEN is not set — export TURN_TOKEN=… or run `interflow init`",
    );
  });

  test('an empty variable counts as missing', async () => {
    const w = await world({ TURN_TOKEN: '' });
    await w.write('.interflowrc', turnOnly);
    await rejectsConfig(() => resolveIn(w), 'TURN_TOKEN is not set');
  });

  test('a value from the environment is checked again and the message says where it came from', async () => {
    const w = await world({ TURN_TOKEN: 'tok_x_123', BASE: 'ftp://nowhere' });
    await w.writeTrusted('.interflowrc', { profiles: { turn: { provider: 'turn', apiKey: '${TURN_TOKEN}', baseUrl: '${BASE}' } } });
    await rejectsConfig(() => resolveIn(w), "~/project/.interflowrc: profile 'turn': baseUrl: must be an http(s) URL", '(from $BASE)');
  });

  test('a malformed reference is a file error', async () => {
    const w = await world();
    await w.write('.interflowrc', { profiles: { turn: { provider: 'turn', apiKey: '${TURN-TOKEN}' } } });
    await rejectsConfig(() => loadConfig({ cwd: w.sub, env: w.env }), "profile 'turn': apiKey: has a malformed ${...} reference");
  });

  test("INTERFLOW_API_KEY overrides an interflow profile's key, even when its own variable is unset", async () => {
    const w = await world({ INTERFLOW_API_KEY: 'if_override_key' });
    await w.write('.interflowrc', { profiles: { main: { provider: 'interflow', apiKey: '${IF_KEY}', channelId: CHANNEL } } });
    const env = w.env;
    const loaded = await loadConfig({ cwd: w.sub, env });
    const { profile, keySource } = resolveProfileDetailed(loaded, { env, warn: () => {} });
    assert.equal(profile.apiKey, 'if_override_key');
    assert.deepEqual(keySource, { from: 'override', variable: 'INTERFLOW_API_KEY' });
    assert.equal(redact('if_override_key'), '***');
  });

  test('INTERFLOW_API_KEY is never the key of another provider (issue 12)', async () => {
    const w = await world({ INTERFLOW_API_KEY: 'if_override_key', TURN_TOKEN: 'turn_own_token' });
    await w.write('.interflowrc', turnOnly);
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    const { profile, keySource } = resolveProfileDetailed(loaded, { env: w.env, warn: () => {} });
    assert.equal(profile.apiKey, 'turn_own_token');
    assert.deepEqual(keySource, { from: 'env', variables: ['TURN_TOKEN'] });
    assert.equal(listProfiles(loaded, w.env)[0]!.key, '${TURN_TOKEN}');
    const unset = { ...w.env, TURN_TOKEN: undefined };
    await rejectsConfig(() => resolveProfile(loaded, { env: unset, warn: () => {} }), 'TURN_TOKEN is not set');
  });
});

describe('errors name the file, the profile and the field (exit 2)', () => {
  const cases: { name: string; file: object | string; fileName?: string; parts: (string | RegExp)[] }[] = [
    {
      name: 'unknown provider',
      file: { profiles: { wa: { provider: 'twilio', apiKey: 'k${A}' } } },
      parts: ["~/project/.interflowrc: profile 'wa': provider: must be one of interflow, interacto, turn, socialminer, not 'twilio'"],
    },
    {
      name: 'missing provider',
      file: { profiles: { wa: { apiKey: 'k${A}' } } },
      parts: ["~/project/.interflowrc: profile 'wa': provider: is required: one of interflow, interacto, turn, socialminer"],
    },
    {
      name: 'missing apiKey',
      file: { profiles: { wa: { provider: 'turn' } } },
      parts: ["~/project/.interflowrc: profile 'wa': apiKey: is required"],
    },
    {
      name: 'missing channelId for interflow',
      file: { profiles: { main: { provider: 'interflow', apiKey: '${K}' } } },
      parts: ["~/project/.interflowrc: profile 'main': channelId: is required for interflow profiles"],
    },
    {
      name: 'channelId that is not a UUID',
      file: { profiles: { main: { provider: 'interflow', apiKey: '${K}', channelId: 'abc' } } },
      parts: ["~/project/.interflowrc: profile 'main': channelId: must be the channel's UUID"],
    },
    {
      name: 'missing instanceId for interacto',
      file: { profiles: { ia: { provider: 'interacto', apiKey: '${K}' } } },
      parts: ["~/project/.interflowrc: profile 'ia': instanceId: is required for interacto profiles"],
    },
    {
      name: 'a field of another provider',
      file: { profiles: { turn: { provider: 'turn', apiKey: '${K}', channelId: CHANNEL, instanceId: INSTANCE } } },
      parts: [
        "~/project/.interflowrc: profile 'turn': channelId: is an interflow field (only interflow profiles use it)",
        "~/project/.interflowrc: profile 'turn': instanceId: is an interacto field (only interacto profiles use it)",
      ],
    },
    {
      name: 'unknown field, with a suggestion',
      file: { profiles: { turn: { provider: 'turn', apikey: '${K}', apiKey: '${K}' } } },
      parts: ["~/project/.interflowrc: profile 'turn': apikey: unknown field; did you mean 'apiKey'?"],
    },
    {
      name: 'unknown top-level field',
      file: { profile: {}, profiles: {} },
      parts: ["~/project/.interflowrc: profile: unknown field; did you mean 'profiles'?"],
    },
    {
      name: 'bad number',
      file: { profiles: { turn: { provider: 'turn', apiKey: '${K}', rateLimit: -5, timeoutMs: '30s' } } },
      parts: ["profile 'turn': rateLimit: must be a whole number", "profile 'turn': timeoutMs: must be a whole number"],
    },
    {
      name: 'bad country and plan',
      file: { profiles: { turn: { provider: 'turn', apiKey: '${K}', defaultCountry: 'XX', plan: 'gold' } } },
      parts: [
        "profile 'turn': defaultCountry: must be a two-letter ISO 3166",
        "profile 'turn': plan: must be one of starter, professional, enterprise",
      ],
    },
    {
      name: 'bad JSON (trailing comma), with its line',
      file: '{\n  "profiles": {\n    "turn": { "provider": "turn", "apiKey": "${K}", }\n  }\n}\n',
      fileName: '.interflowrc.json',
      parts: ["~/project/.interflowrc.json: invalid JSON at line 3, column 51: trailing comma before '}'"],
    },
    {
      name: 'bad JSON in an extensionless .interflowrc',
      file: '{\n  "profiles": {\n    "turn": { "provider": "turn" "apiKey": "${K}" }\n  }\n}\n',
      parts: ['~/project/.interflowrc: invalid JSON at line 3, column 34'],
    },
    {
      name: 'bad YAML, with its line',
      file: 'profiles:\n  turn:\n    provider: turn\n   apiKey: ${K}\n',
      fileName: '.interflowrc.yml',
      parts: [/^~\/project\/\.interflowrc\.yml: invalid YAML at line 4, column \d+: /],
    },
    {
      name: 'package.json#interflow errors say so',
      file: { name: 'x', interflow: { profiles: { t: { provider: 'turn', apiKey: '${K}', nope: 1 } } } },
      fileName: 'package.json',
      parts: ["~/project/package.json#interflow: profile 't': nope: unknown field"],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const w = await world();
      await w.write(c.fileName ?? '.interflowrc', c.file);
      await rejectsConfig(() => loadConfig({ cwd: w.sub, env: w.env }), ...c.parts);
    });
  }

  test('a literal key never appears in a parse error', async () => {
    const w = await world();
    await w.write('.interflowrc.json', '{"profiles": {"t": {"provider": "turn", "apiKey": "sk_live_SECRET" x}}}');
    const err = await rejectsConfig(() => loadConfig({ cwd: w.sub, env: w.env }), 'invalid JSON at line 1');
    assert.ok(!err.message.includes('SECRET'), err.message);
  });
});

describe('the readable-literal-key warning', () => {
  const literal = { profiles: { prod: { provider: 'turn', apiKey: 'turn_live_literal_1' } } };

  test('a literal key in a 0644 file: one warning naming the file, the profile and the fix', { skip: !posix }, async () => {
    const w = await world();
    await w.write('.interflowrc', literal, 0o644);
    const { warnings } = await resolveIn(w);
    assert.deepEqual(warnings, [
      "warning: ~/project/.interflowrc holds a literal apiKey for profile 'prod' and is readable by others; chmod 600 ~/project/.interflowrc or use ${ENV}",
    ]);
    assert.deepEqual((await resolveIn(w)).warnings, [], 'once per file');
    assert.equal(redact('key=turn_live_literal_1'), 'key=***');
  });

  test('0600: no warning', { skip: !posix }, async () => {
    const w = await world();
    await w.write('.interflowrc', literal, 0o600);
    assert.deepEqual((await resolveIn(w)).warnings, []);
  });

  test('${ENV} keys in a 0644 file: no warning', { skip: !posix }, async () => {
    const w = await world({ TURN_TOKEN: 'tok_ok_1' });
    await w.write('.interflowrc', turnOnly, 0o644);
    assert.deepEqual((await resolveIn(w)).warnings, []);
  });

  test('literal keys of other profiles count; the local sandbox test keys do not', { skip: !posix }, async () => {
    const w = await world({ TURN_TOKEN: 'tok_ok_2' });
    await w.write(
      '.interflowrc',
      {
        defaultProfile: 'turn',
        profiles: {
          turn: { provider: 'turn', apiKey: '${TURN_TOKEN}' },
          local: { provider: 'turn', apiKey: 'turn_test_local', baseUrl: 'http://127.0.0.1:8787/turn' },
          old: { provider: 'socialminer', apiKey: 'sm_live_literal' },
        },
      },
      0o640,
    );
    const { warnings } = await resolveIn(w);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /literal apiKey for profile 'old' and is readable/);
    assert.equal(redact('sm_live_literal'), '***');
  });
});

describe('.interflowrc.example', () => {
  const example = path.join(repoRoot, '.interflowrc.example');

  test('parses with the schema and shows every provider', async () => {
    const w = await world();
    const loaded = await loadConfig({ configPath: example, cwd: w.sub, env: w.env });
    assert.ok(loaded);
    const providers = new Set(Object.values(loaded.config.profiles).map((p) => p.provider));
    assert.deepEqual([...providers].sort(), ['interacto', 'interflow', 'socialminer', 'turn']);
    for (const provider of providers) assert.ok(loaded.config.profiles[`sandbox-${provider}`], `sandbox-${provider}`);
  });

  test("the sandbox-interflow profile's plan is the one `interflow sandbox` runs by default", async () => {
    const { DEFAULT_PLAN } = await import('../../src/sandbox/server.js');
    const w = await world();
    const loaded = await loadConfig({ configPath: example, cwd: w.sub, env: w.env });
    assert.equal(DEFAULT_PLAN, 'professional');
    assert.equal(loaded!.config.profiles['sandbox-interflow']!.plan, DEFAULT_PLAN);
  });

  test('every profile resolves when its variables are set', async () => {
    const w = await world({
      INTERFLOW_API_KEY: '',
      TURN_TOKEN: 'turn_example_token',
      INTERACTO_API_KEY: 'ia_example_key',
      SOCIALMINER_API_KEY: 'sm_example_key',
    });
    const loaded = await loadConfig({ configPath: example, cwd: w.sub, env: w.env });
    for (const name of Object.keys(loaded!.config.profiles)) {
      const env = name === 'interflow' ? { ...w.env, INTERFLOW_API_KEY: 'if_example_key' } : w.env;
      const profile = resolveProfile(loaded, { profileName: name, env, warn: () => {} });
      assert.equal(profile.name, name);
      assert.ok(profile.apiKey.length > 0);
      if (name.startsWith('sandbox-'))
        assert.equal(profile.baseUrl, `http://127.0.0.1:8787/${profile.provider === 'interflow' ? 'interflow/v1' : profile.provider}`);
    }
  });
});

describe('profiles list and show', () => {
  function fakeContext(env: NodeJS.ProcessEnv, globals: GlobalOptions = {}, tty = false) {
    let out = '';
    let err = '';
    const io = createIo({
      env: { ...env, NO_COLOR: '1' },
      stdout: { write: (s: string) => ((out += s), true), isTTY: tty },
      stderr: { write: (s: string) => ((err += s), true), isTTY: false },
    });
    const ctx: CommandContext = { io, globals, loadProfile: () => Promise.reject(new Error('unused')) };
    return { ctx, out: () => out, err: () => err };
  }

  const file = {
    defaultProfile: 'turn',
    profiles: {
      turn: { provider: 'turn', apiKey: '${TURN_TOKEN}', namespace: 'ns' },
      ifsb: { provider: 'interflow', apiKey: 'if_literal_secret', channelId: CHANNEL, environment: 'sandbox', plan: 'professional' },
      ia: { provider: 'interacto', apiKey: '${IA_KEY}', instanceId: INSTANCE, baseUrl: 'https://proxy.example.com/ia' },
    },
  };

  test('listProfiles: effective base URLs, the default marked, keys redacted, unset variables shown', async () => {
    const w = await world({ TURN_TOKEN: 'turn_secret_value' });
    await w.writeTrusted('.interflowrc', file);
    const loaded = await loadConfig({ cwd: w.sub, env: w.env });
    assert.deepEqual(listProfiles(loaded, w.env), [
      { name: 'turn', provider: 'turn', baseUrl: 'https://whatsapp.turn.io', default: true, key: '${TURN_TOKEN}' },
      { name: 'ifsb', provider: 'interflow', baseUrl: 'https://sandbox.api.interflow.chat/v1', default: false, key: '***' },
      { name: 'ia', provider: 'interacto', baseUrl: 'https://proxy.example.com/ia', default: false, key: '${IA_KEY} (unset)' },
    ]);
    assert.equal(listProfiles(loaded, { ...w.env, INTERFLOW_PROFILE: 'ia' }).find((r) => r.default)?.name, 'ia');
  });

  test('list: JSON when stdout is not a TTY, a table on a TTY; never a key', async () => {
    const w = await world({ TURN_TOKEN: 'turn_secret_value' });
    await w.writeTrusted('.interflowrc', file);
    const piped = fakeContext(w.env);
    await runProfilesList({}, piped.ctx, { cwd: w.sub });
    const rows = JSON.parse(piped.out()) as { name: string; default: boolean }[];
    assert.deepEqual(
      rows.map((r) => r.name),
      ['turn', 'ifsb', 'ia'],
    );

    const tty = fakeContext(w.env, {}, true);
    await runProfilesList({}, tty.ctx, { cwd: w.sub });
    const lines = tty.out().trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+PROVIDER\s+BASE URL\s+KEY$/);
    assert.match(lines[1]!, /^turn \(default\)\s+turn\s+https:\/\/whatsapp\.turn\.io\s+\$\{TURN_TOKEN\}$/);
    for (const text of [piped.out(), tty.out()]) {
      assert.ok(!text.includes('turn_secret_value') && !text.includes('if_literal_secret'), text);
    }
  });

  test('show: every field, the key as *** with its source; --json', async () => {
    const w = await world({ TURN_TOKEN: 'turn_secret_value' });
    await w.writeTrusted('.interflowrc', file);
    const human = fakeContext(w.env, {}, true);
    await runProfilesShow({ name: undefined }, human.ctx, { cwd: w.sub });
    assert.match(human.out(), /^apiKey\s+\*\*\* \(from \$TURN_TOKEN\)$/m);
    assert.match(human.out(), /^baseUrl\s+https:\/\/whatsapp\.turn\.io \(provider default\)$/m);
    assert.match(human.out(), /^source\s+~\/project\/\.interflowrc$/m);

    const json = fakeContext(w.env, { json: true });
    await runProfilesShow({ name: 'ifsb' }, json.ctx, { cwd: w.sub });
    const view = JSON.parse(json.out()) as Record<string, unknown>;
    assert.equal(view.apiKey, '***');
    assert.equal(view.apiKeyFrom, 'file');
    assert.equal(view.baseUrl, 'https://sandbox.api.interflow.chat/v1');
    assert.equal(view.channelId, CHANNEL);
    assert.equal(view.plan, 'professional');

    const override = fakeContext({ ...w.env, INTERFLOW_API_KEY: 'if_override_secret' }, {}, true);
    await runProfilesShow({ name: 'ifsb' }, override.ctx, { cwd: w.sub });
    assert.match(override.out(), /^apiKey\s+\*\*\* \(from INTERFLOW_API_KEY\)$/m);
    for (const text of [human.out(), json.out(), override.out()]) {
      assert.ok(!/turn_secret_value|if_literal_secret|if_override_secret/.test(text), text);
    }
  });

  test("show: a key's unset variable is shown as profiles list shows it, not an error", async () => {
    const w = await world();
    await w.writeTrusted('.interflowrc', file);
    const tty = fakeContext(w.env, {}, true);
    await runProfilesShow({ name: 'ia' }, tty.ctx, { cwd: w.sub });
    assert.match(tty.out(), /^apiKey\s+\$\{IA_KEY\} \(unset\)$/m);
    const piped = fakeContext(w.env);
    await runProfilesShow({ name: 'ia' }, piped.ctx, { cwd: w.sub });
    const view = JSON.parse(piped.out()) as Record<string, unknown>;
    assert.equal(view.apiKey, '${IA_KEY} (unset)');
    assert.equal(view.apiKeyFrom, 'IA_KEY');
  });

  test('show: off a terminal, JSON as profiles list gives', async () => {
    const w = await world({ TURN_TOKEN: 'turn_secret_value' });
    await w.writeTrusted('.interflowrc', file);
    const piped = fakeContext(w.env);
    await runProfilesShow({ name: 'turn' }, piped.ctx, { cwd: w.sub });
    const view = JSON.parse(piped.out()) as Record<string, unknown>;
    assert.equal(view.name, 'turn');
    assert.equal(view.apiKey, '***');
  });
});

test('parseRcFile accepts what loadConfig returns (the two stages compose)', async () => {
  const w = await world();
  await w.write('.interflowrc', turnOnly);
  const loaded = await loadConfig({ cwd: w.sub, env: w.env });
  assert.deepEqual(parseRcFile(loaded!.config, 'x'), loaded!.config);
});
