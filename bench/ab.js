#!/usr/bin/env node
// Two builds of interflow, interleaved in one run (the machine is shared and noisy: only figures
// taken side by side compare): this checkout against another one, built (a worktree of main, say):
//
//   node bench/ab.js ../base [--rounds 3] [--rows 40000] [--concurrency 16,64]
//
// For each concurrency, against one sandbox of this checkout: rounds of bare loop (in a fresh
// process, bench/bare.js), bulk of one build, bare loop, bulk of the other (which goes first
// alternates). Prints, for each build, bench/scale.js's figure (its best bulk rows/s over the best
// bare loop req/s of the same rounds) and the CPU the bulk process took (user + system, all its
// threads, from its first line to its exit) per 10,000 rows: the median, which noise moves less.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHANNEL, arg, benchEnv, coldBareLoop, journalRate, root, sandbox as startSandbox, writeCsv } from './common.js';

const other = process.argv[2] && !process.argv[2].startsWith('--') ? resolve(process.argv[2]) : undefined;
if (!other) {
  console.error('usage: node bench/ab.js OTHER_CHECKOUT [--rounds 3] [--rows 40000] [--concurrency 16,64]');
  process.exit(2);
}
const rounds = arg('--rounds', 3);
const rows = arg('--rows', 40_000);
const ci = process.argv.indexOf('--concurrency');
const levels = ci > 0 ? process.argv[ci + 1].split(',').map(Number) : [16, 64];
const builds = [
  { name: 'this', root },
  { name: 'other', root: other },
];
const env = benchEnv();
const dir = mkdtempSync(join(tmpdir(), 'interflow-bench-ab-'));
env.INTERFLOW_STATE_DIR = join(dir, 'state');
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Prints the process's CPU (all threads) on stderr as it exits: loaded into the bulk process with -r. */
const cpuHook = join(dir, 'cpu.cjs');
writeFileSync(
  cpuHook,
  "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, `\\nCPU_USAGE ${u.user} ${u.system}\\n`); });\n",
);

/** One bulk run of a build to its end: its rows/s (journal, first answer to last) and its CPU seconds. */
async function bulk(build, csv, config, concurrency) {
  const journal = join(dir, `${build.name}-${Math.random().toString(36).slice(2)}.journal`);
  const args = ['-r', cpuHook, join(build.root, 'bin', 'interflow.js'), 'bulk', csv, '--config', config, '--journal', journal];
  args.push('--concurrency', String(concurrency), '--text', 'Olá {{nome}}, pedido {{pedido}} 🎉', '--json', '--quiet');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((done) => child.on('exit', done));
  const cpu = /CPU_USAGE (\d+) (\d+)/.exec(err);
  if (code !== 0 || !cpu) throw new Error(`bulk (${build.name}) exited ${code}: ${err.slice(0, 2000)}`);
  return { rate: journalRate(journal).perSec, cpu: (Number(cpu[1]) + Number(cpu[2])) / 1e6 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const show = (xs) => xs.map((x) => x.toFixed(0)).join(', ');

console.log(`node ${process.version}; this: ${root}; other: ${other}; ${rows} rows, ${rounds} round(s) at each concurrency`);
for (const concurrency of levels) {
  const sb = await startSandbox(env, children);
  const config = join(dir, `rc-${concurrency}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      profiles: { bench: { provider: 'interflow', baseUrl: `${sb.url}/interflow/v1`, apiKey: '${BENCH_KEY}', channelId: CHANNEL } },
    }),
    { mode: 0o600 },
  );
  const csv = join(dir, `rows-${concurrency}.csv`);
  await writeCsv(csv, rows);
  await coldBareLoop(sb.url, Math.min(2000, rows), concurrency, env); // warm the sandbox
  const bare = [];
  const runs = { this: [], other: [] };
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 ? [...builds].reverse() : builds) {
      bare.push(await coldBareLoop(sb.url, rows, concurrency, env));
      runs[build.name].push(await bulk(build, csv, config, concurrency));
    }
  }
  bare.push(await coldBareLoop(sb.url, rows, concurrency, env));
  const best = Math.max(...bare);
  console.log(`concurrency ${concurrency}: bare loop in a fresh process ${show(bare)} req/s`);
  for (const { name } of builds) {
    const r = runs[name];
    const rate = Math.max(...r.map((x) => x.rate));
    const cpu = median(r.map((x) => (x.cpu * 10_000) / rows));
    console.log(
      `  ${name.padEnd(5)} bulk ${show(r.map((x) => x.rate))} rows/s; best vs best ${(rate / best).toFixed(2)}x; ` +
        `CPU ${r.map((x) => ((x.cpu * 10_000) / rows).toFixed(2)).join(', ')} s/10k rows (median ${cpu.toFixed(2)})`,
    );
  }
  const cpuRatio = median(runs.this.map((x) => x.cpu)) / median(runs.other.map((x) => x.cpu));
  console.log(`  this vs other: CPU per row ${cpuRatio.toFixed(2)}x`);
  sb.stop();
}
