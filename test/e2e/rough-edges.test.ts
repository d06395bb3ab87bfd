/**
 * Rough edges a new user met (issue 14): each one as the built binary shows it, against the
 * project's sandbox where it is behaviour.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CANARY, bin, cleanEnv, json, runCli, startWorld, type RunResult, type World } from './harness.js';

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
