/**
 * A template's approved body text, as the person pastes it ("Olá {{1}}, seu pedido {{2}} saiu"):
 * how many parameters it takes, and the text filled with the values given so far.
 */

const numbered = /\{\{\s*(\d+)\s*\}\}/g;

export interface BodyParams {
  /** Parameters the template takes: the highest {{n}}. */
  count: number;
  /** Numbers below the highest that the text never uses (WhatsApp numbers them 1, 2, 3…). */
  missing: number[];
}

export function bodyParams(text: string): BodyParams {
  const used = new Set([...text.matchAll(numbered)].map((m) => Number(m[1])));
  const count = used.size ? Math.max(...used) : 0;
  const missing: number[] = [];
  for (let n = 1; n <= count; n++) if (!used.has(n)) missing.push(n);
  return { count, missing };
}

/**
 * The text with {{n}} replaced by values[n-1] where given; `mark` decorates each filled value
 * (bold in a terminal). Placeholders without a value stay as they are.
 */
export function fillBody(text: string, values: readonly (string | undefined)[], mark: (v: string) => string = (v) => v): string {
  return text.replace(numbered, (whole, n: string) => {
    const v = values[Number(n) - 1];
    return v === undefined || v === '' ? whole : mark(v);
  });
}
