/**
 * Tracking end to end (issue #15): the sandbox posts Turn statuses to the BUILT `webhooks listen`,
 * a bulk campaign and a one-off send record what they sent, and `report` / `messages list` read
 * the store back. Every wait is on the store itself (polled until the expected events are there).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { bin, CANARY, cleanEnv, runCli, type RunResult } from './harness.js';

const SECRET = 'hook-secret-9f8e7d6c';
const number = (i: number): string => `55119888${String(5000 + i).padStart(5, '0')}`;

/** Lines of the store by kind. */
function storeCounts(state: string): { msg: number; ev: number; in: number } {
  const counts = { msg: 0, ev: 0, in: 0 };
  let files: string[];
  try {
    files = readdirSync(join(state, 'tracking'));
  } catch {
    return counts;
  }
  for (const f of files) {
    for (const line of readFileSync(join(state, 'tracking', f), 'utf8').split('\n')) {
      const m = /^\{"k":"(msg|ev|in)"/.exec(line);
      if (m && line.endsWith('}')) counts[m[1] as 'msg' | 'ev' | 'in']++;
    }
  }
  return counts;
}

/** Polls the store (on a timer, not a fixed sleep) until `ready` holds; fails with what is there after 60 s. */
async function waitForStore(state: string, ready: (c: ReturnType<typeof storeCounts>) => boolean): Promise<void> {
  const started = Date.now();
  for (;;) {
    const c = storeCounts(state);
    if (ready(c)) return;
    if (Date.now() - started > 60_000) throw new Error(`the store did not get there: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tracking: sandbox → webhooks listen → bulk → report (built binary)', () => {
  let dir: string;
  let state: string;
  let config: string;
  let listener: ChildProcess;
  let listenUrl: string;
  let sandbox: Sandbox;
  const fates: Record<string, 'read' | 'delivered' | 'failed' | 'none'> = {};
  const env = (): NodeJS.ProcessEnv => cleanEnv(dir, { TEST_KEY: CANARY, HOOK_SECRET: SECRET, INTERFLOW_STATE_DIR: state });
  const run = (args: string[]): Promise<RunResult> => runCli([...args, '--config', config], { env: env() });
  let csv: string;
  const rows: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interflow-tracking-'));
    state = join(dir, 'state');
    listener = spawn(process.execPath, [bin, 'webhooks', 'listen', '--port', '0', '--secret', 'HOOK_SECRET', '--json'], {
      env: cleanEnv(dir, { HOOK_SECRET: SECRET, INTERFLOW_STATE_DIR: state }),
    });
    listener.stdout!.resume();
    listenUrl = await new Promise<string>((resolve, reject) => {
      let err = '';
      listener.once('exit', (code) => reject(new Error(`listener exited ${code}: ${err}`)));
      listener.stderr!.on('data', (c: Buffer) => {
        err += c.toString('utf8');
        const m = /listening for webhooks on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
    });
    // 20 rows: 5 read, 5 delivered (not read), 3 failed with 131047, 7 never a status.
    for (let i = 1; i <= 20; i++) fates[number(i)] = i <= 5 ? 'read' : i <= 10 ? 'delivered' : i <= 13 ? 'failed' : 'none';
    sandbox = await startSandbox({ port: 0, apiKeys: [CANARY], statusWebhooks: [listenUrl], webhookSecret: SECRET, fates });
    config = join(dir, '.interflowrc.json');
    writeFileSync(
      config,
      JSON.stringify({
        defaultProfile: 'turn',
        profiles: { turn: { provider: 'turn', baseUrl: `${sandbox.url}/turn`, apiKey: '${TEST_KEY}', namespace: 'template-namespace' } },
      }),
      { mode: 0o600 },
    );
    csv = join(dir, 'clientes.csv');
    rows.push('telefone,nome,cidade');
    for (let i = 1; i <= 20; i++) rows.push(`${number(i)},"João ${i}, Olá 🎉",São Paulo`);
    writeFileSync(csv, rows.join('\n') + '\n');
  });

  after(async () => {
    listener?.kill('SIGTERM');
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 20-row Turn campaign: 5 read, 5 delivered, 3 failed under 131047 with its hint, 7 without a status', async () => {
    const bulk = await run([
      'bulk',
      csv,
      '--to-column',
      'telefone',
      '--template',
      'promo_natal',
      '--param',
      '{{nome}}',
      '--campaign',
      'natal',
      '--json',
    ]);
    assert.equal(bulk.code, 0, bulk.stderr);
    assert.equal(bulk.stdout.trim().split('\n').length, 20);
    // 5 × (sent, delivered, read) + 5 × (sent, delivered) + 3 × failed = 28 status events.
    await waitForStore(state, (c) => c.msg >= 20 && c.ev >= 28);
    const res = await run(['report', 'natal', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const report = JSON.parse(res.stdout);
    assert.equal(report.messages, 20);
    assert.deepEqual(
      Object.fromEntries(Object.entries(report.statuses as Record<string, { count: number }>).map(([k, v]) => [k, v.count])),
      { read: 5, delivered: 5, sent: 0, failed: 3, none: 7 },
    );
    assert.equal(report.statuses.failed.share, 0.15);
    assert.equal(report.failures.length, 1);
    assert.equal(report.failures[0].code, '131047');
    assert.equal(report.failures[0].count, 3);
    assert.match(report.failures[0].title, /Re-engagement/);
    assert.match(report.failures[0].hint, /24 hours/);
    assert.deepEqual(
      report.templates.map((t: { template: string; messages: number }) => [t.template, t.messages]),
      [['promo_natal', 20]],
    );
    assert.equal(typeof report.medianToDeliveredMs, 'number');
    assert.equal(typeof report.medianToReadMs, 'number');

    // The text report says the same for people.
    const text = await run(['report', 'natal']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /campaign natal: 20 message/);
    assert.match(text.stdout, /131047\s+3\s+Re-engagement/);

    // --failed-csv: the 3 failed rows with their original columns and cells, ready for bulk.
    const failedCsv = join(dir, 'retry.csv');
    const f = await run(['report', 'natal', '--failed-csv', failedCsv]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(readFileSync(failedCsv, 'utf8'), [rows[0], ...rows.slice(11, 14)].join('\n') + '\n');

    const list = await run(['messages', 'list', '--status', 'failed']);
    assert.equal(list.code, 0, list.stderr);
    const failed = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(failed.length, 3);
    assert.deepEqual(failed.map((m) => m.to).sort(), [number(11), number(12), number(13)]);
    assert.ok(
      failed.every((m) => m.errorCode === '131047' && m.campaign === 'natal' && m.template === 'promo_natal' && m.provider === 'turn'),
    );
  });

  it('the same events posted again, twice and out of order, give the same report', async () => {
    const before = JSON.parse((await run(['report', 'natal', '--json'])).stdout);
    const list = (await run(['messages', 'list', '--campaign', 'natal', '--limit', '100'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events: Record<string, unknown>[] = [];
    const base = Math.floor(Date.now() / 1000) + 5;
    for (const m of list) {
      const fate = fates[m.to]!;
      const steps =
        fate === 'read'
          ? ['read', 'delivered', 'sent']
          : fate === 'delivered'
            ? ['delivered', 'sent']
            : fate === 'failed'
              ? ['failed', 'delivered', 'sent']
              : [];
      steps.forEach((status, k) => {
        for (const dup of [0, 1]) {
          const s: Record<string, unknown> = { id: m.id, recipient_id: m.to, status, timestamp: String(base + 10 - k + dup) };
          if (status === 'failed') s.errors = [{ code: 131047, title: 'Re-engagement message' }];
          events.push(s);
        }
      });
    }
    const had = storeCounts(state).ev;
    for (const s of events) {
      const body = Buffer.from(JSON.stringify({ statuses: [s] }));
      const res = await fetch(listenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-turn-hook-signature': createHmac('sha256', SECRET).update(body).digest('base64'),
        },
        body,
      });
      assert.equal(res.status, 200);
    }
    await waitForStore(state, (c) => c.ev >= had + events.length);
    const again = JSON.parse((await run(['report', 'natal', '--json'])).stdout);
    assert.deepEqual(again, before);
  });

  it('a one-off send while the listener runs is listed by messages list --to', async () => {
    const to = '5511977776666';
    const sent = await run(['send', 'text', to, 'Olá, João! 🎉', '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const id = JSON.parse(sent.stdout).id as string;
    const list = await run(['messages', 'list', '--to', '+55 11 97777-6666']);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].id, id);
    assert.equal(lines[0].type, 'text');
    assert.equal(lines[0].campaign, undefined);
  });

  it('a listener and a bulk run writing at the same time lose nothing (counted)', async () => {
    const rowsCsv = join(dir, 'carga.csv');
    const n = 150;
    writeFileSync(rowsCsv, 'to\n' + Array.from({ length: n }, (_, i) => `55119777${String(10003 + i)}`).join('\n') + '\n');
    const had = storeCounts(state);
    const bulk = await run(['bulk', rowsCsv, '--text', 'Olá', '--concurrency', '16']);
    assert.equal(bulk.code, 0, bulk.stderr);
    // Every row read: sent, delivered, read → 3 events each, written by the listener meanwhile.
    await waitForStore(state, (c) => c.msg >= had.msg + n && c.ev >= had.ev + 3 * n);
    const report = JSON.parse((await run(['report', 'carga.csv', '--json'])).stdout);
    assert.equal(report.messages, n, 'the campaign defaults to the journal name');
    assert.equal(report.statuses.read.count, n);
    assert.equal(storeCounts(state).msg, had.msg + n);
  });

  it('a store that cannot be written costs one warning, never the send', async () => {
    const blocked = join(dir, 'a-file');
    writeFileSync(blocked, '');
    const res = await runCli(['send', 'text', '5511977775555', 'Olá', '--config', config], {
      env: { ...env(), INTERFLOW_STATE_DIR: blocked },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr.match(/warning: not recorded in the tracking store/g)?.length, 1, res.stderr);
  });

  it('bulk with a store that cannot be created ends, sends every row, warns once (a pseudo file system too)', async () => {
    // /proc/… made Node's recursive mkdir spin at 100 % CPU forever; the run never ended.
    writeFileSync(join(dir, 'a-file'), '');
    const blocked = [join(dir, 'a-file', 'below')];
    if (existsSync('/proc/self')) blocked.push('/proc/interflow-nonexistent');
    for (const [i, where] of blocked.entries()) {
      const rowsCsv = join(dir, `blocked-${i}.csv`);
      writeFileSync(rowsCsv, 'to,nome\n5511977776661,João\n5511977776662,Olá\n');
      const res = await runCli(['bulk', rowsCsv, '--text', 'Oi {{nome}}', '--json', '--config', config], {
        env: { ...env(), INTERFLOW_STATE_DIR: where },
      });
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { status: string });
      assert.deepEqual(
        lines.map((l) => l.status),
        ['sent', 'sent'],
        res.stdout,
      );
      assert.equal(res.stderr.match(/warning: not recorded in the tracking store/g)?.length, 1, res.stderr);
      assert.equal(existsSync(`${rowsCsv}.journal.lock`), false, 'the journal lock is released');
    }
  });
});
