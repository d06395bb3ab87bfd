#!/usr/bin/env node
// The templates catalog's bulk preflight (issue #17): checking every row against the catalog
// before the first request must cost at most 20% of the dry run of the same rows.
//
//   node bench/templates.js [--rows 1000000]
//
// Both runs are the built CLI on the same CSV (to, nome, pedido) and the same template flags,
// with --dry-run (no network): the dry run without the check (--no-templates), and the preflight
// alone, as the run with the catalog reports it on stderr with --verbose ("preflight: N rows
// checked … in X ms"). Prints both, the ratio and the budget; exits 1 past it.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET = 0.2;
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'interflow.js');
const rowsArg = process.argv.indexOf('--rows');
const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;

const env = { ...process.env, NO_COLOR: '1', BENCH_KEY: 'if_bench_key_123456' };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
delete env.INTERFLOW_PROFILE;
delete env.INTERFLOW_API_KEY;

const dir = mkdtempSync(join(tmpdir(), 'interflow-bench-templates-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const csv = join(dir, 'rows.csv');
{
  const out = createWriteStream(csv);
  out.write('to,nome,pedido\n');
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${5511910000000 + i},"João ${i}",${100000 + i}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
const catalog = join(dir, 'templates.json');
writeFileSync(
  catalog,
  JSON.stringify({
    data: [
      {
        name: 'order_update',
        language: 'pt_BR',
        status: 'APPROVED',
        category: 'UTILITY',
        parameter_format: 'POSITIONAL',
        components: [
          { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.' },
          { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Rastrear', url: 'https://loja.example.com/rastreio/{{1}}' }] },
        ],
      },
    ],
  }),
);
const config = join(dir, 'rc.json');
writeFileSync(
  config,
  JSON.stringify({
    profiles: {
      bench: {
        provider: 'interflow',
        baseUrl: 'http://127.0.0.1:9/interflow/v1',
        apiKey: '${BENCH_KEY}',
        channelId: '550e8400-e29b-41d4-a716-446655440000',
      },
    },
  }),
  { mode: 0o600 },
);

const flags = [
  '--template',
  'order_update',
  '--param',
  '{{nome}}',
  '--param',
  '{{pedido}}',
  '--button-url',
  '0={{pedido}}',
  '--config',
  config,
  '--dry-run',
];

function run(extra) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, 'bulk', csv, ...flags, ...extra], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const secs = (performance.now() - started) / 1000;
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`bulk exited ${r.status}: ${stderr.slice(0, 2000)}`);
  return { secs, stderr };
}

console.log(`node ${process.version}; ${rows} rows`);
const dry = run(['--no-templates', '--quiet']);
const checked = run(['--templates', catalog, '--verbose']);
const m = /preflight: (\d+) rows checked .* in (\d+) ms; (\d+) invalid/.exec(checked.stderr);
if (!m || Number(m[1]) !== rows || m[3] !== '0')
  throw new Error(`no preflight line for ${rows} valid rows on stderr:\n${checked.stderr.slice(0, 2000)}`);
const preflightSecs = Number(m[2]) / 1000;
const ratio = preflightSecs / dry.secs;
console.log(
  `dry run without the catalog ${dry.secs.toFixed(1)} s; with it ${checked.secs.toFixed(1)} s, of which the preflight ${preflightSecs.toFixed(1)} s ` +
    `(${(rows / preflightSecs).toFixed(0)} rows/s) = ${(ratio * 100).toFixed(1)}% of the dry run (budget ${BUDGET * 100}%) ${ratio <= BUDGET ? 'ok' : 'OVER'}`,
);
process.exitCode = ratio <= BUDGET ? 0 : 1;
