/**
 * `interflow completion bash|zsh|fish` with the BUILT binary: each script is printed, and the bash
 * one, sourced in a real bash, completes commands, subcommands, flags, flag values and the profile
 * names of the config found from the working directory. zsh and fish are run when installed,
 * otherwise only their text is checked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bin, cleanEnv, runCli } from './harness.js';

const topLevel = [
  'send',
  'compose',
  'bulk',
  'templates',
  'webhooks',
  'messages',
  'report',
  'customers',
  'chats',
  'init',
  'profiles',
  'config',
  'sandbox',
  'completion',
];

let dir: string;
let bashScriptFile: string;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'interflow-completion-'));
  // `interflow` on PATH: the built binary, as the completion function runs it for profile names.
  mkdirSync(join(dir, 'bin'));
  const shim = join(dir, 'bin', 'interflow');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(shim, 0o755);
  // The config found from the working directory: two profiles.
  writeFileSync(
    join(dir, '.interflowrc.json'),
    JSON.stringify({
      profiles: {
        'turn-prod': { provider: 'turn', apiKey: '${TURN_TOKEN}' },
        sm_staging: { provider: 'socialminer', apiKey: '${SM_TOKEN}' },
      },
    }),
  );
  const res = await runCli(['completion', 'bash'], { env: cleanEnv(dir), cwd: dir });
  assert.equal(res.code, 0, res.stderr);
  bashScriptFile = join(dir, 'interflow.bash');
  writeFileSync(bashScriptFile, res.stdout);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sources the bash script, sets COMP_WORDS/COMP_CWORD to `words` (the last is the one completed), prints COMPREPLY. */
function complete(words: string[], cwd = dir): string[] {
  const env = cleanEnv(dir, { PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}` });
  const res = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _interflow; printf "%s\\n" "${COMPREPLY[@]}"',
      bashScriptFile,
      ...words,
    ],
    { cwd, env, encoding: 'utf8' },
  );
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stderr, '');
  return res.stdout.split('\n').filter(Boolean).sort();
}

describe('interflow completion', () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    test(`${shell}: prints a script naming every top-level command`, async () => {
      const res = await runCli(['completion', shell], { env: cleanEnv(dir), cwd: dir });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.ok(res.stdout.trim().length > 0);
      for (const name of topLevel) assert.match(res.stdout, new RegExp(`\\b${name}\\b`), name);
      if (shell === 'fish') assert.match(res.stdout, /complete -c interflow/);
      if (shell === 'zsh') assert.match(res.stdout, /compdef|bashcompinit/);
      if (shell === 'bash') assert.match(res.stdout, /complete -F _interflow interflow/);
    });
  }

  test('an unknown shell is a usage error naming the shells', async () => {
    const res = await runCli(['completion', 'tcsh'], { env: cleanEnv(dir), cwd: dir });
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /bash, zsh, fish/);
  });

  test('bash: top-level commands', () => {
    assert.deepEqual(complete(['interflow', 's']), ['sandbox', 'send']);
    assert.deepEqual(complete(['interflow', '']), [...topLevel].sort());
  });

  test('bash: subcommands, also after global flags and their values', () => {
    const sends = ['contact', 'interactive', 'location', 'media', 'template', 'text'];
    assert.deepEqual(complete(['interflow', 'send', '']), sends);
    assert.deepEqual(complete(['interflow', '--profile', 'send', 'send', '']), sends);
    assert.deepEqual(complete(['interflow', 'profiles', 'ls', '--js']), ['--json']);
    assert.deepEqual(complete(['interflow', 'chats', '']), ['create', 'get', 'list', 'messages']);
    assert.deepEqual(complete(['interflow', 'templates', '']), ['import', 'lint', 'list', 'show']);
    assert.deepEqual(
      complete(['interflow', 'chats', 'create', '--']).filter((f) => f === '--customer' || f === '--phone'),
      ['--customer', '--phone'],
    );
  });

  test('bash: flag values', () => {
    assert.deepEqual(complete(['interflow', 'send', 'media', '5511', '--kind', '']), ['audio', 'document', 'image', 'sticker', 'video']);
    assert.deepEqual(complete(['interflow', 'send', 'media', '5511', '--kind', '=', 'v']), ['video']);
    assert.deepEqual(complete(['interflow', 'send', 'template', '1', '--policy', '']), ['deterministic', 'fallback']);
    assert.deepEqual(complete(['interflow', 'messages', 'get', 'abc', '--wait', '']), ['delivered', 'read']);
    assert.deepEqual(complete(['interflow', 'sandbox', '--fail-status', '5']), ['500', '502', '503', '504']);
    assert.deepEqual(complete(['interflow', 'send', 'template', '1', '--file', '.interflowrc']), ['.interflowrc.json']);
  });

  test('bash: command flags', () => {
    assert.deepEqual(complete(['interflow', 'bulk', 'x.csv', '--re']), ['--retry-unknown']);
    assert.deepEqual(complete(['interflow', 'bulk', '.interflowrc']), ['.interflowrc.json']);
  });

  test('bash: --profile lists the profiles of the config found from the working directory', () => {
    assert.deepEqual(complete(['interflow', '--profile', '']), ['sm_staging', 'turn-prod']);
    assert.deepEqual(complete(['interflow', 'send', 'text', '5511', '--profile', 't']), ['turn-prod']);
    // No config: no names, no error.
    const empty = mkdtempSync(join(tmpdir(), 'interflow-completion-none-'));
    try {
      assert.deepEqual(complete(['interflow', '--profile', ''], empty), []);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('zsh: the script loads and registers the completion', { skip: !has('zsh') && 'zsh is not installed' }, async () => {
    const script = await runCli(['completion', 'zsh'], { env: cleanEnv(dir), cwd: dir });
    const file = join(dir, 'interflow.zsh');
    writeFileSync(file, script.stdout);
    const run = spawnSync('zsh', ['-f', '-c', `source ${JSON.stringify(file)} && whence -w _interflow`], {
      encoding: 'utf8',
      env: cleanEnv(dir),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /_interflow: function/);
  });

  test('fish: the script loads and completes subcommands', { skip: !has('fish') && 'fish is not installed' }, async () => {
    const script = await runCli(['completion', 'fish'], { env: cleanEnv(dir), cwd: dir });
    const file = join(dir, 'interflow.fish');
    writeFileSync(file, script.stdout);
    const run = spawnSync('fish', ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C 'interflow send '`], {
      encoding: 'utf8',
      env: cleanEnv(dir),
    });
    assert.equal(run.status, 0, run.stderr);
    for (const name of ['text', 'media', 'location', 'contact', 'template', 'interactive'])
      assert.match(run.stdout, new RegExp(`^${name}\\b`, 'm'));
  });
});
