#!/usr/bin/env node
// Startup cost of the built CLI, as ratios to a bare `node -e 0` measured in the same run
// (this machine is shared and noisy: only ratios of paired runs mean anything).
//
//   node bench/startup.js [--runs 30]
//
// Prints, for `--version`, `--help` and a one-off `send text` to the embedded sandbox, the median
// of paired runs (bare node, then the command, alternating) and the ratio. Budgets from issue #2:
// --version and --help at most 1.6x, a one-off send at most 3x. NODE_EXTRA_CA_CERTS is unset for
// every child (it slows every Node start).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'interflow.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;

const env = { ...process.env, NO_COLOR: '1' };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure(name, args, budget) {
  time(['-e', '0']);
  time(args); // warm the file cache
  const base = [];
  const cmd = [];
  for (let i = 0; i < runs; i++) {
    base.push(time(['-e', '0']));
    cmd.push(time(args));
  }
  const b = median(base);
  const c = median(cmd);
  const ratio = c / b;
  console.log(
    `${name.padEnd(22)} node -e 0 ${b.toFixed(1).padStart(6)} ms   command ${c.toFixed(1).padStart(6)} ms   ratio ${ratio.toFixed(2)}x   budget ${budget}x ${ratio <= budget ? 'ok' : 'OVER'}`,
  );
  return ratio <= budget;
}

let sandbox;
let dir;
try {
  console.log(`node ${process.version}, ${runs} paired runs each, medians`);
  let ok = measure('--version', [bin, '--version'], 1.6);
  ok = measure('--help', [bin, '--help'], 1.6) && ok;
  // The one-off send goes to a sandbox in a child process so this process stays idle while timing.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  sandbox = child;
  const url = await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${err}`)));
  });
  dir = mkdtempSync(join(tmpdir(), 'interflow-bench-'));
  const config = join(dir, 'rc.json');
  writeFileSync(
    config,
    JSON.stringify({
      profiles: {
        local: {
          provider: 'interflow',
          baseUrl: `${url}/interflow/v1`,
          apiKey: '${BENCH_KEY}',
          channelId: '550e8400-e29b-41d4-a716-446655440000',
        },
      },
    }),
    { mode: 0o600 },
  );
  env.BENCH_KEY = 'if_test_bench';
  // What the sends record goes into the temporary directory, never the real HOME's state.
  env.INTERFLOW_STATE_DIR = join(dir, 'state');
  delete env.XDG_STATE_HOME;
  ok = measure('send text (sandbox)', [bin, 'send', 'text', '5511999999999', 'Olá', '--config', config, '--json'], 3) && ok;
  process.exitCode = ok ? 0 : 1;
} finally {
  sandbox?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
