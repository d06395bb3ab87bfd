/**
 * The V8 code caches bin/interflow.js keeps on Node 20 (Node >= 22 uses module.enableCompileCache):
 * a one-off send changes V8's WebAssembly flags before its first connection, and its caches are
 * written at exit, stamped with the flags the process started with, so that the next start takes
 * them. A copy of bin/ and dist/ keeps this test's caches its own.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import vm from 'node:vm';
import { CANARY, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';

const root = join(import.meta.dirname, '..', '..');
const nodeCaches = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
let world: World;
let copy: string;

before(async () => {
  world = await startWorld();
  copy = mkdtempSync(join(tmpdir(), 'interflow-code-cache-'));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
  rmSync(join(copy, 'dist', '.cache'), { recursive: true, force: true });
});
after(async () => {
  await world?.close();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

const send = (): Promise<RunResult> =>
  runCli(['send', 'text', '5511999999999', 'Olá', '--config', world.config, '--json'], {
    bin: join(copy, 'bin', 'interflow.js'),
    env: cleanEnv(world.dir, { TEST_KEY: CANARY, XDG_CACHE_HOME: join(copy, 'xdg-cache') }),
  });

const caches = () => {
  const dir = join(copy, 'dist', '.cache');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : [];
};

test("a one-off send's caches, written at exit, are taken by the next start", async (t) => {
  if (nodeCaches) return t.skip('Node >= 22 keeps its own compile cache (module.enableCompileCache)');
  const first = await send();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(json<{ ok: boolean }>(first).ok, true);
  const written = caches();
  const sendCache = written.find((f) => f.startsWith('app-send.cjs-'));
  assert.ok(sendCache && written.some((f) => f.startsWith('cli.cjs-')), `caches written: ${written.join(', ')}`);

  // V8 takes the cache for the bundle's source, in a process whose flags were never changed.
  const file = join(copy, 'dist', 'app', 'send.cjs');
  const cachedData = readFileSync(join(copy, 'dist', '.cache', sendCache));
  const script = new vm.Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file, cachedData });
  assert.equal(script.cachedDataRejected, false, 'V8 refuses the cache the send wrote');

  // The next send takes both: neither is written again.
  const before = Object.fromEntries(written.map((f) => [f, statSync(join(copy, 'dist', '.cache', f)).mtimeMs]));
  const second = await send();
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(caches().sort(), written.sort());
  for (const f of written) assert.equal(statSync(join(copy, 'dist', '.cache', f)).mtimeMs, before[f], `${f} was written again`);
});
