#!/usr/bin/env node
// Chaos for `interflow bulk`'s scale features (README: Scale): against one sandbox, runs bulk with
// shards, a two-profile pool with a pair rate, --batch, provider refusals (--refuse), and breaks
// the runs on purpose — SIGKILL, a signal twice (quit at once) or SIGTERM/SIGINT/SIGHUP at random
// points (a time, or the k-th result line), stdout closed by a reader that stops early, stderr
// closed, the CSV edited between runs (reordered, rows inserted and deleted, a number written
// another way, a message changed) or read from stdin, two processes of one shard at once, and
// refusals that stop the run (131048 → 1, 190 → 4) — then reruns to completion and checks:
//
//   - every message the server accepted, it accepted once (duplicates: (recipient, body) twice);
//   - no row lost: every row of the final file has one result line, and a row reported `sent`
//     was accepted by the server (else it is lost); `failed` carries a reason;
//   - exit codes are PRODUCT.md's (0, 3 at the end; 130/143/129 for a signal, 141 for a closed
//     pipe, 2 for a locked twin or another pool, 1/4 for a stopping refusal);
//   - a graceful stop (SIGTERM, a closed pipe) never leaves a row `unknown` that was not sent.
//
//   node bench/chaos.js [--seed S] [--rounds 6] [--rows 80]
//
// CHAOS_BIN=path/to/bin/interflow.js runs another build (a copy, so that rebuilding the worktree
// meanwhile does not break the runs).
//
// Every random choice (scenario options, delays, edits) comes from the seed printed first, so a
// run repeats with `--seed S` (timing on a shared machine still varies). Prints counts per
// scenario; exits 1 when a duplicate, a lost row or an unexpected exit code was seen.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANNEL, arg, benchEnv, bin as builtBin, phone, sandbox as startSandbox } from './common.js';

const bin = process.env.CHAOS_BIN ?? builtBin;
const seed = arg('--seed', Math.floor(Math.random() * 2 ** 31));
const rounds = arg('--rounds', 6);
const ROWS = arg('--rows', 80);
console.log(`chaos seed ${seed} (repeat with --seed ${seed}); ${rounds} rounds of each scenario, ${ROWS} rows`);

// mulberry32: a small seeded PRNG.
let state = seed >>> 0;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const shuffle = (xs) => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};

const env = benchEnv();
const dir = mkdtempSync(join(tmpdir(), 'interflow-chaos-'));
env.INTERFLOW_STATE_DIR = join(dir, 'state');
env.HOME = dir;
const children = [];
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
});

// Refusals: recipients ending 9001 are refused for good (131026: fail the row); 9002 answer 429
// (130429, retry later) twice; the pair-rate scenario repeats recipients.
const REFUSED = phone(9001);
const LIMITED = phone(9002);
// Once per round (the sandbox is reset between rounds): 131048 stops the run (exit 1), 190 refuses
// the key (exit 4), 131056 backs that recipient off (Turn, SocialMiner; a 429 for Interflow).
const STOPPER = phone(9003);
const PAIRHIT = phone(9004);
const AUTH = phone(9005);
const sb = await startSandbox(
  env,
  children,
  '--record',
  '--refuse',
  `${REFUSED}=131026`,
  '--refuse',
  `${LIMITED}=130429:2`,
  '--refuse',
  `${STOPPER}=131048:1`,
  '--refuse',
  `${PAIRHIT}=131056:1`,
  '--refuse',
  `${AUTH}=190:1`,
);
const config = join(dir, 'rc.json');
writeFileSync(
  config,
  JSON.stringify({
    profiles: {
      a: { provider: 'interflow', baseUrl: `${sb.url}/interflow/v1`, apiKey: '${BENCH_KEY}', channelId: CHANNEL },
      turn: { provider: 'turn', baseUrl: `${sb.url}/turn`, apiKey: '${BENCH_KEY}', namespace: 'template-namespace' },
      sm: { provider: 'socialminer', baseUrl: `${sb.url}/socialminer`, apiKey: '${BENCH_KEY}' },
    },
  }),
  { mode: 0o600 },
);

const TEXT = 'Olá {{nome}}, pedido {{pedido}} 🎉';
const render = (r) => `Olá ${r.nome}, pedido ${r.pedido} 🎉`;

/** Rows: {to, nome, pedido}; `repeat` > 1 gives each recipient that many messages (pair rate). */
function makeRows(n, base, repeat = 1) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const who = Math.floor(i / repeat);
    rows.push({ to: phone(base + who), nome: `João ${i}`, pedido: String(100000 + base + i) });
  }
  if (rand() < 0.5) rows.push({ to: REFUSED, nome: 'Recusado', pedido: String(base) });
  if (rand() < 0.5) rows.push({ to: LIMITED, nome: 'Limitado', pedido: String(base + 1) });
  for (const to of [STOPPER, PAIRHIT, AUTH]) if (rand() < 0.25) rows.push({ to, nome: 'Especial', pedido: String(base + 4) });
  // Rows that are no number at all: each lands in exactly one shard, which fails it.
  if (rand() < 0.5) rows.push({ to: ` nao-e-numero-${base} `, nome: 'Inválido', pedido: String(base + 2) });
  if (rand() < 0.3) rows.push({ to: '', nome: 'Vazio', pedido: String(base + 3) });
  shuffle(rows);
  return rows;
}
const writeRows = (path, rows) =>
  writeFileSync(path, 'to,nome,pedido\n' + rows.map((r) => `${r.to},"${r.nome}",${r.pedido}`).join('\n') + '\n');

/** An edit between runs: reorder, insert, delete or change a message. */
function edit(rows, base) {
  const what = pick(['reorder', 'insert', 'delete', 'change', 'reformat']);
  if (what === 'reorder') shuffle(rows);
  else if (what === 'insert') {
    for (let k = int(1, 5); k > 0; k--) {
      const i = int(0, rows.length);
      rows.splice(i, 0, { to: phone(base + 500 + int(0, 400)), nome: `Novo ${int(0, 1e6)}`, pedido: String(int(1, 1e6)) });
    }
  } else if (what === 'delete') {
    for (let k = int(1, 5); k > 0 && rows.length > 1; k--) rows.splice(int(0, rows.length - 1), 1);
  } else if (what === 'reformat') {
    // The same recipient written another way: +55 (11) 91000-0001 is 5511910000001.
    for (let k = int(1, 5); k > 0; k--) {
      const r = rows[int(0, rows.length - 1)];
      const m = /^55(\d\d)(\d{5})(\d{4})$/.exec(r.to);
      if (m) r.to = `+55 (${m[1]}) ${m[2]}-${m[3]}`;
    }
  } else {
    for (let k = int(1, 3); k > 0; k--) {
      const r = rows[int(0, rows.length - 1)];
      r.nome = `${r.nome} (corrigido ${int(0, 1e6)})`;
    }
  }
  return what;
}

/**
 * Starts one bulk run. `stop`: undefined (to completion), {signal, afterMs}, or {closeAfterLines}.
 * Resolves { code, signal, out (JSON lines read), err }.
 */
function run(args, stop) {
  // `-` reads the CSV from stdin: the file named by the --journal that follows it (…csv[.shard-I-of-N].journal).
  const stdin =
    args[0] === '-' ? readFileSync(args[args.indexOf('--journal') + 1].replace(/(\.shard-\d+-of-\d+)?\.journal$/, '')) : undefined;
  const child = spawn(process.execPath, [bin, 'bulk', ...args, '--config', config, '--text', TEXT, '--json'], {
    env,
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  }
  children.push(child);
  let out = '';
  let err = '';
  let timer;
  child.stdout.on('data', (c) => {
    out += c;
    const lines = out.split('\n').length - 1;
    if (stop?.afterLines !== undefined && lines >= stop.afterLines && !child.killed) child.kill(stop.signal);
    if (stop?.closeAfterLines !== undefined && lines >= stop.closeAfterLines) {
      // The reader exits: its end of the pipe closes.
      child.stdout.destroy();
    }
  });
  child.stdout.on('error', () => {});
  child.stderr.on('data', (c) => {
    err += c;
    if (stop?.twice && err.includes('stopping (') && !stop.again) {
      stop.again = true;
      child.kill(stop.signal);
    }
  });
  child.stderr.on('error', () => {});
  if (stop?.closeStderr) child.stderr.destroy();
  if (stop?.signal && stop.afterMs !== undefined) timer = setTimeout(() => child.kill(stop.signal), stop.afterMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, stop });
    }),
  );
}

const parseLines = (out) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });

/** The recipient as the server sees it (digits of a Brazilian number), else as written. */
const norm = (to) => (/^\+?[\d ()-]+$/.test(to) ? to.replace(/\D/g, '') : to.trim());

/** The text of an accepted message, whatever the provider's shape. */
function textOf(body) {
  let found;
  const walk = (v) => {
    if (found !== undefined) return;
    if (typeof v === 'string' && v.startsWith('Olá ')) found = v;
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(body);
  return found;
}

const totals = {};
let bad = false;
const problems = [];

function tally(name) {
  return (totals[name] ??= {
    rounds: 0,
    runs: 0,
    kills: 0,
    terms: 0,
    pipes: 0,
    edits: 0,
    twins: 0,
    duplicates: 0,
    lost: 0,
    badExit: 0,
    unknown: 0,
    unknownNotSent: 0,
    failed: 0,
    rows: 0,
  });
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Checks an exit against what PRODUCT.md allows for how the run was stopped. */
function checkExit(t, name, r, extraOk = []) {
  // A run that met a stopping refusal (131048, 190) ends 1 or 4, whatever else was asked of it.
  if (
    /error: .*(131048|190|CHANNEL_DISCONNECTED|UNAUTHORIZED|401)/i.test(r.err) ||
    /"code":"(131048|190|CHANNEL_DISCONNECTED|UNAUTHORIZED)"/.test(r.out)
  )
    extraOk = [...extraOk, 1, 4];
  t.runs++;
  const code = r.code ?? (r.signal ? `signal ${r.signal}` : 'none');
  let ok;
  if (r.stop?.signal === 'SIGKILL') ok = r.signal === 'SIGKILL' || [0, 3].includes(r.code);
  // Killed by the signal itself (before bulk handles it, at startup): a shell sees 128+N all the same.
  else if (r.stop?.signal) ok = [SIGNAL_EXIT[r.stop.signal], 0, 3].includes(r.code) || r.signal === r.stop.signal;
  else if (r.stop?.closeAfterLines !== undefined || r.stop?.closeStderr) ok = [141, 0, 3].includes(r.code);
  else ok = [0, 3].includes(r.code);
  if (!ok && extraOk.includes(r.code)) ok = true;
  if (!ok) {
    t.badExit++;
    bad = true;
    problems.push(`${name}: exit ${code} after ${JSON.stringify(r.stop ?? 'no stop')}: ${r.err.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** A disruption for one run: SIGKILL / SIGTERM at a random point, or a reader that stops early. */
function disruption(t, graceful, maxMs) {
  const roll = rand();
  // Half the kill points are timed, half follow an event (the k-th result line on stdout).
  const when = () => (rand() < 0.5 ? { afterMs: int(0, maxMs) } : { afterLines: int(1, 30) });
  if (!graceful) {
    t.kills++;
    // A second signal quits at once (like kill -9 for the requests in flight): sent when the first one's "stopping" shows.
    if (roll < 0.3) return { signal: 'SIGTERM', twice: true, ...when() };
    return { signal: 'SIGKILL', ...when() };
  }
  if (roll < 0.6) {
    t.terms++;
    return { signal: pick(['SIGTERM', 'SIGTERM', 'SIGINT', 'SIGHUP']), ...when() };
  }
  t.pipes++;
  if (roll < 0.8) return { closeAfterLines: int(0, 25) };
  return { closeStderr: true, closeAfterLines: undefined };
}

/** Runs each to completion, again while it ends 1 or 4 (a stopping refusal met once): the last results. */
async function complete(t, name, argsList) {
  const last = [];
  await Promise.all(
    argsList.map(async (args, i) => {
      for (let k = 0; k < 4; k++) {
        const r = await run(args);
        checkExit(t, name, r);
        last[i] = r;
        if (r.code !== 1 && r.code !== 4) break;
      }
    }),
  );
  return last;
}

/**
 * The final check of a round: `final` results of the complete runs (one per shard), the rows of
 * the final file, and what the server accepted since the round's reset.
 */
async function verify(t, name, rows, finals, graceful) {
  const accepted = await (await fetch(`${sb.url}/_sandbox/accepted`)).json();
  const byBody = new Map();
  const byText = new Set();
  for (const m of accepted) {
    const k = `${m.to}\n${JSON.stringify(m.body)}`;
    byBody.set(k, (byBody.get(k) ?? 0) + 1);
    byText.add(`${m.to}\n${textOf(m.body)}`);
  }
  let dups = 0;
  for (const [k, n] of byBody) {
    if (n > 1) {
      dups += n - 1;
      problems.push(`${name}: accepted ${n} times: ${k.replace('\n', ' ')}`);
    }
  }
  const results = new Map();
  for (const f of finals)
    for (const o of parseLines(f.out)) {
      if (results.has(o.row)) problems.push(`${name}: row ${o.row} reported twice`);
      results.set(o.row, o);
    }
  let lost = 0;
  const seenMsg = new Set();
  rows.forEach((r, i) => {
    const row = i + 2;
    const o = results.get(row);
    const key = `${norm(r.to)}\n${render(r)}`;
    const dupInFile = seenMsg.has(key);
    seenMsg.add(key);
    t.rows++;
    if (!o) {
      lost++;
      problems.push(`${name}: row ${row} (${r.to}) has no result line`);
      return;
    }
    if (o.status === 'sent' && !byText.has(key)) {
      lost++;
      problems.push(`${name}: row ${row} reported sent but never accepted: ${JSON.stringify(o)}`);
    } else if (o.status === 'failed' && !o.error?.message) {
      lost++;
      problems.push(`${name}: row ${row} failed without a reason`);
    } else if (o.status === 'skipped' && !(dupInFile && o.error?.code === 'DUPLICATE')) {
      lost++;
      problems.push(`${name}: row ${row} skipped in the final run: ${JSON.stringify(o)}`);
    } else if (o.status === 'unknown') {
      t.unknown++;
      if (!byText.has(key)) {
        t.unknownNotSent++;
        if (graceful) {
          lost++;
          problems.push(`${name}: row ${row} unknown after graceful stops only, never accepted: ${JSON.stringify(o)}`);
        }
      }
    } else if (o.status === 'failed') t.failed++;
  });
  t.duplicates += dups;
  t.lost += lost;
  if (dups || lost) bad = true;
}

const reset = () => fetch(`${sb.url}/_sandbox/reset`, { method: 'POST' });

// --- scenarios -------------------------------------------------------------------------------

/** N shards of one file, each run broken a few times, then all run to completion. */
async function shards(round) {
  const t = tally('shards');
  const name = `shards#${round}`;
  const n = pick([2, 3, 4]);
  const graceful = rand() < 0.5;
  const csv = join(dir, `shards-${round}.csv`);
  const rows = makeRows(ROWS, round * 1000);
  writeRows(csv, rows);
  const rate = pick(['100/s', '200/s', '400/s']);
  for (let step = int(2, 4); step > 0; step--) {
    const rs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        run(
          [csv, '--profile', 'a', '--shard', `${i + 1}/${n}`, '--rate', rate, '--concurrency', String(pick([1, 4, 16]))],
          disruption(t, graceful, 600),
        ),
      ),
    );
    for (const r of rs) checkExit(t, name, r);
  }
  const finals = await complete(
    t,
    name,
    Array.from({ length: n }, (_, i) => [csv, '--profile', 'a', '--shard', `${i + 1}/${n}`]),
  );
  await verify(t, name, rows, finals, graceful);
}

/** A turn + socialminer pool, recipients with several messages each, a short pair interval. */
async function pool(round) {
  const t = tally('pool+pair');
  const name = `pool#${round}`;
  const graceful = rand() < 0.5;
  const csv = join(dir, `pool-${round}.csv`);
  const rows = makeRows(Math.floor(ROWS / 2), round * 1000, pick([1, 2, 3]));
  writeRows(csv, rows);
  const order = pick(['turn,sm', 'sm,turn']);
  const pair = pick(['100ms', '300ms', '0']);
  for (let step = int(2, 4); step > 0; step--) {
    const r = await run(
      [
        csv,
        '--profile',
        rand() < 0.5 ? order : 'sm,turn',
        '--pair-interval',
        pair,
        '--rate',
        pick(['50/s', '200/s']),
        '--concurrency',
        String(pick([2, 8])),
      ],
      disruption(t, graceful, 1500),
    );
    checkExit(t, name, r);
  }
  // Another pool would move recipients to other senders: refused (exit 2), nothing sent.
  const before = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()).accepted;
  const wrong = await run([csv, '--profile', pick(['turn', 'sm', 'turn,sm,a']), '--pair-interval', pair]);
  t.runs++;
  const after = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()).accepted;
  if (wrong.code !== 2 || after !== before) {
    t.badExit++;
    bad = true;
    problems.push(`${name}: another pool exited ${wrong.code} and sent ${after - before}: ${wrong.err.trim().split('\n')[0]}`);
  }
  const finals = await complete(t, name, [[csv, '--profile', 'turn,sm', '--pair-interval', pair]]);
  await verify(t, name, rows, finals, graceful);
}

/** Interflow --batch N, broken and resumed with other batch sizes. */
async function batch(round) {
  const t = tally('batch');
  const name = `batch#${round}`;
  const graceful = rand() < 0.5;
  const csv = join(dir, `batch-${round}.csv`);
  const rows = makeRows(ROWS * 2, round * 1000);
  writeRows(csv, rows);
  for (let step = int(2, 4); step > 0; step--) {
    const r = await run(
      [
        csv,
        '--profile',
        'a',
        '--batch',
        String(pick([1, 5, 10, 50])),
        '--rate',
        pick(['5/s', '20/s']),
        '--concurrency',
        String(pick([1, 2, 4])),
      ],
      disruption(t, graceful, 800),
    );
    checkExit(t, name, r);
  }
  const finals = await complete(t, name, [[csv, '--profile', 'a', '--batch', String(pick([1, 10, 100]))]]);
  await verify(t, name, rows, finals, graceful);
}

/** The CSV edited between broken runs (sharded half the time). */
async function edits(round) {
  const t = tally('edits');
  const name = `edits#${round}`;
  const graceful = rand() < 0.5;
  const csv = join(dir, `edits-${round}.csv`);
  const rows = makeRows(ROWS, round * 1000);
  writeRows(csv, rows);
  const n = pick([1, 2, 3]);
  // A third of the rounds read the CSV from stdin, with the journal named as for the file.
  const viaStdin = rand() < 0.33;
  const input = (i) => (viaStdin ? ['-', '--journal', n > 1 ? `${csv}.shard-${i + 1}-of-${n}.journal` : `${csv}.journal`] : [csv]);
  const shardArgs = (i) => [...(n > 1 ? ['--shard', `${i + 1}/${n}`] : [])];
  const extra = () => (rand() < 0.3 ? ['--batch', String(pick([5, 20]))] : []);
  for (let step = int(2, 5); step > 0; step--) {
    const rs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        run([...input(i), '--profile', 'a', ...shardArgs(i), '--rate', '150/s', ...extra()], disruption(t, graceful, 700)),
      ),
    );
    for (const r of rs) checkExit(t, name, r);
    edit(rows, round * 1000);
    t.edits++;
    writeRows(csv, rows);
  }
  const finals = await complete(
    t,
    name,
    Array.from({ length: n }, (_, i) => [...input(i), '--profile', 'a', ...shardArgs(i)]),
  );
  await verify(t, name, rows, finals, graceful);
}

/** Two processes of the same shard at once: one proceeds, the other exits 2 (locked). */
async function twins(round) {
  const t = tally('twins');
  const name = `twins#${round}`;
  const graceful = rand() < 0.5;
  const csv = join(dir, `twins-${round}.csv`);
  const rows = makeRows(ROWS, round * 1000);
  writeRows(csv, rows);
  const n = pick([1, 2]);
  const shard = n > 1 ? ['--shard', `1/${n}`] : [];
  for (let step = int(2, 4); step > 0; step--) {
    t.twins++;
    const stops = [disruption(t, graceful, 800), rand() < 0.5 ? undefined : disruption(t, graceful, 800)];
    const rs = await Promise.all(stops.map((s) => run([csv, '--profile', 'a', ...shard, '--rate', '150/s'], s)));
    for (const r of rs) checkExit(t, name, r, [2]);
    const locked = rs.filter((r) => r.code === 2).length;
    if (locked === 2) problems.push(`${name}: both twins refused the lock: ${rs.map((r) => r.err.trim().split('\n')[0]).join(' | ')}`);
  }
  const finals = await complete(t, name, [
    [csv, '--profile', 'a', ...shard],
    ...(n > 1 ? [[csv, '--profile', 'a', '--shard', `2/${n}`]] : []),
  ]);
  await verify(t, name, rows, finals, graceful);
}

const scenarios = [shards, pool, batch, edits, twins];
const started = Date.now();
for (let round = 1; round <= rounds; round++) {
  for (const s of scenarios) {
    await reset();
    await s(round);
    const name = s.name === 'pool' ? 'pool+pair' : s.name;
    totals[name].rounds++;
  }
  const p = problems.length ? `; ${problems.length} problem(s) so far` : '';
  console.log(`round ${round}/${rounds} done (${((Date.now() - started) / 1000).toFixed(0)} s)${p}`);
}

console.log('\nscenario    rounds  runs   hard  signal  pipes  edits  twins  rows  failed  unknown(not sent)  duplicates  lost  bad-exit');
for (const [name, c] of Object.entries(totals)) {
  console.log(
    `${name.padEnd(11)} ${String(c.rounds).padStart(6)} ${String(c.runs).padStart(5)} ${String(c.kills).padStart(6)} ${String(c.terms).padStart(7)} ${String(c.pipes).padStart(6)} ${String(c.edits).padStart(6)} ${String(c.twins).padStart(6)} ${String(c.rows).padStart(5)} ${String(c.failed).padStart(7)} ${`${c.unknown}(${c.unknownNotSent})`.padStart(18)} ${String(c.duplicates).padStart(11)} ${String(c.lost).padStart(5)} ${String(c.badExit).padStart(9)}`,
  );
}
const sum = (k) => Object.values(totals).reduce((s, c) => s + c[k], 0);
console.log(
  `kill points: ${sum('kills') + sum('terms') + sum('pipes')} (hard: SIGKILL or a second signal ${sum('kills')}; ` +
    `signal: SIGTERM/SIGINT/SIGHUP ${sum('terms')}; pipes: stdout or stderr closed ${sum('pipes')})`,
);
console.log('unknown(not sent): rows left unknown that the server never accepted (after hard stops only; see test/e2e/bulk-chaos.test.ts)');
if (problems.length) {
  console.log(`\n${problems.length} problem(s):`);
  for (const p of problems.slice(0, 60)) console.log(`  ${p}`);
}
console.log(`seed ${seed}: ${bad ? 'FAILED' : 'ok'}`);
sb.stop();
process.exitCode = bad ? 1 : 0;
