/**
 * `interflow bulk` end to end on CSV conformance material (test/fixtures/csv/SOURCES.md): records
 * from PapaParse's test cases (and the examples), each after a recipient cell, sent to the sandbox
 * and dry-run. Well-formed records reach the server byte-exact; malformed ones (RFC 4180) and
 * rows longer than the header fail with the line and the column, and the run goes on.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startWorld, type World } from './harness.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'csv');
const papa = JSON.parse(readFileSync(join(fixtures, 'papaparse', 'cases.json'), 'utf8')) as { description: string; input: string }[];
const input = (description: string): string => {
  const c = papa.find((x) => x.description === description);
  assert.ok(c, description);
  return c.input;
};

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const phone = (i: number): string => `55119800000${String(i).padStart(2, '0')}`;

/** A CSV with a header `to,c1,c2,c3`, then each record after a recipient cell. */
function buildCsv(records: string[]): { path: string; text: string } {
  let text = 'to,c1,c2,c3\n';
  records.forEach((r, i) => {
    text += `${phone(i)},${r}\n`;
  });
  const path = join(world.dir, `corpus-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, text);
  return { path, text };
}

describe('bulk on conformance corpora', () => {
  const records = [
    input('Quoted field with escaped quotes'), // line 2: A,"B""B""B",C
    input('Quoted field with escaped quotes at boundaries'), // 3: A,"""B""",C
    input('Quoted field with delimiter'), // 4: A,"B,B",C
    input('Quoted field with line break'), // 5-6: A,"B\nB",C
    input('Unquoted field with quotes at end of field'), // 7: A,B",C — RFC 4180 §2.5
    input('Quoted fields with spaces between closing quote and next delimiter').split('\r\n')[0]!.split(',').slice(0, 3).join(','), // 8: A,"B" ,C
    '1,"Hey, I missed " it",3', // 9: the example
    'A,B,C,surplus', // 10: more cells than the header
    'A,caf\uFFFD,C', // 11: U+FFFD written in the file is text
    '"b,c\nd"e,x,y', // 12-13: text after a closing quote on the record's second line
    'Olá,São Paulo,🎉', // 14
  ];

  test('sent: well-formed records byte-exact; failed: stray quotes (line, column) and long rows; exit 3', async () => {
    const { path } = buildCsv(records);
    const before = world.sandbox.accepted().length;
    const r = await world.run(['bulk', path, '--text', '{{c1}}|{{c2}}|{{c3}}', '--json', '--profile', 'interflow']);
    assert.equal(r.code, 3, r.stderr);
    const out = r.lines;
    const byRow = new Map(out.map((o) => [o.row, o]));
    assert.deepEqual(
      [...byRow.keys()].sort((a, b) => a - b),
      [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14],
    );
    for (const row of [2, 3, 4, 5, 11, 14]) assert.equal(byRow.get(row)!.status, 'sent', JSON.stringify(byRow.get(row)));
    for (const row of [7, 8, 9, 10, 12]) assert.equal(byRow.get(row)!.status, 'failed', JSON.stringify(byRow.get(row)));
    assert.equal(byRow.get(7)!.error.code, 'STRAY_QUOTE');
    assert.match(byRow.get(7)!.error.message, /^row 7: line 7, column 3 \('c2'\): a " inside a cell that does not start with one/);
    assert.match(byRow.get(8)!.error.message, /^row 8: line 8, column 3 \('c2'\): text after the closing " of a quoted cell/);
    assert.match(byRow.get(9)!.error.message, /^row 9: line 9, column 3 \('c2'\): text after the closing "/);
    assert.equal(byRow.get(10)!.error.code, 'EXTRA_CELLS');
    assert.match(byRow.get(10)!.error.message, /^row 10: 5 cells, but the header has 4 columns/);
    assert.match(byRow.get(12)!.error.message, /^row 12: line 13, column 2 \('c1'\): text after the closing "/);
    assert.match(r.stderr, /6 sent, 5 failed/);

    const got = world.sandbox.accepted().slice(before);
    const text = (to: string) => (got.find((a) => a.to === to)?.body as { content?: { text?: string } } | undefined)?.content?.text;
    assert.equal(got.length, 6);
    assert.equal(text(phone(0)), 'A|B"B"B|C');
    assert.equal(text(phone(1)), 'A|"B"|C');
    assert.equal(text(phone(2)), 'A|B,B|C');
    assert.equal(text(phone(3)), 'A|B\nB|C');
    assert.equal(text(phone(8)), 'A|caf\uFFFD|C');
    assert.equal(text(phone(10)), 'Olá|São Paulo|🎉');
  });

  test('--dry-run: the same verdicts, nothing sent', async () => {
    const { path } = buildCsv(records);
    const before = world.sandbox.stats().requests;
    const r = await world.run(['bulk', path, '--text', '{{c1}}|{{c2}}|{{c3}}', '--dry-run', '--profile', 'interflow']);
    assert.equal(r.code, 3, r.stderr);
    const out = r.lines;
    assert.deepEqual(
      out.filter((o) => o.request).map((o) => o.row),
      [2, 3, 4, 5, 11, 14],
    );
    assert.deepEqual(
      out.filter((o) => o.status === 'failed').map((o) => [o.row, o.error.code]),
      [
        [7, 'STRAY_QUOTE'],
        [8, 'STRAY_QUOTE'],
        [9, 'STRAY_QUOTE'],
        [10, 'EXTRA_CELLS'],
        [12, 'STRAY_QUOTE'],
      ],
    );
    assert.equal(out.find((o) => o.row === 3)!.request.body.content.text, 'A|"B"|C');
    assert.equal(world.sandbox.stats().requests, before, 'nothing sent');
    assert.match(r.stderr, /6 row\(s\) would be sent, 5 failed validation/);
  });
});
