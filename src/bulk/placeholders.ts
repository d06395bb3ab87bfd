/**
 * `{{column}}` placeholders: in every message flag of `bulk`, and in the string values of the
 * files those flags name (template files, list files, contact files). A placeholder that names
 * no column of the CSV is a usage error before anything is sent; a row without a value for a
 * column it needs fails with that reason, and the other rows go on.
 */
import { UsageError } from '../errors.js';

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** The column names a text refers to. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Every column named by placeholders anywhere in a value (strings, arrays, objects). */
export function collectPlaceholders(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const name of placeholdersIn(value)) into.add(name);
  else if (Array.isArray(value)) for (const v of value) collectPlaceholders(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectPlaceholders(v, into);
  return into;
}

/** Refuses placeholders that name no column, before anything is sent (exit 2). */
export function checkPlaceholders(names: Iterable<string>, columns: readonly string[], where: string): void {
  const unknown = [...names].filter((n) => !columns.includes(n));
  if (unknown.length) {
    throw new UsageError(
      `${where}: ${unknown.map((n) => `{{${n}}}`).join(', ')} name${unknown.length > 1 ? '' : 's'} no column of the CSV; its columns are: ${columns.join(', ')}`,
    );
  }
}

/** Thrown while rendering a row that lacks a value a placeholder needs. */
export class MissingColumnError extends Error {
  constructor(readonly column: string) {
    super(`column '${column}' is missing from this row`);
  }
}

/** A text split at its placeholders: `parts[0] names[0] parts[1] … parts[n]`. */
interface Compiled {
  parts: string[];
  names: string[];
}

/**
 * The texts rendered, split once: bulk renders the same few texts (the flags, the files' strings)
 * for every row. Bounded, in case a caller renders many different texts.
 */
const compiledTexts = new Map<string, Compiled | null>();
const MAX_COMPILED = 4096;

function compile(text: string): Compiled | null {
  let c = compiledTexts.get(text);
  if (c !== undefined) return c;
  c = null;
  if (text.includes('{{')) {
    const parts: string[] = [];
    const names: string[] = [];
    let last = 0;
    for (const m of text.matchAll(PLACEHOLDER)) {
      parts.push(text.slice(last, m.index));
      names.push(m[1]!);
      last = m.index! + m[0].length;
    }
    parts.push(text.slice(last));
    if (names.length > 0) c = { parts, names };
  }
  if (compiledTexts.size < MAX_COMPILED) compiledTexts.set(text, c);
  return c;
}

/** Replaces placeholders in a string with the row's cells. */
export function render(text: string, cells: Record<string, string>): string {
  const c = compile(text);
  if (c === null) return text;
  const { parts, names } = c;
  let out = parts[0]!;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    // The row's own cells only: {{constructor}} or {{toString}} is a column, never Object's.
    const value = Object.hasOwn(cells, name) ? cells[name] : undefined;
    if (value === undefined) throw new MissingColumnError(name);
    out += value + parts[i + 1]!;
  }
  return out;
}

/** Renders every string inside a value (flags object, parsed JSON file). */
export function renderDeep<T>(value: T, cells: Record<string, string>): T {
  if (typeof value === 'string') return render(value, cells) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, cells)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, cells)])) as T;
  }
  return value;
}
