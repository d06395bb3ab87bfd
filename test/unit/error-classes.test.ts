/**
 * The provider error classes (src/providers/error-classes.ts): the README's table is this table,
 * each code lands in its class whatever HTTP status it comes with, the HTTP fallback is the retry
 * rule's (src/bulk/retry.ts), and the sandbox can answer every Meta code of it (so each class can
 * be tested end to end: test/e2e/bulk-error-classes.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { verdictForStatus } from '../../src/bulk/retry.js';
import { ExitCode } from '../../src/errors.js';
import { ERROR_CLASSES, classifyError, recipientBackoffMs, refusalExitCode, type ErrorClass } from '../../src/providers/error-classes.js';
import { providers } from '../../src/providers/index.js';
import { interactoRefusal } from '../../src/sandbox/interacto.js';
import { interflowRefusal } from '../../src/sandbox/interflow.js';
import { refusalKind, type RefusalKind } from '../../src/sandbox/meta-errors.js';
import { REFUSAL_CODES } from '../../src/sandbox/server.js';

const BEGIN = '<!-- error-classes: written from src/providers/error-classes.ts; test/unit/error-classes.test.ts checks it -->';
const END = '<!-- /error-classes -->';

const families = [
  ['meta', 'Meta (Turn, SocialMiner)'],
  ['turn', 'Turn on-premise'],
  ['interflow', 'Interflow'],
  ['interacto', 'Interacto'],
  ['http', 'HTTP, any provider'],
] as const;

/** The README's table for ERROR_CLASSES. */
function markdown(classes: readonly ErrorClass[]): string {
  const rows = classes.map((c) => {
    const codes = families
      .filter(([family]) => c[family]?.length)
      .map(
        ([family, label]) =>
          `${label}: ${c[family]!.map((code) => (/^\dxx$/.test(code) ? `any other ${code}` : `\`${code}\``)).join(', ')}`,
      )
      .join('; ');
    return `| ${c.title} | ${codes} | ${c.does} |`;
  });
  return [BEGIN, '| class | codes | what bulk does |', '|---|---|---|', ...rows, END].join('\n');
}

describe("README.md's error-class table", () => {
  test('is the table in the code, word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, `README.md has no table between ${BEGIN} and ${END}`);
    const expected = markdown(ERROR_CLASSES);
    assert.equal(
      readme.slice(start, end + END.length),
      expected,
      `README.md's error-class table differs from src/providers/error-classes.ts; it should read:\n${expected}`,
    );
  });
});

describe('classifyError', () => {
  const id = (provider: Parameters<typeof classifyError>[0], status: number, code: string): string =>
    classifyError(provider, { status, code }).id;

  test("a code decides before its status: Meta's codes as Turn and SocialMiner return them", () => {
    for (const provider of ['turn', 'socialminer'] as const) {
      assert.equal(id(provider, 403, '368'), 'stop', '368 comes with 403 but is no refused key');
      assert.equal(id(provider, 403, '131031'), 'stop');
      assert.equal(id(provider, 400, '131042'), 'stop');
      assert.equal(id(provider, 429, '131048'), 'stop', 'spam: retrying makes it worse');
      assert.equal(id(provider, 401, '190'), 'stop-auth');
      assert.equal(id(provider, 400, '190'), 'stop-auth', '190 is the token, whatever the status');
      assert.equal(id(provider, 429, '130429'), 'retry');
      assert.equal(id(provider, 400, '130429'), 'retry');
      assert.equal(id(provider, 500, '131057'), 'retry', 'maintenance: surely not accepted');
      assert.equal(id(provider, 429, '131056'), 'retry-recipient');
      for (const code of ['132000', '132001', '132005', '132007', '132012', '132015', '132016'])
        assert.equal(id(provider, 400, code), 'template');
      for (const code of ['131026', '131047', '131051', '131052', '131053']) assert.equal(id(provider, 400, code), 'fail');
      assert.equal(id(provider, 500, '131000'), 'unknown', 'an unknown code: its status decides');
    }
    assert.equal(id('turn', 429, '1015'), 'retry');
    assert.equal(id('turn', 400, '2001'), 'template');
    assert.equal(id('turn', 401, '1005'), 'stop-auth');
    assert.equal(id('socialminer', 400, '1015'), 'fail', "Turn's on-premise numbers are Turn's only");
  });

  test("Interflow's codes are its own; so are Interacto's NestJS error names", () => {
    assert.equal(id('interflow', 422, 'CHANNEL_DISCONNECTED'), 'stop');
    assert.equal(id('interflow', 404, 'CHANNEL_NOT_FOUND'), 'stop');
    assert.equal(id('interflow', 400, 'VALIDATION_ERROR'), 'fail');
    assert.equal(id('interflow', 400, '131056'), 'fail', "Meta's codes are not Interflow's");
    assert.equal(id('interacto', 429, 'TOO_MANY_REQUESTS'), 'retry');
    assert.equal(id('interacto', 401, 'UNAUTHORIZED'), 'stop-auth');
    assert.equal(id('interacto', 404, 'NOT_FOUND'), 'stop', 'the instance (or the base URL) is not found: every row would be');
    assert.equal(id('interacto', 422, 'UNPROCESSABLE_ENTITY'), 'stop', 'the instance is disconnected');
    assert.equal(id('interacto', 400, 'BAD_REQUEST'), 'fail');
    assert.equal(id('interflow', 404, 'NOT_FOUND'), 'fail', "Interacto's names are not Interflow's");
  });

  test("the sandbox's Interflow and Interacto answers to every --refuse code land in the class of the situation", () => {
    const expected: Record<RefusalKind, ErrorClass['id']> = {
      auth: 'stop-auth',
      rate: 'retry',
      unavailable: 'retry',
      blocked: 'stop',
      recipient: 'fail',
      template: 'fail',
      message: 'fail',
    };
    for (const code of REFUSAL_CODES) {
      const answers = [
        ['interflow', interflowRefusal(code, { to: '5511999999999' })],
        ['interacto', interactoRefusal(code, '66a09db606fd14660c8fc1d0')],
      ] as const;
      for (const [provider, answer] of answers) {
        const info = providers[provider].parseError(answer.status, answer.body);
        assert.equal(classifyError(provider, info).id, expected[refusalKind(code)], `${provider} answering ${code} (${info.code})`);
        if (expected[refusalKind(code)] === 'stop-auth') assert.equal(refusalExitCode(provider, info), ExitCode.auth);
      }
    }
  });

  test("with no code of its own, the HTTP status gives the retry rule's verdict", () => {
    const expected = { retry: 'retry', auth: 'stop-auth', unknown: 'unknown', failed: 'fail', sent: 'fail' } as const;
    for (let status = 300; status < 600; status++) {
      for (const provider of ['interflow', 'interacto', 'turn', 'socialminer'] as const) {
        assert.equal(id(provider, status, `HTTP_${status}`), expected[verdictForStatus(status)], `${provider} ${status}`);
      }
    }
  });

  test('exit codes: 4 for a refused key or token, else 1', () => {
    assert.equal(refusalExitCode('socialminer', { status: 400, code: '190' }), ExitCode.auth);
    assert.equal(refusalExitCode('turn', { status: 403, code: '368' }), ExitCode.failure);
    assert.equal(refusalExitCode('interacto', { status: 403, code: 'FORBIDDEN' }), ExitCode.auth);
  });

  test("Meta's pair rate: 4^n seconds", () => {
    assert.deepEqual([0, 1, 2, 3].map(recipientBackoffMs), [1000, 4000, 16000, 64000]);
  });

  test('the sandbox can answer every Meta code of the table', () => {
    const meta = ERROR_CLASSES.flatMap((c) => c.meta ?? []).map(Number);
    assert.deepEqual(
      meta.filter((code) => !REFUSAL_CODES.includes(code)),
      [],
    );
  });
});
