/**
 * The body and answer of `bulk --batch N` against the shape PRODUCT.md assumes for Interflow's
 * POST /messages/bulk (docs/providers/interflow.md, "Assumed where the documents are silent"):
 * `{"channel_id":"…","messages":[{"to":"…","type":"text","content":{…}}, …]}`, answered
 * `{"success":true,"data":{"results":[{"index":0,"success":true,"data":{"id":"msg_…","status":"queued"}},
 * {"index":1,"success":false,"error":{"code":"…","message":"…"}}]}}`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildMessage } from '../../src/message/build.js';
import { interflow, interflowBatch } from '../../src/providers/interflow.js';
import { profileFor } from '../fixtures/provider-examples.js';

const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
const profile = profileFor('interflow', { baseUrl: 'https://api.example.test/v1', channelId: CHANNEL });
const single = (to: string, text: string) =>
  interflow.buildSend(buildMessage('text', to, { text }, { profile, readFile: () => '' }), profile);

describe('interflow batch (POST /messages/bulk)', () => {
  test('the body is the channel once and each /messages/send body without channel_id', () => {
    const req = interflowBatch(100).build([single('5511999999991', 'Olá João'), single('5511999999992', 'São Paulo 🎉')]);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'https://api.example.test/v1/messages/bulk');
    assert.equal(req.headers.Authorization, `Bearer ${profile.apiKey}`);
    assert.equal(req.headers['Content-Type'], 'application/json');
    assert.deepEqual(req.body, {
      channel_id: CHANNEL,
      messages: [
        { to: '5511999999991', type: 'text', content: { text: 'Olá João' } },
        { to: '5511999999992', type: 'text', content: { text: 'São Paulo 🎉' } },
      ],
    });
    assert.equal(req.bodyText, JSON.stringify(req.body));
  });

  test("the answer's results are read by index: id for the accepted, code and message for the refused", () => {
    const answer = {
      success: true,
      data: {
        results: [
          { index: 1, success: false, error: { code: 'VALIDATION_ERROR', message: "Campo 'to' inválido" } },
          { index: 0, success: true, data: { id: 'msg_abc123', status: 'queued' } },
        ],
      },
    };
    assert.deepEqual(interflowBatch(2).parse(200, answer, 2), [
      { success: true, id: 'msg_abc123' },
      { success: false, status: 400, code: 'VALIDATION_ERROR', message: "Campo 'to' inválido" },
    ]);
  });

  test("a refused item's status is its own, else its code's, else the answer's: it classifies the refusal as a single send's", () => {
    const item = (index: number, code: string, status?: number): Record<string, unknown> => ({
      index,
      success: false,
      ...(status !== undefined ? { status } : {}),
      error: { code, message: code },
    });
    const answer = {
      success: true,
      data: {
        results: [item(0, 'SERVICE_UNAVAILABLE', 503), item(1, 'RATE_LIMIT_EXCEEDED'), item(2, 'UNAUTHORIZED'), item(3, 'SOMETHING_NEW')],
      },
    };
    const statuses = interflowBatch(4)
      .parse(200, answer, 4)
      .map((r) => (r.success ? undefined : r.status));
    assert.deepEqual(statuses, [503, 429, 401, 200]);
  });

  test('an answer missing an item, or not in the shape, is refused (its rows are then unknown)', () => {
    const one = { success: true, data: { results: [{ index: 0, success: true, data: { id: 'msg_a', status: 'queued' } }] } };
    assert.throws(() => interflowBatch(2).parse(200, one, 2));
    assert.throws(() => interflowBatch(2).parse(200, { success: true, data: { id: 'msg_a' } }, 1));
  });
});
