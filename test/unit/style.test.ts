/**
 * Color through chalk, decided by Io only: on two terminals without NO_COLOR / --no-color /
 * TERM=dumb the header is bold and "error" red (ECMA-48 SGR 1/22 and 31/39); anywhere else not
 * one escape byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reportError } from '../../src/app.js';
import { UsageError } from '../../src/errors.js';
import { renderTable } from '../../src/output/format.js';
import { createIo, type IoOptions } from '../../src/output/io.js';

const ESC = '\u001b';

function capture(tty: boolean, opts: Partial<IoOptions> = {}) {
  const chunks = { out: '', err: '' };
  const io = createIo({
    stdout: { write: (s: string) => ((chunks.out += s), true), isTTY: tty, columns: 80 },
    stderr: { write: (s: string) => ((chunks.err += s), true), isTTY: tty, columns: 80 },
    env: {},
    ...opts,
  });
  return { io, chunks };
}

describe('color', () => {
  test('on terminals: a bold table header and a red "error"', () => {
    const { io, chunks } = capture(true);
    assert.equal(io.color, true);
    assert.equal(
      renderTable([{ a: 'São Paulo' }], [{ header: 'cidade', value: (r) => r.a }], io.color),
      `${ESC}[1mCIDADE${ESC}[22m\nSão Paulo\n`,
    );
    reportError(io, new UsageError('bad flag'), false);
    assert.equal(chunks.err, `${ESC}[31merror${ESC}[39m: bad flag\n`);
  });

  const plain: [string, () => ReturnType<typeof capture>][] = [
    ['not a TTY', () => capture(false)],
    ['NO_COLOR set', () => capture(true, { env: { NO_COLOR: '1' } })],
    ['--no-color', () => capture(true, { noColor: true })],
    ['TERM=dumb', () => capture(true, { env: { TERM: 'dumb' } })],
  ];
  for (const [name, make] of plain) {
    test(`${name}: no escape byte anywhere`, () => {
      const { io, chunks } = make();
      assert.equal(io.color, false);
      io.out(renderTable([{ a: 'x' }], [{ header: 'h', value: (r) => r.a }], io.color));
      reportError(io, new UsageError('bad flag'), false);
      assert.equal(chunks.out, 'H\nx\n');
      assert.equal(chunks.err, 'error: bad flag\n');
    });
  }
});
