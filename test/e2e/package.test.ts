/**
 * Packaging end to end: `npm pack` the project, install the tarball globally into a fresh prefix
 * with `--ignore-scripts` (nothing is built at install: the bundled dist/ must be in the tarball),
 * and run the installed binary from an unrelated directory: `--version`, `--help` and a real send
 * to the project's sandbox. Then the installed package's node_modules is deleted and the same
 * commands run again: everything needed at run time is bundled into dist/.
 *
 * `npm pack` runs with `--ignore-scripts` so it packs the dist/ that `npm test` just built instead
 * of rebuilding it (the build starts with `rm -rf dist`, which would pull dist/ from under the
 * other e2e files running at the same time).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

const show = (r: Result) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** Where npm fetches from and through: kept from the caller's environment. */
const NPM_KEEP = /^npm_config_(registry|cache|userconfig|globalconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile|ca)$/i;

/**
 * npm's environment: the caller's, without the npm_* settings an enclosing `npm test` exports
 * (prefix, global, dry_run, ...), except where npm fetches from.
 */
function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !NPM_KEEP.test(k)) delete env[k];
  return { ...env, ...extra };
}

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up/i;

describe('the packed tarball, installed into a fresh prefix', () => {
  let tmp: string;
  let prefix: string;
  let cwd: string;
  let installed: string;
  let interflow: string;
  let sandbox: Sandbox;
  let config: string;
  let skip: string | undefined;

  /** The installed binary, run as a user would: from an unrelated cwd, no NODE_PATH, no npm env. */
  function cli(args: string[]): Promise<Result> {
    const env: NodeJS.ProcessEnv = {
      ...npmEnv(),
      NO_COLOR: '1',
      HOME: cwd,
      XDG_CONFIG_HOME: join(cwd, '.config'),
      XDG_CACHE_HOME: join(cwd, '.cache'),
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      TEST_KEY: 'if_test_package',
    };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS;
    delete env.INTERFLOW_PROFILE;
    delete env.INTERFLOW_API_KEY;
    return run(interflow, args, { cwd, env });
  }

  before(async () => {
    assert.ok(existsSync(join(root, 'dist', 'cli.cjs')), 'dist/ is not built: run `npm run build` (npm test does) first');
    tmp = mkdtempSync(join(tmpdir(), 'interflow-pack-'));
    prefix = join(tmp, 'prefix');
    cwd = join(tmp, 'elsewhere');
    mkdirSync(cwd);

    const pack = await run(npm, ['pack', '--ignore-scripts', '--pack-destination', tmp], { cwd: root, env: npmEnv(), timeoutMs: 180_000 });
    assert.equal(pack.code, 0, `npm pack failed\n${show(pack)}`);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, `npm pack wrote no tarball\n${show(pack)}`);

    const install = (extra: NodeJS.ProcessEnv, timeoutMs: number) =>
      run(
        npm,
        [
          'install',
          '-g',
          '--prefix',
          prefix,
          join(tmp, tgz),
          '--no-audit',
          '--no-fund',
          '--omit=dev',
          '--omit=optional',
          '--omit=peer',
          '--ignore-scripts',
          '--no-package-lock',
        ],
        { cwd: tmp, env: npmEnv(extra), timeoutMs },
      );
    // The runtime dependencies listed in package.json are fetched by npm even though nothing
    // needs them: from the local cache when it has them, else from the registry.
    let res = await install({ npm_config_offline: 'true' }, 180_000);
    if (res.code !== 0) {
      rmSync(prefix, { recursive: true, force: true });
      res = await install({ npm_config_fetch_retries: '1' }, 180_000);
      if (res.code !== 0 && (res.code === 128 || NETWORK_ERROR.test(res.stderr))) {
        const why =
          res.code === 128
            ? 'npm install timed out after 180 s'
            : res.stderr
                .split('\n')
                .filter((l) => /^npm err/i.test(l))
                .slice(0, 3)
                .join(' | ');
        skip = `the npm registry is unreachable and the npm cache lacks the tarball's dependencies (${why})`;
        return;
      }
    }
    assert.equal(res.code, 0, `npm install -g failed\n${show(res)}`);

    installed = join(prefix, process.platform === 'win32' ? '' : 'lib', 'node_modules', pkg.name);
    interflow = process.platform === 'win32' ? join(prefix, 'interflow.cmd') : join(prefix, 'bin', 'interflow');

    sandbox = await startSandbox({ port: 0, apiKeys: ['if_test_package'] });
    config = join(tmp, 'interflow.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: {
          interflow: { provider: 'interflow', baseUrl: `${sandbox.url}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL },
        },
      }),
      { mode: 0o600 },
    );
  });

  after(async () => {
    await sandbox?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the tarball holds bin/, the bundled dist/ and the docs, and no sources or caches', (t) => {
    if (skip) return t.skip(skip);
    assert.ok(existsSync(interflow), `${interflow} was not linked`);
    for (const f of [
      'bin/interflow.js',
      'bin/package.json',
      'dist/cli.cjs',
      'dist/app/send.cjs',
      'dist/wasm/llhttp_simd.wasm',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      '.interflowrc.example',
      'package.json',
    ]) {
      assert.ok(existsSync(join(installed, f)), `${f} is missing from the installed package`);
    }
    for (const f of ['src', 'test', 'bench', 'tsconfig.json', 'dist/.cache', 'dist/.build']) {
      assert.ok(!existsSync(join(installed, f)), `${f} should not be in the package`);
    }
  });

  test('the tarball ships third-party notices naming every package esbuild bundled, with its license text', (t) => {
    if (skip) return t.skip(skip);
    const notices = join(installed, 'dist', 'THIRD_PARTY_NOTICES.md');
    assert.ok(existsSync(notices), 'dist/THIRD_PARTY_NOTICES.md is missing from the installed package');
    const text = readFileSync(notices, 'utf8');
    // What esbuild put into the bundles, from the build's own metafile (kept out of the tarball).
    const metafile = JSON.parse(readFileSync(join(root, 'dist', '.build', 'metafile.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const dirs = new Set<string>();
    for (const input of Object.keys(metafile.inputs)) {
      const m = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) dirs.add(m[0].slice(0, -1));
    }
    assert.ok(dirs.size >= 10, `the metafile names only ${dirs.size} bundled packages: is it the bundles' metafile?`);
    for (const dir of dirs) {
      const { name, version } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string };
      const at = text.indexOf(`\n## ${name}@${version}\n`);
      assert.ok(at >= 0, `${name}@${version} (${dir}) is bundled but not in THIRD_PARTY_NOTICES.md`);
      // Its section holds a license text (a copyright or permission line), not just a name.
      const end = text.indexOf('\n## ', at + 1);
      const section = text.slice(at, end < 0 ? undefined : end);
      assert.match(section, /copyright|permission|licen[cs]e/i, `${name}@${version} has no license text in THIRD_PARTY_NOTICES.md`);
    }
  });

  /** --version, --help and a real send: before and after deleting node_modules. */
  async function works(): Promise<void> {
    const version = await cli(['--version']);
    assert.equal(version.code, 0, show(version));
    assert.equal(version.stdout.trim(), pkg.version);

    const help = await cli(['--help']);
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /Examples:/);

    const accepted = sandbox.accepted().length;
    const send = await cli(['send', 'text', '11999999999', 'Olá do pacote 📦', '--config', config, '--json']);
    assert.equal(send.code, 0, show(send));
    const result = JSON.parse(send.stdout) as { ok: boolean; provider: string; to: string; status: string };
    assert.equal(result.ok, true, show(send));
    assert.equal(result.provider, 'interflow');
    assert.equal(result.to, '5511999999999');
    assert.equal(sandbox.accepted().length, accepted + 1, 'the sandbox did not receive the message');
  }

  test('runs from another directory: --version matches package.json, --help, a send to the sandbox', async (t) => {
    if (skip) return t.skip(skip);
    await works();
  });

  test('needs nothing from node_modules at run time', async (t) => {
    if (skip) return t.skip(skip);
    rmSync(join(installed, 'node_modules'), { recursive: true, force: true });
    rmSync(join(installed, 'dist', '.cache'), { recursive: true, force: true });
    await works();
  });
});
