/**
 * Bulk CSV input: real-world files (BOM, CRLF, `;`, tabs, quoted newlines, blank lines, short and
 * long rows, spreadsheet-mangled phones, non-UTF-8), editor row numbers, errors that name the line,
 * and streaming in flat memory with backpressure.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { detectDelimiter, openCsv, spreadsheetMangled } from '../../src/bulk/csv.js';
import type { CsvRow } from '../../src/bulk/types.js';
import { ExitCode, UsageError, ValidationError } from '../../src/errors.js';

/** A stream of the bytes in chunks of `chunk` bytes (0: one chunk). */
function streamOf(input: string | Buffer, chunk = 0): Readable {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  function* chunks(): Generator<Buffer> {
    if (chunk <= 0) {
      if (buf.length) yield buf;
      return;
    }
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function all(input: string | Buffer, opts: { chunk?: number; delimiter?: string } = {}) {
  const csv = await openCsv(streamOf(input, opts.chunk), { source: 'test.csv', delimiter: opts.delimiter });
  const rows: CsvRow[] = [];
  for await (const r of csv.rows) rows.push(r);
  return { ...csv, list: rows };
}

async function refuses(
  input: string | Buffer,
  kind: typeof UsageError | typeof ValidationError,
  pattern: RegExp,
  opts: { delimiter?: string } = {},
) {
  await assert.rejects(all(input, opts), (err: unknown) => {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.usage);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('bulk csv: formats', () => {
  test('BOM, CRLF and ; (detected from the header)', async () => {
    const r = await all('\uFEFFto;name;city\r\n5511999999999;João;São Paulo\r\n5511888888888;"Silva; Ana";Rio\r\n');
    assert.deepEqual(r.columns, ['to', 'name', 'city']);
    assert.equal(r.delimiter, ';');
    assert.deepEqual(
      r.list.map((x) => [x.row, x.cells]),
      [
        [2, { to: '5511999999999', name: 'João', city: 'São Paulo' }],
        [3, { to: '5511888888888', name: 'Silva; Ana', city: 'Rio' }],
      ],
    );
  });

  test('tab, pipe and comma are detected; ties and one-column headers give ,', () => {
    const d = (s: string) => detectDelimiter(Buffer.from(s));
    assert.equal(d('to\tname\tcity\n1\t2\t3'), '\t');
    assert.equal(d('to|name\n'), '|');
    assert.equal(d('to,name;x\n'), ',');
    assert.equal(d('to;name\tx\n'), ',');
    assert.equal(d('phone\n1'), ',');
    assert.equal(d('"a;b;c",d\n'), ',', 'delimiters inside quotes do not count');
    assert.equal(d('\r\n\nto;name\n'), ';', 'leading blank lines are skipped');
  });

  test('tab-separated file', async () => {
    const r = await all('to\tname\n5511999999999\tJoão da Silva\n');
    assert.equal(r.delimiter, '\t');
    assert.deepEqual(r.list[0]!.cells, { to: '5511999999999', name: 'João da Silva' });
  });

  test('quoted fields hold delimiters, doubled quotes and line breaks (LF and CRLF kept as written)', async () => {
    const r = await all('to,msg,note\n1,"Olá, João","He said ""oi"""\n2,"line 1\nline 2","a\r\nb"\n3,5" screen,x\n');
    assert.deepEqual(
      r.list.map((x) => x.cells),
      [
        { to: '1', msg: 'Olá, João', note: 'He said "oi"' },
        { to: '2', msg: 'line 1\nline 2', note: 'a\r\nb' },
        { to: '3', msg: '5" screen', note: 'x' },
      ],
    );
  });

  test('every cell stays a string, exactly as written; header names are trimmed', async () => {
    const r = await all(' to , name ,n\n007,  spaced  ,1e3\n+55 (11) 99999-9999,true,\n');
    assert.deepEqual(r.columns, ['to', 'name', 'n']);
    assert.deepEqual(r.list[0]!.cells, { to: '007', name: '  spaced  ', n: '1e3' });
    assert.deepEqual(r.list[1]!.cells, { to: '+55 (11) 99999-9999', name: 'true', n: '' });
    for (const row of r.list) for (const v of Object.values(row.cells)) assert.equal(typeof v, 'string');
  });

  test('short rows list what is missing (absent, not empty); long rows count the extra cells and are a problem', async () => {
    const r = await all('to,name,order_id\n1,Ana\n2\n3,Bia,77,surplus,more\n4,Caio,\n');
    // `end`: bytes read through the record (the header is 17 bytes, then each line's length).
    assert.deepEqual(r.list[0], { row: 2, cells: { to: '1', name: 'Ana' }, missing: ['order_id'], extra: 0, end: 23 });
    assert.deepEqual(r.list[1], { row: 3, cells: { to: '2' }, missing: ['name', 'order_id'], extra: 0, end: 25 });
    const { problem, ...long } = r.list[2]!;
    assert.deepEqual(long, { row: 4, cells: { to: '3', name: 'Bia', order_id: '77' }, missing: [], extra: 2, end: 47 });
    assert.equal(problem?.code, 'EXTRA_CELLS');
    assert.match(problem!.message, /^row 4: 5 cells, but the header has 3 columns/);
    assert.deepEqual(r.list[3], { row: 5, cells: { to: '4', name: 'Caio', order_id: '' }, missing: [], extra: 0, end: 55 });
    assert.ok(!('order_id' in r.list[0]!.cells));
  });

  test('blank lines, whitespace-only lines and all-empty rows (;;;) are skipped', async () => {
    const r = await all('to;name\n\n1;Ana\n   \n;;\n ; \n\r\n2;Bia\n\n\n');
    assert.deepEqual(
      r.list.map((x) => [x.row, x.cells.to]),
      [
        [3, '1'],
        [8, '2'],
      ],
    );
  });

  test('mixed line endings (LF header, CRLF and CR rows) leave no stray \\r in cells', async () => {
    const r = await all('to,name\n1,Ana\r\n2,Bia\r3,Caio\n');
    assert.deepEqual(
      r.list.map((x) => [x.row, x.cells.name]),
      [
        [2, 'Ana'],
        [3, 'Bia'],
        [4, 'Caio'],
      ],
    );
  });

  test('a header-only file has no rows', async () => {
    const r = await all('to,name\r\n');
    assert.deepEqual(r.columns, ['to', 'name']);
    assert.equal(r.list.length, 0);
  });

  test('a __proto__ column is an ordinary cell', async () => {
    const r = await all('to,__proto__\n1,x\n');
    assert.equal(Object.getOwnPropertyDescriptor(r.list[0]!.cells, '__proto__')?.value, 'x');
    assert.equal(Object.getPrototypeOf(r.list[0]!.cells), Object.prototype);
  });

  test('a file read with createReadStream (64 KiB chunks), past the first 64 KiB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-csv-'));
    try {
      const path = join(dir, 'contacts.csv');
      let text = '\uFEFFto;nome\r\n';
      for (let i = 0; i < 5000; i++) text += `55119${String(i).padStart(8, '0')};"Cliente ${i}\r\nSão Paulo"\r\n`;
      writeFileSync(path, text);
      const csv = await openCsv(createReadStream(path), { source: path });
      assert.equal(csv.fingerprint, createHash('sha256').update(readFileSync(path).subarray(0, 65536)).digest('hex'));
      let n = 0;
      for await (const r of csv.rows) {
        assert.equal(r.row, 2 + 2 * n);
        assert.equal(r.cells.nome, `Cliente ${n}\r\nSão Paulo`);
        n++;
      }
      assert.equal(n, 5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('string chunks (a stream with setEncoding) work like bytes', async () => {
    const src = Readable.from(['to,na', 'me\n1,Jo', 'ão\n'], { objectMode: true });
    const csv = await openCsv(src, { source: 'stdin' });
    const rows: CsvRow[] = [];
    for await (const r of csv.rows) rows.push(r);
    assert.deepEqual(rows[0]!.cells, { to: '1', name: 'João' });
  });
});

describe('bulk csv: row numbers are the lines an editor shows', () => {
  const text =
    '\uFEFF\n' + // line 1: blank (BOM then LF)
    'to,name,note\r\n' + // 2: header
    '1,Ana,x\r\n' + // 3
    '\r\n' + // 4
    '2,"Bia\r\nSouza","two\nlines\n"\r\n' + // 5-8: quoted line breaks (CRLF, LF, LF)
    '   \n' + // 9: whitespace-only
    '3,Caio,"a""b"\r' + // 10: CR line end
    '4,Davi,y\n' + // 11
    ',,\n' + // 12: all-empty row
    '5,"Eva\rEva",z'; // 13-14: lone CR inside quotes, no final newline
  const expected = [
    [3, '1'],
    [5, '2'],
    [10, '3'],
    [11, '4'],
    [13, '5'],
  ];

  test('blank lines, quoted line breaks, CR/LF/CRLF', async () => {
    const r = await all(text);
    assert.deepEqual(r.columns, ['to', 'name', 'note']);
    assert.deepEqual(
      r.list.map((x) => [x.row, x.cells.to]),
      expected,
    );
    assert.equal(r.list[1]!.cells.note, 'two\nlines\n');
    assert.equal(r.list[4]!.cells.name, 'Eva\rEva');
  });

  test('the same for every chunk size (a break or a quote split across chunks)', async () => {
    const whole = await all(text);
    for (let chunk = 1; chunk <= 24; chunk++) {
      const r = await all(text, { chunk });
      assert.deepEqual(
        r.list.map((x) => [x.row, x.cells]),
        whole.list.map((x) => [x.row, x.cells]),
        `chunk size ${chunk}`,
      );
    }
  });
});

describe('bulk csv: unicode', () => {
  const text = '\uFEFFto;nome;cidade;obs\r\n5511999999999;João;São Paulo;🎉 parabéns\r\n5511888888888;"Zoë, ñandú";Curaçao;日本語 👩‍👩‍👧\r\n';

  test('byte-exact, including multi-byte characters split across 1-byte chunks', async () => {
    for (const chunk of [0, 1, 2, 3, 5]) {
      const r = await all(text, { chunk });
      assert.deepEqual(r.columns, ['to', 'nome', 'cidade', 'obs'], `chunk ${chunk}`);
      assert.deepEqual(r.list[0]!.cells, { to: '5511999999999', nome: 'João', cidade: 'São Paulo', obs: '🎉 parabéns' }, `chunk ${chunk}`);
      assert.deepEqual(
        r.list[1]!.cells,
        { to: '5511888888888', nome: 'Zoë, ñandú', cidade: 'Curaçao', obs: '日本語 👩‍👩‍👧' },
        `chunk ${chunk}`,
      );
      assert.equal(Buffer.from(r.list[0]!.cells.obs!).toString('hex'), Buffer.from('🎉 parabéns').toString('hex'));
    }
  });

  test('Latin-1 (Windows-1252) bytes are refused naming the line, not turned into �', async () => {
    const latin1 = Buffer.concat([Buffer.from('to,name\n1,Ana\n2,Jo'), Buffer.from([0xe3]), Buffer.from('o\n')]);
    await refuses(latin1, UsageError, /test\.csv line 3 is not UTF-8/);
  });

  test('non-UTF-8 bytes after the first 64 KiB fail at their row, after the rows before it', async () => {
    const filler = 'to,name\n' + '1,Ana\n'.repeat(20_000);
    const bad = Buffer.concat([Buffer.from(filler), Buffer.from('2,Jo'), Buffer.from([0xe3]), Buffer.from('o\n3,Bia\n')]);
    const csv = await openCsv(streamOf(bad, 4096), { source: 'big.csv' });
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of csv.rows) n++;
      })(),
      (err: unknown) => err instanceof ValidationError && /big\.csv line 20002 is not UTF-8/.test(err.message),
    );
    assert.equal(n, 20_000);
  });

  test('UTF-16 is refused', async () => {
    await refuses(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('to,name\n', 'utf16le')]), UsageError, /UTF-16/);
  });
});

describe('bulk csv: quotes as RFC 4180 allows them', () => {
  const problemOf = async (text: string, chunk = 0) =>
    (await all(text, { chunk })).list.map((x) => [x.row, x.problem?.code ?? null, x.problem?.message ?? null]);

  for (const chunk of [0, 1, 2, 5]) {
    test(`text after a closing quote, a quote inside an unquoted cell: that row's problem, naming line and column; the next rows are read (chunks of ${chunk || 'all'})`, async () => {
      const text =
        'to,name,note\n' +
        '1,"B" ,C\n' +
        '2,"Hey, I missed " it",3\n' +
        '"3,c\nd"e,x,y\n' +
        '4,Ana "Bia",z\n' +
        '5,"say ""hi""",ok\n' +
        '6,,\n';
      const got = await problemOf(text, chunk);
      assert.deepEqual(
        got.map(([row, code]) => [row, code]),
        [
          [2, 'STRAY_QUOTE'],
          [3, 'STRAY_QUOTE'],
          [4, 'STRAY_QUOTE'],
          [6, 'STRAY_QUOTE'],
          [7, null],
          [8, null],
        ],
      );
      assert.match(got[0]![2] as string, /^row 2: line 2, column 2 \('name'\): text after the closing " of a quoted cell/);
      assert.match(got[1]![2] as string, /^row 3: line 3, column 2 \('name'\): text after the closing "/);
      assert.match(got[2]![2] as string, /^row 4: line 5, column 1 \('to'\): text after the closing "/);
      assert.match(got[3]![2] as string, /^row 6: line 6, column 2 \('name'\): a " inside a cell that does not start with one/);
    });
  }

  test('a quote problem in the header is refused, naming line and column', async () => {
    await refuses('to,"name" x\n1,2\n', UsageError, /test\.csv line 1, column 2 of the header: text after the closing "/);
  });

  test('an unclosed quote names the column where it opens', async () => {
    await refuses(
      'to,name\n1,"Ana\n2,Bia\n',
      ValidationError,
      /line 2 has a quoted field that is never closed \(a " with no closing " in column 2 \('name'\)\)/,
    );
  });
});

describe('bulk csv: U+FFFD is text, invalid bytes are not', () => {
  test('a cell holding U+FFFD (EF BF BD) is read as written, in the first 64 KiB and after it, whatever the chunks', async () => {
    const text = 'to,name\n1,caf\uFFFD\n' + '2,Ana\n'.repeat(20_000) + '3,\uFFFD\uFFFD fim\n';
    for (const chunk of [0, 1, 4096]) {
      const r = await all(text, { chunk });
      assert.equal(r.list[0]!.cells.name, 'caf\uFFFD');
      assert.equal(r.list.at(-1)!.cells.name, '\uFFFD\uFFFD fim');
      assert.equal(r.list.length, 20_002);
    }
  });

  test('invalid sequences (overlong, surrogate, truncated, past U+10FFFF) are refused naming their line', async () => {
    for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      const input = Buffer.concat([Buffer.from('to,name\n1,\uFFFD\n2,x'), Buffer.from(bad), Buffer.from('y\n')]);
      await refuses(input, UsageError, /test\.csv line 3 is not UTF-8 text/);
    }
    // Truncated at the very end of the input.
    await refuses(Buffer.concat([Buffer.from('to,name\n1,a\n2,b'), Buffer.from([0xf0, 0x9f])]), UsageError, /line 3 is not UTF-8/);
  });

  test('a character split between chunks after the first 64 KiB is fine; a bad one fails at its row', async () => {
    const filler = 'to,name\n' + '1,Ana\n'.repeat(20_000);
    const good = Buffer.from(filler + '2,🎉\uFFFD\n');
    for (const chunk of [4095, 4097]) {
      const csv = await openCsv(streamOf(good, chunk), { source: 'big.csv' });
      let last: CsvRow | undefined;
      for await (const r of csv.rows) last = r;
      assert.equal(last!.cells.name, '🎉\uFFFD');
    }
    const bad = Buffer.concat([Buffer.from(filler + '2,\uFFFD\n3,'), Buffer.from([0xf0, 0x9f, 0x8e]), Buffer.from('x\n4,Bia\n')]);
    const csv = await openCsv(streamOf(bad, 4095), { source: 'big.csv' });
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of csv.rows) n++;
      })(),
      (err: unknown) => err instanceof ValidationError && /big\.csv line 20003 is not UTF-8/.test(err.message),
    );
    assert.equal(n, 20_001);
  });
});

describe('bulk csv: spreadsheet-mangled phone numbers', () => {
  const mangled = [
    '5.5119E+12',
    '5,5119E+12',
    '5.5119e12',
    '5.5119E12',
    '5E+12',
    ' 5.51199999999999E+12 ',
    '551199999999000',
    '+551199999999000',
    '5511999999990000',
  ];
  const fine = [
    '5511999999999',
    '+55 (11) 99999-9999',
    '11999999999',
    '551133330000',
    '+1 919 555 1112',
    '55119999990000',
    '',
    'abc',
    '1e',
    'E12',
  ];
  for (const cell of mangled) test(`'${cell}' is mangled`, () => assert.equal(spreadsheetMangled(cell), true));
  for (const cell of fine) test(`'${cell}' is not`, () => assert.equal(spreadsheetMangled(cell), false));

  test('cells are never repaired: the raw text reaches the caller', async () => {
    const r = await all('to;name\n5,5119E+12;Ana\n');
    assert.equal(r.list[0]!.cells.to, '5,5119E+12');
  });
});

describe('bulk csv: header and malformed input', () => {
  for (const empty of ['', '\uFEFF', '\n\n', '\r\n  \r\n', ',,\n']) {
    test(`empty input ${JSON.stringify(empty)} is refused`, async () => {
      await refuses(empty, UsageError, /the CSV is empty: it needs a header row/);
    });
  }

  test('an empty header name is refused naming the column', async () => {
    await refuses('to,name,,city\n1,2,3,4\n', UsageError, /column 3 of the header is empty/);
    await refuses('to, \n1,2\n', UsageError, /column 2 of the header is empty/);
  });

  test('a duplicate header name (after trimming) is refused naming it', async () => {
    await refuses('phone,name, phone\n1,2,3\n', UsageError, /column 'phone' appears twice/);
  });

  test('an unclosed quote: the rows before it come out, then a ValidationError naming its line', async () => {
    const csv = await openCsv(streamOf('to,name\n1,Ana\n\n2,"Bia\n3,Caio\n4,Davi\n', 3), { source: 'broken.csv' });
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of csv.rows) seen.push(r.row);
      })(),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.exitCode, ExitCode.usage);
        assert.match(err.message, /broken\.csv: the record starting on line 4 has a quoted field that is never closed/);
        return true;
      },
    );
    assert.deepEqual(seen, [2]);
  });

  test('an unclosed quote in a big file stops at the record size limit, naming the line', async () => {
    const text = 'to,name\n1,Ana\n2,"Bia\n' + '3,Caio\n'.repeat(40_000);
    await refuses(text, ValidationError, /line 3 is longer than 128000 characters: a quoted field is probably never closed/);
  });

  test('a malformed header is a ValidationError too', async () => {
    await refuses('"to,name\n1,2\n', ValidationError, /line 1 has a quoted field that is never closed/);
  });

  test('--delimiter overrides detection; tab, \\t and a tab character all mean tab', async () => {
    const r = await all('to;x,y\n1;2,3\n', { delimiter: ',' });
    assert.deepEqual(r.columns, ['to;x', 'y']);
    const s = await all('to,x;y\n1,2;3\n', { delimiter: ';' });
    assert.equal(s.delimiter, ';');
    assert.deepEqual(s.list[0]!.cells, { 'to,x': '1,2', y: '3' });
    for (const tab of ['tab', '\\t', '\t']) {
      const t = await all('to,a\tb\n1,2\t3\n', { delimiter: tab });
      assert.deepEqual(t.columns, ['to,a', 'b'], tab);
    }
    const p = await all('to|b\n1|2\n', { delimiter: '|' });
    assert.deepEqual(p.list[0]!.cells, { to: '1', b: '2' });
  });

  test('a bad --delimiter is a UsageError naming the flag', async () => {
    for (const bad of [':', '::', '', 'comma', ',;']) {
      await refuses('to\n1\n', UsageError, /--delimiter/, { delimiter: bad });
    }
  });

  test('an unreadable input is a UsageError naming it', async () => {
    const src = new Readable({
      read() {
        this.destroy(Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT', syscall: 'open' }));
      },
    });
    await assert.rejects(openCsv(src, { source: 'missing.csv' }), /cannot read missing\.csv: no such file/);
  });
});

describe('bulk csv: fingerprint', () => {
  test('sha256 of the first 64 KiB of raw bytes (BOM included), whatever the chunking', async () => {
    const big = Buffer.from('\uFEFFto,name\n' + '5511999999999,João\n'.repeat(10_000));
    assert.ok(big.length > 65536);
    const expected = createHash('sha256').update(big.subarray(0, 65536)).digest('hex');
    for (const chunk of [0, 1000, 65535, 65536, 70000]) {
      const csv = await openCsv(streamOf(big, chunk), { source: 'x' });
      assert.equal(csv.fingerprint, expected, `chunk ${chunk}`);
      csv.close();
    }
    const small = '\uFEFFto\n1\n';
    const s = await openCsv(streamOf(small), { source: 'x' });
    assert.equal(s.fingerprint, createHash('sha256').update(Buffer.from(small)).digest('hex'));
  });
});

/**
 * Lets whatever the code under test would do next without being asked happen: an in-memory source
 * is read in microtasks and nextTicks, all of which run before the next setImmediate. Event-loop
 * turns, not time: as many on a loaded machine as on an idle one.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('bulk csv: streaming', () => {
  test('a slow consumer does not make the input be read ahead (backpressure)', async () => {
    const line = '5511999999999,João da Silva,"São Paulo, SP"\n';
    const header = Buffer.from('to,name,city\n');
    const chunk = Buffer.from(line.repeat(250)); // ~11 KiB, 250 rows
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      pulled += header.length;
      yield header;
      for (let i = 0; i < 1000; i++) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const csv = await openCsv(Readable.from(source(), { objectMode: false }), { source: 'slow' });
    const rows = csv.rows[Symbol.asyncIterator]();
    let consumed = 0;
    // The consumer takes some rows, then stops pulling (as a paced bulk send does) while the event
    // loop runs on: what the source gave meanwhile must stay within the stream buffers' reach.
    for (const pauseAt of [1, 2000, 60_000]) {
      while (consumed < pauseAt) {
        const r = await rows.next();
        assert.equal(r.done, false);
        consumed++;
      }
      await settle();
      const atPause = pulled;
      await settle();
      assert.equal(pulled, atPause, `the input is still being read while the consumer waits at row ${consumed}`);
      const needed = header.length + consumed * Buffer.byteLength(line);
      const ahead = pulled - needed;
      assert.ok(ahead < 256 * 1024, `read ${ahead} bytes ahead of row ${consumed} (${pulled} of an 11 MB input)`);
    }
    await rows.return?.();
  });

  test('breaking out of the loop stops reading the input', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('to\n');
        for (;;) yield Buffer.from('1\n'.repeat(1000));
      } finally {
        closed = true;
      }
    }
    const csv = await openCsv(Readable.from(source(), { objectMode: false }), { source: 'endless' });
    let n = 0;
    for await (const _ of csv.rows) if (++n === 5000) break;
    await settle();
    assert.equal(closed, true);
  });

  // The parsing speed is measured by bench/units.js, not asserted here.
  test('200,000 generated rows in flat memory', async (t) => {
    const N = 200_000;
    const rowText = (i: number) => `55119${String(i % 100_000_000).padStart(8, '0')},"Cliente ${i}, João",PED-${i},São Paulo\r\n`;
    let block = '';
    for (let i = 0; i < 1000; i++) block += rowText(i);
    const blockBuf = Buffer.from(block);
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('to,name,order_id,city\r\n');
      for (let i = 0; i < N / 1000; i++) yield blockBuf;
    }
    // Live heap after a full GC, sampled mid-run: a leak (rows kept) would grow it ~300 B a row.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let heapAt20k = 0;
    let heapAt190k = 0;
    const csv = await openCsv(Readable.from(source(), { objectMode: false }), { source: 'generated' });
    let n = 0;
    for await (const r of csv.rows) {
      n++;
      if (r.row !== n + 1) assert.fail(`row ${n} has row number ${r.row}`);
      if ((n & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
      if (n === 20_000 || n === 190_000) {
        gc();
        if (n === 20_000) heapAt20k = process.memoryUsage().heapUsed;
        else heapAt190k = process.memoryUsage().heapUsed;
      }
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(n, N);
    const mib = (b: number) => +(b / 2 ** 20).toFixed(1);
    t.diagnostic(
      `${N} rows; RSS ${mib(rss0)} → peak ${mib(peak)} MiB ` +
        `(+${mib(peak - rss0)} MiB, mostly V8's young generation sizing up); live heap after GC at 20k rows ${mib(heapAt20k)} MiB, at 190k ${mib(heapAt190k)} MiB`,
    );
    assert.ok(heapAt190k - heapAt20k < 4 * 2 ** 20, `live heap grew ${mib(heapAt190k - heapAt20k)} MiB between 20k and 190k rows`);
    assert.ok(peak - rss0 < 96 * 2 ** 20, `RSS grew ${mib(peak - rss0)} MiB`);
  });
});
