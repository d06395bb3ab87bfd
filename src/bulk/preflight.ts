/**
 * `bulk --template` with a templates catalog: every row checked against the catalog before the
 * first request (src/templates/check.ts), in a pass of its own over the input.
 *
 * - A file is read twice: this pass, then the send pass; each streams, so memory stays flat.
 * - stdin cannot be read twice: it is spooled to a temporary file (mode 0600, removed at the
 *   end), which both passes read.
 * - Any row that does not fit refuses the run (exit 2, nothing sent), listing up to 20 problems
 *   by line; with --skip-invalid the valid rows are sent and the others end failed (VALIDATION),
 *   which the send pass decides again row by row with the same check (nothing is kept per row).
 * - The pass reads only what a template needs: each row's flags rendered and the template the
 *   flags describe (no recipient normalization, no request building), so it costs a fraction of
 *   the send pass.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CliError, ValidationError } from '../errors.js';
import type { CommandContext } from '../commands/context.js';
import type { Profile } from '../config/profile.js';
import { templateCandidate, type BuildEnv, type Flags, type SendKind } from '../message/build.js';
import type { Message } from '../message/model.js';
import type { Catalog, TemplateEntry } from '../templates/catalog.js';
import {
  BODY_PARAM_MAX,
  BUTTON_PARAM_MAX,
  checkAgainst,
  HEADER_PARAM_MAX,
  labelOf,
  shapeOf,
  slotName,
  textProblem,
  type TemplateLike,
} from '../templates/check.js';
import { applyCheck, catalogFor, entryFor, notInCatalogHint } from '../templates/use.js';
import { openCsv } from './csv.js';
import { MissingColumnError, render, renderDeep } from './placeholders.js';
import type { BulkPlan } from './runner.js';

/** Problems listed before "… and N more". */
export const MAX_LISTED = 20;

export interface Preflight {
  catalog: Catalog;
  /** The spooled copy of stdin, when the input is '-'. */
  path?: string;
  /** The first pass; throws a ValidationError (exit 2) when a row is invalid and skipInvalid is off. */
  run(plan: BulkPlan, csv: { delimiter?: string; source: string }, profile: Profile): Promise<PreflightReport>;
  /** The send pass's check of one built message (runner option `check`): throws to fail the row. */
  check(msg: Message): Message;
  /** The rendered text of the last message `check` passed (for the dry run's line). */
  lastRendered(): string | undefined;
  /** Removes the spooled copy. */
  cleanup(): void;
}

export interface PreflightReport {
  rows: number;
  invalidRows: number;
  problems: number;
  /** The first MAX_LISTED problems, `line N: …`. */
  listed: string[];
  warnings: string[];
  elapsedMs: number;
}

/** Looks up a template by name and language: its catalog entry, or why it has none. */
type Lookup = (name: string, language: string) => TemplateEntry | string;

/** The preflight of a bulk run, or undefined when it sends no template or no catalog is configured. */
export async function bulkPreflight(
  ctx: CommandContext,
  kind: SendKind,
  options: Record<string, unknown>,
  input: string,
): Promise<Preflight | undefined> {
  if (kind !== 'template' || options.hsm) return undefined;
  const catalog = await catalogFor(ctx.globals, ctx.io);
  if (!catalog) return undefined;
  let dir: string | undefined;
  let path: string | undefined;
  if (input === '-') ({ dir, path } = await spoolStdin(ctx.io.stdin));
  const cleanup = (): void => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };
  process.once('exit', cleanup);
  const lookup = cachedLookup(catalog);
  let rendered: string | undefined;

  return {
    catalog,
    ...(path ? { path } : {}),
    cleanup,
    lastRendered: () => rendered,
    check(msg) {
      rendered = undefined;
      if (msg.type !== 'template') return msg;
      const entry = lookup(msg.name, msg.language);
      if (typeof entry === 'string') throw new ValidationError(entry);
      const result = checkAgainst(msg, entry);
      if (result.problems.length) throw new ValidationError(result.problems.join('; '));
      rendered = result.rendered;
      return applyCheck(msg, result);
    },
    run: (plan, csvOptions, profile) => firstPass(catalog, lookup, path ?? input, plan, csvOptions, profile),
  };
}

/** stdin copied to a private temporary file (mode 0600), so that both passes can read it. */
async function spoolStdin(stdin: NodeJS.ReadableStream): Promise<{ dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'interflow-bulk-'));
  const path = join(dir, 'stdin.csv');
  await pipeline(stdin, createWriteStream(path, { mode: 0o600 }));
  return { dir, path };
}

/** The catalog's lookup, each name and language looked up once. */
function cachedLookup(catalog: Catalog): Lookup {
  const entries = new Map<string, TemplateEntry | string>();
  return (name, language) => {
    const k = `${name}\u0000${language}`;
    let e = entries.get(k);
    if (e === undefined) entries.set(k, (e = entryFor(catalog, name, language)));
    return e;
  };
}

/** The report being filled, the warnings seen (once each), and `note` to count an invalid row's problems. */
interface Tally {
  report: PreflightReport;
  warnings: Set<string>;
  note(row: number, problems: string[]): void;
}

function newTally(): Tally {
  const report: PreflightReport = { rows: 0, invalidRows: 0, problems: 0, listed: [], warnings: [], elapsedMs: 0 };
  const note = (row: number, problems: string[]): void => {
    report.invalidRows++;
    for (const p of problems) {
      report.problems++;
      if (report.listed.length < MAX_LISTED) report.listed.push(`line ${row}: ${p}`);
    }
  };
  return { report, warnings: new Set<string>(), note };
}

/** What the general per-row check needs: the plan, its placeholder flags, the build env, the lookup, the tally. */
interface Pass {
  plan: BulkPlan;
  dynamic: readonly string[];
  env: BuildEnv;
  lookup: Lookup;
  tally: Tally;
}

/**
 * The first pass over `file`: every row checked, by its rendered values only when the run
 * compiles (see `compile`), else by building and checking its whole template per row.
 */
async function firstPass(
  catalog: Catalog,
  lookup: Lookup,
  file: string,
  plan: BulkPlan,
  csvOptions: { delimiter?: string; source: string },
  profile: Profile,
): Promise<PreflightReport> {
  const started = performance.now();
  const source = createReadStream(file);
  await once(source, 'open').catch(() => undefined);
  const csv = await openCsv(source, csvOptions);
  const dynamic = Object.keys(plan.flags).filter((k) => JSON.stringify(plan.flags[k] ?? null).includes('{{'));
  const tally = newTally();
  let cells: Record<string, string> = {};
  const env = {
    profile,
    readFile: (file: string) => {
      const f = plan.files.get(file)!;
      return f.json !== undefined ? JSON.stringify(renderDeep(f.json, cells)) : renderDeep(f.text ?? '', cells);
    },
  };
  // The usual run (fixed name and language, placeholders only in values): its shape is
  // checked once, then each row's rendered values only.
  const fast = compile(plan, env, lookup, dynamic);
  refuseUnfitFlags(fast, catalog, plan);
  if (fast) for (const w of fast.warnings) tally.warnings.add(w);
  const pass: Pass = { plan, dynamic, env, lookup, tally };
  for await (const row of csv.rows) {
    tally.report.rows++;
    if (fast) {
      const problems = slotProblems(fast, row.cells);
      if (problems) tally.note(row.row, problems);
      continue;
    }
    cells = row.cells;
    checkRow(pass, row.row, cells);
  }
  tally.report.warnings = [...tally.warnings];
  tally.report.elapsedMs = performance.now() - started;
  return tally.report;
}

/** Throws when the flags as written cannot fit, whatever the rows: the template is not in the catalog, or misfits. */
function refuseUnfitFlags(fast: Compiled | string | undefined, catalog: Catalog, plan: BulkPlan): asserts fast is Compiled | undefined {
  if (fast && typeof fast !== 'string' && fast.problems.length) {
    throw new ValidationError(
      `the message flags do not fit the templates catalog ${catalog.shown}, for any row; nothing was sent:\n${fast.problems.map((p) => `  ${p}`).join('\n')}`,
      {
        hint: `the catalog entry: interflow templates show ${String(plan.flags.name)} --language ${String(plan.flags.language ?? 'pt_BR')}`,
      },
    );
  }
  if (typeof fast === 'string') {
    throw new ValidationError(fast, { hint: notInCatalogHint });
  }
}

/** The fast check of one row: its rendered values against their limits; undefined when they fit. */
function slotProblems(fast: Compiled, cells: Record<string, string>): string[] | undefined {
  let problems: string[] | undefined;
  for (const slot of fast.slots) {
    let value: string;
    try {
      value = render(slot.raw, cells);
    } catch (err) {
      if (!(err instanceof MissingColumnError)) throw err;
      (problems ??= []).push(err.message);
      break;
    }
    const p = textProblem(slot.prefix ? value.slice(slot.prefix) : value, slot.max);
    if (p) (problems ??= []).push(`${fast.label}: ${slot.name} ${p}`);
  }
  return problems;
}

/** The general check of one row: its flags rendered, its template built and checked against the catalog. */
function checkRow(pass: Pass, row: number, cells: Record<string, string>): void {
  const { plan, dynamic, tally } = pass;
  let candidate: Record<string, unknown>;
  try {
    const flags: Flags = dynamic.length ? { ...plan.flags } : plan.flags;
    for (const k of dynamic) flags[k] = renderDeep(plan.flags[k], cells);
    candidate = templateCandidate(flags, pass.env).candidate;
  } catch (err) {
    if (err instanceof MissingColumnError || err instanceof CliError) return tally.note(row, [err.message]);
    throw err;
  }
  if (candidate.type !== 'template') return;
  const entry = pass.lookup(String(candidate.name), String(candidate.language));
  if (typeof entry === 'string') return tally.note(row, [entry]);
  const result = checkAgainst(candidate as unknown as TemplateLike, entry);
  if (result.problems.length) tally.note(row, result.problems);
  for (const w of result.warnings) tally.warnings.add(w);
}

/** The refusal of a run with invalid rows (exit 2), or undefined when every row fits. */
export function refusal(report: PreflightReport, catalog: Catalog): ValidationError | undefined {
  if (report.invalidRows === 0) return undefined;
  const more = report.problems - report.listed.length;
  return new ValidationError(
    `${report.invalidRows} of ${report.rows} row${report.rows === 1 ? '' : 's'} do not fit the templates catalog ${catalog.shown}; nothing was sent:\n` +
      report.listed.map((l) => `  ${l}`).join('\n') +
      (more > 0 ? `\n  … and ${more} more` : ''),
    {
      hint: report.listed.some((l) => l.includes('is not in the catalog') || l.includes('entry in the catalog'))
        ? notInCatalogHint
        : 'fix those rows, or send the valid ones with --skip-invalid (the others end failed)',
    },
  );
}

/**
 * Runs the first pass and acts on it: warnings on stderr; invalid rows refuse the run, or with
 * skipInvalid are announced (the send pass fails them). `--verbose` tells what the pass cost.
 */
export async function runPreflight(
  ctx: CommandContext,
  preflight: Preflight,
  plan: BulkPlan,
  csv: { delimiter?: string; source: string },
  profile: Profile,
  skipInvalid: boolean,
): Promise<void> {
  const { io } = ctx;
  // A big file takes a while to read twice: say so on a terminal.
  if (io.spinnerEnabled) io.err(`checking every row against the templates catalog ${preflight.catalog.shown} before sending…\n`);
  const report = await preflight.run(plan, csv, profile);
  for (const w of report.warnings) io.err(`warning: ${w}\n`);
  if (io.verbose)
    io.err(
      `preflight: ${report.rows} rows checked against ${preflight.catalog.shown} in ${report.elapsedMs.toFixed(0)} ms; ${report.invalidRows} invalid\n`,
    );
  const refused = refusal(report, preflight.catalog);
  if (!refused) return;
  if (!skipInvalid) {
    preflight.cleanup();
    throw refused;
  }
  if (!io.quiet) {
    io.err(
      `--skip-invalid: ${report.invalidRows} of ${report.rows} rows do not fit the catalog and will end failed:\n${report.listed.map((l) => `  ${l}\n`).join('')}${report.problems > report.listed.length ? `  … and ${report.problems - report.listed.length} more\n` : ''}`,
    );
  }
}

/** One value a row fills: its text (placeholders unrendered), what to skip (`NAME=`, `I=`), its limit and name. */
interface Slot {
  raw: string;
  prefix: number;
  max: number;
  name: string;
}

interface Compiled {
  label: string;
  problems: string[];
  warnings: string[];
  slots: Slot[];
}

/**
 * The fast preflight of a run whose template name and language are fixed and whose placeholders
 * sit only in values (after any `NAME=` or `I=`): the flags are checked once as written, and each
 * row then needs only its rendered values checked. undefined when the run is not like that (the
 * general check then runs per row); a string when the template is not in the catalog.
 */
function compile(plan: BulkPlan, env: BuildEnv, lookup: Lookup, dynamic: readonly string[]): Compiled | string | undefined {
  const f = plan.flags;
  if (f.file !== undefined || dynamic.includes('name') || dynamic.includes('language') || dynamic.includes('quickReply')) return undefined;
  const candidate = templateCandidate(f, env).candidate;
  if (candidate.type !== 'template') return undefined;
  const entry = lookup(String(candidate.name), String(candidate.language));
  if (typeof entry === 'string') return entry;
  const shape = shapeOf(entry);
  const slots: Slot[] = [];
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  const afterEq = (raw: string): number | undefined => {
    const eq = raw.indexOf('=');
    const ph = raw.indexOf('{{');
    return eq > 0 && (ph < 0 || ph > eq) ? eq + 1 : undefined;
  };
  for (const [i, raw] of list(f.param).entries()) {
    if (!raw.includes('{{')) continue;
    if (shape.named) {
      const at = afterEq(raw);
      if (at === undefined) return undefined;
      slots.push({ raw, prefix: at, max: BODY_PARAM_MAX, name: slotName.body(raw.slice(0, at - 1).trim()) });
    } else slots.push({ raw, prefix: 0, max: BODY_PARAM_MAX, name: slotName.body(i + 1) });
  }
  if (typeof f.headerText === 'string' && f.headerText.includes('{{')) {
    slots.push({ raw: f.headerText, prefix: 0, max: HEADER_PARAM_MAX, name: slotName.header(shape.header?.param ?? '1') });
  }
  for (const raw of list(f.buttonUrl)) {
    if (!raw.includes('{{')) continue;
    const at = afterEq(raw);
    if (at === undefined) return undefined;
    slots.push({ raw, prefix: at, max: BUTTON_PARAM_MAX, name: slotName.url(Number(raw.slice(0, at - 1).trim())) });
  }
  const result = checkAgainst(candidate as unknown as TemplateLike, entry);
  return { label: labelOf(entry), problems: result.problems, warnings: result.warnings, slots };
}
