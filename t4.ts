import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { openCsv } from './src/bulk/csv.ts';
const cases = JSON.parse(readFileSync('test/fixtures/csv/papaparse/cases.json', 'utf8'));
for (const c of cases) {
  const d = c.config?.delimiter ?? ',';
  const width = Math.max(1, ...c.expected.data.map((r: string[]) => r.length));
  const header = Array.from({ length: width }, (_, i) => `c${i + 1}`).join(d) + '\n';
  const got: unknown[] = []; let err = '';
  try {
    const csv = await openCsv(Readable.from([Buffer.from(header + c.input)]), { source: 't', delimiter: d });
    for await (const r of csv.rows) got.push([Object.values(r.cells), r.problem?.code]);
  } catch (e) { err = String(e); }
  const exp = c.expected.data.filter((r: string[]) => r.some((x) => x.trim() !== '')).map((r: string[]) => [r]);
  const same = JSON.stringify(got.map((g: any) => [g[0]])) === JSON.stringify(exp) && !err && got.every((g: any) => !g[1]);
  const qerr = c.expected.errors.filter((e: any) => e.type === 'Quotes').map((e: any) => e.code);
  if (!same || qerr.length) console.log(JSON.stringify({ d: c.description, input: c.input, exp: c.expected.data, qerr, got, err }));
}
