#!/usr/bin/env node
// The tracking store at scale (issue #15): `interflow report` over 1,000,000 messages and
// 3,000,000 events within 5 s and 200 MiB, and what recording costs a bulk run (≤ 10 %).
//
//   node bench/tracking.js [--messages 1000000] [--events 3000000] [--rows 20000] [--pairs 5]
//                          [--skip-bulk] [--skip-report]
//
// 1. Writes a store of that size (two segments, as two months would be: messages in one, their
//    events in the other, in shuffled order) into a temporary INTERFLOW_STATE_DIR.
// 2. Runs the built `interflow report --json` and `messages list --status failed --limit 20`
//    on it, each in a child whose peak RSS (getrusage) it reads; the time is wall clock.
// 3. Runs `bulk` of --rows rows against the embedded sandbox, unpaced, recording on and then with
//    the store unwritable (recording off: one warning, nothing written), in --pairs pairs, and
//    compares the median of the pairs' ratios of rows/s.
// Prints each figure with its budget; exits 1 when one is over.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, writeSync, closeSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'interflow.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MESSAGES = arg('--messages', 1_000_000);
const EVENTS = arg('--events', 3_000_000);
const ROWS = arg('--rows', 20_000);
const PAIRS = arg('--pairs', 5);
const skipBulk = process.argv.includes('--skip-bulk');
const skipReport = process.argv.includes('--skip-report');

const REPORT_MS = 5000;
const REPORT_MIB = 200;
const BULK_COST = 0.1;

// --dir DIR keeps the generated store there (and reuses it when it is there already).
const keepAt = process.argv.indexOf('--dir');
const dir = keepAt > 0 ? process.argv[keepAt + 1] : mkdtempSync(join(tmpdir(), 'interflow-bench-tracking-'));
const state = join(dir, 'state');
const store = join(state, 'tracking');
mkdirSync(store, { recursive: true });
let failed = false;

function writeLines(file, count, line) {
  const fd = openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 22) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

function generate() {
  const t0 = Date.now() - MESSAGES * 10;
  const id = (i) => `wamid.HBgNNTUxMTk${String(i).padStart(9, '0')}FQIAERgSQUFBQUFBQUFBQUFBQUFBQUFB`;
  const campaigns = ['black-friday', 'natal', 'ano-novo', 'boas-vindas'];
  const templates = ['promo_black_friday', 'order_confirmation', 'boas_vindas', 'carrinho_abandonado'];
  writeLines(
    join(store, '0-1-aaaaaaaa.jsonl'),
    MESSAGES,
    (i) =>
      `{"k":"msg","id":"${id(i)}","t":${t0 + i * 10},"c":"${campaigns[i % 4]}","tpl":"${templates[(i >> 2) % 4]}","to":"55119${String(i).padStart(8, '0')}","lang":"pt_BR","provider":"turn","profile":"turn","dest":"https://whatsapp.turn.io","type":"template","row":${i + 2},"input":"/home/user/campanha.csv"}\n`,
  );
  // Events: sent, delivered, read for most; failures for 1 in 50; a shuffled order (by stride).
  const stride = 7919;
  writeLines(join(store, '0-2-bbbbbbbb.jsonl'), EVENTS, (k) => {
    const j = (k * stride) % EVENTS;
    const i = j % MESSAGES;
    const step = Math.floor(j / MESSAGES);
    const t = t0 + i * 10 + 1000 * (step + 1);
    // 1 in 50 fails (its third event repeats sent); 1 in 3 of the rest is delivered, not read.
    if (i % 50 === 0 && step >= 1) {
      if (step === 1)
        return `{"k":"ev","id":"${id(i)}","st":"failed","t":${t},"code":"131047","title":"Re-engagement message","src":"webhook"}\n`;
      return `{"k":"ev","id":"${id(i)}","st":"sent","t":${t},"src":"webhook"}\n`;
    }
    const status = step === 2 && i % 3 === 1 ? 'delivered' : ['sent', 'delivered', 'read'][step % 3];
    return `{"k":"ev","id":"${id(i)}","st":"${status}","t":${t},"pricing":"marketing","src":"webhook"}\n`;
  });
}

/** Runs the CLI in a child that reports its own peak RSS; returns { ms, mib, code, stdout, stderr }. */
function run(args, env) {
  const wrapper = `process.on('exit',()=>{const u=process.resourceUsage();require('node:fs').writeSync(3,u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)/1000)});require(${JSON.stringify(bin)})`;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', wrapper, 'x', ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let rss = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.stdio[3].on('data', (c) => (rss += c));
    child.on('close', (code) =>
      resolve({
        ms: performance.now() - t0,
        mib: Number(rss.split(' ')[0]) / 1024,
        cpuMs: Number(rss.split(' ')[1]),
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

function check(name, value, budget, unit, lowerIsBetter = true) {
  const ok = lowerIsBetter ? value <= budget : value >= budget;
  if (!ok) failed = true;
  console.log(
    `${name.padEnd(44)} ${value.toFixed(unit === '%' ? 1 : 0).padStart(8)} ${unit.padEnd(4)} budget ${lowerIsBetter ? '≤' : '≥'} ${budget} ${unit}  ${ok ? 'ok' : 'OVER'}`,
  );
}

const env = { ...process.env, NO_COLOR: '1', INTERFLOW_STATE_DIR: state, HOME: dir };
delete env.NODE_OPTIONS;

async function reportFigures() {
  const g0 = performance.now();
  if (!(keepAt > 0 && existsSync(join(store, '0-2-bbbbbbbb.jsonl')))) generate();
  console.log(`store: ${MESSAGES} messages, ${EVENTS} events written in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  await run(['report', '--json'], env); // warm the file cache (and the code cache)
  // Best of three: the machine may be shared (the CPU time is printed too).
  const best = async (args) => {
    const runs = [await run(args, env), await run(args, env), await run(args, env)];
    return runs.sort((a, b) => a.ms - b.ms)[0];
  };
  const r = await best(['report', '--json']);
  if (r.code !== 0) throw new Error(`report exited ${r.code}: ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  console.log(`report: ${rep.messages} messages; read ${rep.statuses.read.count}, failed ${rep.statuses.failed.count}`);
  check('report: wall time (best of 3)', r.ms, REPORT_MS, 'ms');
  console.log(`report: CPU time ${r.cpuMs.toFixed(0)} ms`);
  check('report: peak RSS', r.mib, REPORT_MIB, 'MiB');
  const l = await best(['messages', 'list', '--status', 'failed', '--limit', '20', '--json']);
  if (l.code !== 0) throw new Error(`messages list exited ${l.code}: ${l.stderr}`);
  check('messages list --status failed: wall (best of 3)', l.ms, REPORT_MS, 'ms');
  check('messages list: peak RSS', l.mib, REPORT_MIB, 'MiB');
}

async function bulkFigures() {
  const sandbox = await startEmbeddedSandbox();
  try {
    const csv = join(dir, 'rows.csv');
    let text = 'to,nome\n';
    for (let i = 0; i < ROWS; i++) text += `55118${String(i).padStart(8, '0')},João ${i}\n`;
    writeFileSync(csv, text);
    const config = join(dir, '.interflowrc.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { turn: { provider: 'turn', baseUrl: `${sandbox.url}/turn`, apiKey: 'bench-key-123456' } } }),
      { mode: 0o600 },
    );
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    chmodSync(blocked, 0o400);
    const once = async (record, k) => {
      const journal = join(dir, `j-${process.pid}-${record ? 'on' : 'off'}-${k}`);
      const r = await run(
        [
          'bulk',
          csv,
          '--text',
          'Olá {{nome}}',
          '--profile',
          'turn',
          '--config',
          config,
          '--journal',
          journal,
          '--concurrency',
          '32',
          '--rate',
          '1000000/s',
          '--quiet',
        ],
        { ...env, INTERFLOW_STATE_DIR: record ? join(dir, `bulk-state-${process.pid}-${k}`) : blocked },
      );
      if (r.code !== 0) throw new Error(`bulk exited ${r.code}: ${r.stderr}`);
      return { rate: ROWS / (r.ms / 1000), cpuMs: r.cpuMs };
    };
    // Pairs, each order in turn (the machine may be shared: a pair runs close together), and the
    // median of the pairs' ratios; the ratio of CPU times is printed too.
    const ratios = [];
    const cpu = [];
    await once(true, 'warm');
    for (let k = 0; k < PAIRS; k++) {
      const first = k % 2 === 0;
      const a = await once(first, k);
      const b = await once(!first, k);
      const [on, off] = first ? [a, b] : [b, a];
      ratios.push(on.rate / off.rate);
      cpu.push(on.cpuMs / off.cpuMs);
      console.log(
        `bulk ${ROWS} rows, pair ${k + 1}: ${off.rate.toFixed(0)} rows/s without recording, ${on.rate.toFixed(0)} with; CPU ${off.cpuMs.toFixed(0)} / ${on.cpuMs.toFixed(0)} ms`,
      );
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(`bulk: CPU time with recording ${((med(cpu) - 1) * 100).toFixed(1)} % more (median of ${PAIRS} pairs)`);
    check('bulk: throughput lost to recording (median)', Math.max(0, (1 - med(ratios)) * 100), BULK_COST * 100, '%');
  } finally {
    await sandbox.close();
  }
}

/** The sandbox in a child process (`interflow sandbox`), so that it does not share this thread. */
function startEmbeddedSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--quiet-requests', '--no-record'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, close: () => new Promise((r) => (child.once('close', r), child.kill('SIGTERM'))) });
    });
    child.once('close', (code) => reject(new Error(`sandbox exited ${code}: ${err}`)));
  });
}

try {
  if (!skipReport) await reportFigures();
  if (!skipBulk) await bulkFigures();
} finally {
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
