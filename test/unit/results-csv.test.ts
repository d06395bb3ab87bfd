/**
 * `bulk --output`'s CSV, line by line: the exact columns, RFC 4180 quoting, formula cells made
 * inert with a leading apostrophe (README.md, Bulk sends), UTF-8 kept; and every line reads back
 * with csv-parse to the cells written.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { RESULTS_CSV_HEADER, resultsCsvLine } from '../../src/bulk/results-csv.js';
import type { RowOutcome } from '../../src/bulk/types.js';

const failed = (message: string, code = 'VALIDATION_ERROR'): RowOutcome => ({
  row: 7,
  to: '5511999999999',
  status: 'failed',
  error: { code, message },
});

describe('results CSV', () => {
  test('header: row,to,status,id,error_code,error_message', () => {
    assert.equal(RESULTS_CSV_HEADER, 'row,to,status,id,error_code,error_message\n');
  });

  test('a sent row: plain cells, empty error cells, one newline', () => {
    assert.equal(resultsCsvLine({ row: 2, to: '5511999990001', status: 'sent', id: 'msg_abc123' }), '2,5511999990001,sent,msg_abc123,,\n');
  });

  test('a row with no recipient and no id keeps every column', () => {
    assert.equal(
      resultsCsvLine({ row: 3, status: 'failed', error: { code: 'VALIDATION', message: 'bad number' } }),
      '3,,failed,,VALIDATION,bad number\n',
    );
  });

  test('commas, quotes and line breaks are quoted, quotes doubled', () => {
    assert.equal(resultsCsvLine(failed('Campo "to", inválido')), '7,5511999999999,failed,,VALIDATION_ERROR,"Campo ""to"", inválido"\n');
    assert.equal(resultsCsvLine(failed('linha 1\nlinha 2')), '7,5511999999999,failed,,VALIDATION_ERROR,"linha 1\nlinha 2"\n');
  });

  const formulas: [string, string][] = [
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+55 11', "'+55 11"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ];
  for (const [cell, written] of formulas) {
    test(`a cell starting with ${JSON.stringify(cell[0])} gets a leading apostrophe`, () => {
      assert.equal(resultsCsvLine(failed(cell)), `7,5511999999999,failed,,VALIDATION_ERROR,${written}\n`);
      assert.equal(resultsCsvLine(failed('x', cell)), `7,5511999999999,failed,,${written},x\n`);
    });
  }

  test('UTF-8 and emoji are written as they are', () => {
    assert.equal(resultsCsvLine(failed('João em São Paulo 🎉', 'Olá')), '7,5511999999999,failed,,Olá,João em São Paulo 🎉\n');
  });

  test('every line reads back to the cells written (formula cells with their apostrophe)', () => {
    const rows: RowOutcome[] = [
      { row: 2, to: '5511999990001', status: 'sent', id: 'msg_1' },
      failed('a, "b"\nc'),
      failed('=1+1', '@x'),
      { row: 9, to: '5511999990009', status: 'unknown', error: { code: 'TIMEOUT', message: 'no answer in 30 s' } },
    ];
    const text = RESULTS_CSV_HEADER + rows.map(resultsCsvLine).join('');
    const back = parse(text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(back, [
      { row: '2', to: '5511999990001', status: 'sent', id: 'msg_1', error_code: '', error_message: '' },
      { row: '7', to: '5511999999999', status: 'failed', id: '', error_code: 'VALIDATION_ERROR', error_message: 'a, "b"\nc' },
      { row: '7', to: '5511999999999', status: 'failed', id: '', error_code: "'@x", error_message: "'=1+1" },
      { row: '9', to: '5511999990009', status: 'unknown', id: '', error_code: 'TIMEOUT', error_message: 'no answer in 30 s' },
    ]);
  });
});
