/**
 * The README's quick start, run as written (issue #6: the README cannot rot). Every line of its
 * code blocks that runs `interflow` (or `npx interflow`) is run with the built binary in a fresh
 * directory: `interflow sandbox` starts the server (on a free port rather than 8787, so tests can
 * run anywhere), `cp .interflowrc.example .interflowrc` copies the example (pointed at that port),
 * and every other example must exit 0. `npm …` lines are what CI itself runs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { bin, cleanEnv } from './harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The commands of the quick start's code blocks, comments stripped. */
function quickStartCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1]!.split(/^## /m)[0]!;
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

test('the README quick start: every interflow example works as written', async () => {
  const commands = quickStartCommands();
  const examples = commands.filter((c) => /^(npx )?interflow /.test(c) || c.startsWith('cp .interflowrc.example'));
  assert.ok(examples.some((c) => c.includes('interflow sandbox')), 'the quick start starts the sandbox');
  assert.ok(examples.some((c) => c.includes('interflow send')), 'the quick start sends a message');

  const dir = mkdtempSync(join(tmpdir(), 'interflow-readme-'));
  const env = cleanEnv(dir);
  const node = `"${process.execPath}" "${bin}"`;
  let sandbox: ReturnType<typeof spawn> | undefined;
  try {
    let sandboxUrl = '';
    for (const example of examples) {
      if (/interflow sandbox/.test(example)) {
        const args = example.replace(/^(npx )?interflow /, '').split(/\s+/);
        sandbox = spawn(process.execPath, [bin, ...args, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
        sandboxUrl = await new Promise<string>((resolve, reject) => {
          let err = '';
          sandbox!.stderr!.on('data', (c: Buffer) => {
            err += c.toString();
            const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
            if (m) resolve(m[1]!);
          });
          sandbox!.on('exit', (code) => reject(new Error(`${example} exited ${code}: ${err}`)));
        });
        continue;
      }
      if (example.startsWith('cp .interflowrc.example')) {
        assert.ok(sandboxUrl, 'the sandbox runs before the config is copied');
        const text = readFileSync(join(root, '.interflowrc.example'), 'utf8').replaceAll('http://127.0.0.1:8787', sandboxUrl);
        writeFileSync(join(dir, '.interflowrc'), text);
        continue;
      }
      const line = example.replace(/^(npx )?interflow /, `${node} `);
      const r = spawnSync('sh', ['-c', line], { cwd: dir, env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${example}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    const received = (await (await fetch(`${sandboxUrl}/_sandbox/requests`)).json()) as unknown[];
    assert.ok(received.length >= 1, 'the sandbox received the README send');
  } finally {
    sandbox?.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
});
