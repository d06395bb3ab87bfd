// What the bulk benches share (bench/bulk.js, bench/scale.js): the sandbox in its own process,
// the CSV they send, the ceiling (a bare undici Pool loop) and the sustained rate from a journal.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const { Pool } = createRequire(import.meta.url)('undici');

export const root = fileURLToPath(new URL('..', import.meta.url));
export const bin = join(root, 'bin', 'interflow.js');
export const KEY = 'if_bench_key_123456';
export const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';

/** `--name N` from the command line, else the fallback. */
export const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** The environment of every spawned interflow: no color, the bench key, no inherited profile. */
export function benchEnv() {
  const env = { ...process.env, NO_COLOR: '1', BENCH_KEY: KEY };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.INTERFLOW_PROFILE;
  delete env.INTERFLOW_API_KEY;
  return env;
}

/**
 * Starts `interflow sandbox` in its own process (pushed on `children`); resolves its base URL.
 * It keeps no request log unless `flags` has `--record` (this function's own: GET /_sandbox/accepted).
 */
export async function sandbox(env, children, ...flags) {
  // Unlimited unless a run asks for a rate (the default Interflow plan allows 300/min).
  const rate = flags.includes('--rate') ? [] : ['--rate', '1000000000/min'];
  const record = flags.includes('--record') ? [] : ['--no-record'];
  flags = flags.filter((f) => f !== '--record');
  const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--quiet-requests', ...record, ...rate, ...flags], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      err += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${err}`)));
  });
  return { url, stop: () => child.kill('SIGINT') };
}

export const phone = (i) => String(5511910000000 + i);

/** to,nome,pedido: n rows, n recipients. */
export async function writeCsv(path, n) {
  const out = createWriteStream(path);
  out.write('to,nome,pedido\n');
  for (let i = 0; i < n; i++) {
    if (!out.write(`${phone(i)},"João ${i}",${100000 + i}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * The same requests as bulk sends, straight through an undici Pool: the ceiling. `rate`: requests/s
 * from start to end; `sustained`: between the first answer and the last.
 */
export async function bareLoop(url, n, concurrency) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  let next = 0;
  let first;
  let last;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const body = JSON.stringify({
          channel_id: CHANNEL,
          to: phone(i),
          type: 'text',
          content: { text: `Olá João ${i}, pedido ${100000 + i} 🎉` },
        });
        const res = await pool.request({
          method: 'POST',
          path: '/interflow/v1/messages/send',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body,
        });
        await res.body.text();
        if (res.statusCode !== 201) throw new Error(`bare loop got ${res.statusCode}`);
        last = performance.now();
        first ??= last;
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  await pool.close();
  return { rate: n / secs, sustained: (n - 1) / ((last - first) / 1000) };
}

/**
 * The bare loop in a fresh Node process, as bulk runs (bench/bare.js): both start cold, and both
 * rates are taken between the first answer and the last (bulk's from its journal, journalRate).
 * Resolves requests/s.
 */
export async function coldBareLoop(url, n, concurrency, env) {
  const child = spawn(process.execPath, [join(root, 'bench', 'bare.js'), url, String(n), String(concurrency)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`bench/bare.js exited ${code}`);
  return Number(out.trim());
}

/**
 * A journal's answered rows, and their rate (rows/s) between the first and the last answer; with
 * `fromIntent`, from the first request announced instead (a paced run's whole schedule: a start
 * that was slow to answer counts, and the burst that makes up for it cannot inflate the rate).
 */
export function journalRate(journal, { fromIntent = false } = {}) {
  const lines = readFileSync(journal, 'utf8').split('\n');
  const times = (t) => lines.filter((l) => l.includes(`"t":"${t}"`)).map((l) => Date.parse(JSON.parse(l).at));
  const done = times('done').sort((a, b) => a - b);
  const first = fromIntent ? Math.min(...times('intent')) : done[0];
  return { rows: done.length, perSec: (done.length - 1) / ((done.at(-1) - first) / 1000) };
}
