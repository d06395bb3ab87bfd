/**
 * `bulk --json`'s lines (README.md, Bulk sends): the line a row gets is written by hand
 * (outcomeJsonLine), and must be byte for byte what jsonLine(publicOutcome(o)) writes — the same
 * keys in the same order, the same escapes, terminal controls made inert — and never carries the
 * runner's own fields (the error class).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outcomeJsonLine, publicOutcome } from '../../src/commands/bulk/run.js';
import { jsonLine } from '../../src/output/format.js';
import type { RowOutcome } from '../../src/bulk/types.js';

const outcomes: RowOutcome[] = [
  { row: 2, to: '5511910000001', status: 'sent', id: 'msg_1', attempts: 1 },
  { row: 3, to: '5511910000002', status: 'sent', id: 'msg_2', attempts: 2, profile: 'b' },
  { row: 4, status: 'failed', error: { code: 'MISSING_COLUMN', message: "row 4: column 'to' is missing" }, attempts: 0 },
  {
    row: 5,
    to: '5511910000003',
    status: 'failed',
    error: { status: 404, code: 'TEMPLATE_NOT_FOUND', message: 'no "pedido" template', retryable: true, hint: 'approve it' },
    attempts: 1,
    errorClass: 'template',
  },
  { row: 6, to: '', id: '', status: 'unknown', error: { status: 500, code: 'X', message: 'a\u0085b\u2028c\u202ed\u007f\u001b[2J\ttab' } },
  {
    row: 7,
    to: '5511910000004',
    status: 'skipped',
    error: { code: 'JOURNAL', message: 'sent by an earlier run' },
    fromJournal: true,
    attempts: 0,
  },
  { row: 8, to: '5511910000005', status: 'sent', id: 'id "quoted" \\ é 🎉', profile: 'p\u009bq', fromJournal: false },
  { row: 9, to: '5511910000006', status: 'failed', error: { code: 'E', message: 'm', status: undefined }, errorClass: 'fail' },
];

describe('bulk --json lines', () => {
  test('written by hand, byte for byte what jsonLine(publicOutcome(o)) writes', () => {
    for (const o of outcomes) assert.equal(outcomeJsonLine(o), jsonLine(publicOutcome(o)), JSON.stringify(o));
  });

  test("the runner's error class is not in the line", () => {
    for (const o of outcomes) assert.doesNotMatch(outcomeJsonLine(o), /errorClass|"class"/);
  });

  test('terminal controls inside values are written as \\u escapes', () => {
    const line = outcomeJsonLine(outcomes[4]!);
    assert.match(line, /a\\u0085b\\u2028c\\u202ed\\u007f\\u001b\[2J\\ttab/);
    assert.deepEqual(JSON.parse(line).error.message, outcomes[4]!.error!.message);
  });
});
