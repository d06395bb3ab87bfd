/**
 * `interflow webhooks listen` end to end: the BUILT binary on a free port, signed events posted
 * with fetch, JSON lines on stdout (unicode byte-exact), refusals on stderr, exit 0 after SIGINT,
 * and the secret in no output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bin, cleanEnv, runCli } from './harness.js';

const SECRET = 'whsec_E2E_CANARY_7a6b5c4d3e';
const sign = (raw: Buffer) => 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'interflow-webhooks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('webhooks listen (built binary)', () => {
  test('prints verified events as JSON lines, refuses bad signatures, stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'webhooks', 'listen', '--port', '0', '--secret', 'HOOK_SECRET', '--verify-token', 'tok-e2e-verify'],
      {
        env: cleanEnv(dir, { HOOK_SECRET: SECRET }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL on stderr: ${Buffer.concat(err).toString()}`)), 60_000);
      child.stderr.on('data', (c: Buffer) => {
        err.push(c);
        const m = /listening for webhooks on (http:\/\/\S+)/.exec(Buffer.concat(err).toString('utf8'));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    try {
      const meta = {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                  statuses: [
                    {
                      id: 'wamid.E2E1',
                      status: 'failed',
                      timestamp: '1705314605',
                      recipient_id: '5511999999999',
                      errors: [{ code: 131047, title: 'Re-engagement message' }],
                    },
                  ],
                  messages: [
                    { from: '5511999999999', id: 'wamid.E2E2', timestamp: '1705314700', type: 'text', text: { body: 'Olá 🎉 São Paulo' } },
                  ],
                },
              },
            ],
          },
        ],
      };
      const raw = Buffer.from(JSON.stringify(meta), 'utf8');
      const ok = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw) },
        body: new Uint8Array(raw),
      });
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();

      const interflow = Buffer.from(
        JSON.stringify({
          event: 'message.status_updated',
          data: { message_id: 'msg_abc123xyz', status: 'delivered', timestamp: '2024-01-15T10:30:05Z' },
        }),
      );
      const ok2 = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(interflow) },
        body: new Uint8Array(interflow),
      });
      assert.equal(ok2.status, 200);
      await ok2.arrayBuffer();

      const bad = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw).replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
        body: new Uint8Array(raw),
      });
      assert.equal(bad.status, 403);
      await bad.arrayBuffer();

      const hs = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=tok-e2e-verify&hub.challenge=424242`);
      assert.equal(await hs.text(), '424242');

      // Wait for the lines to reach the pipes (the 60 s limit only names what never came).
      const deadline = Date.now() + 60_000;
      const arrived = () =>
        Buffer.concat(out).toString('utf8').split('\n').length >= 4 && /^403 bad signature/m.test(Buffer.concat(err).toString('utf8'));
      while (!arrived() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.kill('SIGINT');
    }
    const code = await exited;
    const stdoutBytes = Buffer.concat(out);
    const stdout = stdoutBytes.toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    assert.equal(code, 0, stderr);

    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3, stdout);
    assert.deepEqual(
      lines.map((l) => [l.provider, l.kind, l.messageId, l.status ?? null, l.errorCode ?? null]),
      [
        ['meta', 'status', 'wamid.E2E1', 'failed', '131047'],
        ['meta', 'message', 'wamid.E2E2', null, null],
        ['interflow', 'status', 'msg_abc123xyz', 'delivered', null],
      ],
    );
    assert.match(String(lines[0]!.hint), /24 h/);
    // Byte-exact unicode in the JSON line (not \u-escaped).
    assert.ok(stdoutBytes.includes(Buffer.from('"text":"Olá 🎉 São Paulo"', 'utf8')), stdout);

    assert.match(stderr, /signatures: verified/);
    assert.match(stderr, /^403 bad signature from 127\.0\.0\.1$/m);
    assert.match(stderr, /stopped/);
    for (const text of [stdout, stderr]) {
      assert.ok(!text.includes(SECRET), 'the secret never appears');
      assert.ok(!text.includes('tok-e2e-verify'), 'the verify token never appears');
    }
  });

  test('--secret naming an unset variable exits 2 naming it', async () => {
    const res = await runCli(['webhooks', 'listen', '--port', '0', '--secret', 'UNSET_VAR'], { env: cleanEnv(dir) });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /UNSET_VAR/);
    assert.equal(res.stdout, '');
  });

  test('--help lists the flags and examples', async () => {
    const res = await runCli(['webhooks', 'listen', '--help'], { env: cleanEnv(dir) });
    assert.equal(res.code, 0);
    for (const flag of ['--port', '--host', '--path', '--secret', '--verify-token', '--forward', '--max-body', 'Examples:']) {
      assert.ok(res.stdout.includes(flag), flag);
    }
  });
});
