/**
 * parseSendResponse / parseError for each provider's documented envelopes, and the hints.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderId } from '../../src/config/profile.js';
import { ProviderError } from '../../src/errors.js';
import { errorHint, metaErrorHint, providers } from '../../src/providers/index.js';

function assertBadResponse(id: ProviderId, status: number, body: unknown): void {
  assert.throws(
    () => providers[id].parseSendResponse(status, body),
    (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.info.code, 'BAD_RESPONSE');
      assert.equal(e.info.status, status);
      assert.equal(e.exitCode, 1);
      assert.match(
        e.message,
        new RegExp(
          `^${id} gave an answer that could not be read \\(${status} BAD_RESPONSE\\): answered ${status} without the documented success body`,
        ),
      );
      assert.deepStrictEqual(e.response, body);
      return true;
    },
    `${id} ${JSON.stringify(body)}`,
  );
}

describe('interflow', () => {
  const p = providers.interflow;

  test('201 success (docs/providers/interflow.md)', () => {
    const body = {
      success: true,
      data: {
        id: 'msg_abc123xyz',
        channel_id: '550e8400-e29b-41d4-a716-446655440000',
        to: '5511999999999',
        type: 'text',
        status: 'sent',
        content: { text: 'Olá! Esta é uma mensagem de teste.' },
        created_at: '2024-01-15T10:30:00Z',
      },
    };
    assert.deepStrictEqual(p.parseSendResponse(201, body), { id: 'msg_abc123xyz', status: 'sent' });
    assert.deepStrictEqual(p.parseSendResponse(200, { success: true, data: { id: 'msg_abc123', status: 'PENDING' } }), {
      id: 'msg_abc123',
      status: 'pending',
    });
  });

  test('2xx without the documented shape', () => {
    for (const body of [
      undefined,
      '',
      'OK',
      {},
      { success: false },
      { success: true, data: {} },
      { success: true, data: { id: 'x' } },
      { data: { id: 'x', status: 'sent' } },
    ]) {
      assertBadResponse('interflow', 201, body);
    }
  });

  test('400 VALIDATION_ERROR names each field', () => {
    const body = {
      success: false,
      error: { code: 'VALIDATION_ERROR', message: "Campo 'to' é obrigatório", details: [{ field: 'to', message: 'Campo obrigatório' }] },
    };
    const info = p.parseError(400, body);
    assert.equal(info.status, 400);
    assert.equal(info.code, 'VALIDATION_ERROR');
    assert.equal(info.message, "Campo 'to' é obrigatório (to: Campo obrigatório)");
    assert.deepStrictEqual(info.details, [{ field: 'to', message: 'Campo obrigatório' }]);
    assert.match(errorHint('interflow', info)!, /fields named above/);

    const two = p.parseError(400, {
      success: false,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'Dados inválidos',
        details: [
          { field: 'to', message: 'Campo obrigatório' },
          { field: 'content.text', message: 'Texto muito longo' },
        ],
      },
    });
    assert.match(two.message, /to: Campo obrigatório/);
    assert.match(two.message, /content\.text: Texto muito longo/);
  });

  test('404 CHANNEL_NOT_FOUND and 422 CHANNEL_DISCONNECTED', () => {
    const notFound = p.parseError(404, { success: false, error: { code: 'CHANNEL_NOT_FOUND', message: 'Canal não encontrado' } });
    assert.deepStrictEqual(notFound, { status: 404, code: 'CHANNEL_NOT_FOUND', message: 'Canal não encontrado' });
    assert.match(errorHint('interflow', notFound)!, /channelId/);
    const disconnected = p.parseError(422, {
      success: false,
      error: { code: 'CHANNEL_DISCONNECTED', message: 'O canal está desconectado' },
    });
    assert.deepStrictEqual(disconnected, { status: 422, code: 'CHANNEL_DISCONNECTED', message: 'O canal está desconectado' });
    assert.match(errorHint('interflow', disconnected)!, /reconnect/);
    const e = new ProviderError('interflow', disconnected, { hint: errorHint('interflow', disconnected) });
    assert.equal(e.exitCode, 1);
    assert.deepStrictEqual(e.toJSON(), {
      status: 422,
      code: 'CHANNEL_DISCONNECTED',
      message: 'O canal está desconectado',
      hint: errorHint('interflow', disconnected),
    });
  });

  test('401/403 and unknown bodies', () => {
    for (const body of [undefined, '', {}, { foo: 1 }]) {
      const info = p.parseError(401, body);
      assert.deepStrictEqual(info, { status: 401, code: 'HTTP_401', message: "Unauthorized — check the profile's apiKey" });
      assert.match(errorHint('interflow', info)!, /apiKey.*interflow profiles show/);
      assert.equal(new ProviderError('interflow', info).exitCode, 4);
    }
    const forbidden = p.parseError(403, { success: false, error: { code: 'FORBIDDEN', message: 'Sem permissão messages:write' } });
    assert.equal(forbidden.code, 'FORBIDDEN');
    assert.match(errorHint('interflow', forbidden)!, /apiKey/);
    const html = p.parseError(502, '<html><body>Bad Gateway</body></html>');
    assert.equal(html.code, 'HTTP_502');
    assert.match(html.message, /^Bad Gateway/);
    assert.equal(html.details, '<html><body>Bad Gateway</body></html>');
    assert.equal(p.parseError(418, undefined).message, 'HTTP 418');
  });
});

describe('interacto', () => {
  const p = providers.interacto;

  test('201 success (docs/providers/interacto.md): status lowercased', () => {
    const body = {
      statusCode: 201,
      message: 'request successful',
      data: {
        id: '66b3c041eac929f51c6f160f',
        instanceId: '66a09db606fd14660c8fc1d0',
        to: '551198888888',
        midia: { name: 'Joe Doe', phone: '5511999999999' },
        status: 'QUEUED',
        sended: false,
        priority: 123,
        timestamp: '2023-11-07T05:31:56Z',
        metadata: {},
      },
    };
    assert.deepStrictEqual(p.parseSendResponse(201, body), { id: '66b3c041eac929f51c6f160f', status: 'queued' });
  });

  test('2xx without the documented shape', () => {
    for (const body of [undefined, {}, { statusCode: 201, message: 'request successful' }, { data: { id: 1, status: 'QUEUED' } }]) {
      assertBadResponse('interacto', 201, body);
    }
  });

  test('NestJS errors', () => {
    const many = p.parseError(400, {
      statusCode: 400,
      message: ['to must be a string', 'contact.phone should not be empty'],
      error: 'Bad Request',
    });
    assert.deepStrictEqual(many, {
      status: 400,
      code: 'BAD_REQUEST',
      message: 'to must be a string; contact.phone should not be empty',
      details: ['to must be a string', 'contact.phone should not be empty'],
    });
    const one = p.parseError(401, { statusCode: 401, message: 'Unauthorized' });
    assert.deepStrictEqual(one, { status: 401, code: 'HTTP_401', message: 'Unauthorized' });
    assert.match(errorHint('interacto', one)!, /apiKey and instanceId/);
    const notFound = p.parseError(404, { statusCode: 404, message: 'Instance not found', error: 'Not Found' });
    assert.equal(notFound.code, 'NOT_FOUND');
    assert.equal(p.parseError(401, undefined).message, "Unauthorized — check the profile's apiKey and instanceId");
  });
});

describe('turn', () => {
  const p = providers.turn;

  test('success {messages:[{id}]}', () => {
    assert.deepStrictEqual(p.parseSendResponse(201, { messages: [{ id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU' }] }), {
      id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
      status: 'sent',
    });
    for (const body of [undefined, {}, { messages: [] }, { messages: [{}] }, { message: { id: 'x' } }])
      assertBadResponse('turn', 200, body);
  });

  test('on-premise errors[]: code as a string, "title: details"', () => {
    const info = p.parseError(400, {
      errors: [{ code: 1008, title: 'Required parameter is missing', details: "Parameter 'to' is required" }],
    });
    assert.deepStrictEqual(info, { status: 400, code: '1008', message: "Required parameter is missing: Parameter 'to' is required" });
    const many = p.parseError(400, {
      errors: [
        { code: 1008, title: 'Required parameter is missing' },
        { code: 1009, title: 'Parameter value is not valid', details: 'bad' },
      ],
    });
    assert.equal(many.message, 'Required parameter is missing');
    assert.deepStrictEqual(many.details, [{ code: 1009, title: 'Parameter value is not valid', details: 'bad' }]);
  });

  test('a Meta envelope too', () => {
    const info = p.parseError(400, {
      error: {
        message: '(#131047) Re-engagement message',
        type: 'OAuthException',
        code: 131047,
        error_data: {
          messaging_product: 'whatsapp',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
        fbtrace_id: 'AbCdEf',
      },
    });
    assert.equal(info.code, '131047');
    assert.match(info.message, /^\(#131047\) Re-engagement message: Message failed to send because more than 24 hours/);
    assert.match(errorHint('turn', info)!, /template/);
    assert.equal(p.parseError(401, 'Unauthorized').code, 'HTTP_401');
  });
});

describe('socialminer', () => {
  const p = providers.socialminer;

  test('success {messages:[{id}]} (docs/providers/socialminer.md)', () => {
    assert.deepStrictEqual(
      p.parseSendResponse(200, { messages: [{ id: 'wamid.HBgNNTUxMTk0ODQ4OTUwMBUCABEYEjhFNzNBRUUwMEQzNEQ4NTkwQgA=' }] }),
      {
        id: 'wamid.HBgNNTUxMTk0ODQ4OTUwMBUCABEYEjhFNzNBRUUwMEQzNEQ4NTkwQgA=',
        status: 'sent',
      },
    );
    assertBadResponse('socialminer', 200, { messages: 'wamid.x' });
  });

  test('Meta error envelope', () => {
    const info = p.parseError(429, {
      error: {
        message: '(#130429) Rate limit hit',
        type: 'OAuthException',
        code: 130429,
        error_subcode: 2494055,
        fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      },
    });
    assert.deepStrictEqual(info, {
      status: 429,
      code: '130429',
      message: '(#130429) Rate limit hit',
      details: { type: 'OAuthException', error_subcode: 2494055, fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam' },
    });
    assert.match(errorHint('socialminer', info)!, /throughput/);
  });

  test("the gateway's own answers", () => {
    const kong = p.parseError(401, { message: 'No API key found in request' });
    assert.deepStrictEqual(kong, {
      status: 401,
      code: 'HTTP_401',
      message: "Unauthorized — check the profile's apiKey (No API key found in request)",
    });
    assert.match(errorHint('socialminer', kong)!, /apiKey/);
    assert.equal(p.parseError(503, undefined).code, 'HTTP_503');
    assert.match(p.parseError(503, undefined).message, /try again later/);
  });
});

describe('hints', () => {
  test('metaErrorHint covers the codes in docs/providers/meta.md', () => {
    const expected: Record<string, RegExp> = {
      '130429': /throughput/,
      '131056': /this one recipient.*other recipients may go on/,
      '80007': /rate limit/,
      '4': /rate limit/,
      '131047': /24 hours.*template/,
      '131026': /could not be delivered/,
      '132000': /number of template parameters/,
      '132001': /template does not exist in that language or is not approved/,
      '132012': /format/,
      '100': /invalid parameter/,
      '190': /access token/,
    };
    for (const [code, pattern] of Object.entries(expected)) {
      const hint = metaErrorHint(code);
      assert.ok(hint, code);
      assert.match(hint, pattern, code);
      assert.ok(!hint.includes('\n'));
    }
    assert.equal(metaErrorHint('999999'), undefined);
    assert.equal(metaErrorHint('toString'), undefined);
  });

  test("Turn's on-premises codes get the same hints as their Cloud API twins; SocialMiner's do not", () => {
    const turn = (code: string) => errorHint('turn', { status: 400, code, message: '' });
    assert.match(turn('470')!, /24 hours.*template/);
    assert.match(turn('2000')!, /number of template parameters/);
    assert.match(turn('2001')!, /not approved/);
    assert.match(turn('1013')!, /could not be delivered/);
    assert.match(turn('1015')!, /lower --rate/);
    assert.match(turn('1005')!, /apiKey/);
    assert.equal(errorHint('socialminer', { status: 400, code: '470', message: '' }), undefined);
  });

  test('errorHint falls back on the status', () => {
    assert.match(errorHint('turn', { status: 403, code: 'HTTP_403', message: '' })!, /apiKey/);
    assert.match(errorHint('interacto', { status: 429, code: 'HTTP_429', message: '' })!, /rate/);
    assert.match(errorHint('turn', { status: 404, code: 'HTTP_404', message: '' })!, /baseUrl/);
    assert.equal(errorHint('interflow', { status: 500, code: 'HTTP_500', message: '' }), undefined);
    // Interflow's codes are not Meta's.
    assert.equal(errorHint('interflow', { status: 400, code: '100', message: '' }), undefined);
  });
});
