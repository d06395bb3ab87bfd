/**
 * `interflow templates list | show | lint | import`: read (and for import, write) the catalog
 * that --templates or the rc's templatesFile names. Results on stdout (a table on a terminal,
 * JSON with --json or in a pipe); summaries on stderr.
 */
import { existsSync } from 'node:fs';
import { CliError, ExitCode, UsageError } from '../../errors.js';
import { readAllText } from '../../output/io.js';
import { printJson, printTable, type Column } from '../../output/format.js';
import { loadCatalog, parseDataFile, parseTemplates, saveCatalog, type Catalog, type TemplateEntry } from '../../templates/catalog.js';
import { shapeOf } from '../../templates/check.js';
import { lintCatalog } from '../../templates/lint.js';
import { locateCatalog, type CatalogLocation } from '../../templates/use.js';
import type { CommandContext } from '../context.js';
import { readFlagFile } from '../../message/build.js';

/** One line of `templates list`. */
export interface TemplateRow {
  name: string;
  language: string;
  category?: string;
  status?: string;
  parameter_format: 'POSITIONAL' | 'NAMED';
  /** HEADER format (TEXT, IMAGE, …), when there is a header. */
  header?: string;
  /** The body's parameters: {{1}}… or {{name}}… */
  parameters: string[];
  /** Button types in order. */
  buttons: string[];
}

/** One problem of `templates lint --json`. */
export interface LintProblem {
  problem: string;
}

const noCatalog = (): UsageError =>
  new UsageError('no templates catalog: give --templates FILE, or set "templatesFile" in the rc file (relative to it)', {
    hint: 'start one from a Graph API export: interflow templates import export.json --templates templates.json',
  });

async function where(ctx: CommandContext): Promise<CatalogLocation> {
  const at = await locateCatalog(ctx.globals, ctx.io);
  if (!at) throw noCatalog();
  return at;
}

async function open(ctx: CommandContext): Promise<Catalog> {
  const at = await where(ctx);
  return loadCatalog(at.file, at.shown);
}

export function rowOf(t: TemplateEntry): TemplateRow {
  const shape = shapeOf(t);
  return {
    name: t.name,
    language: t.language,
    ...(t.category !== undefined ? { category: t.category } : {}),
    ...(t.status !== undefined ? { status: t.status } : {}),
    parameter_format: shape.named ? 'NAMED' : 'POSITIONAL',
    ...(shape.header ? { header: shape.header.format } : {}),
    parameters: shape.named ? shape.body.names.map((n) => `{{${n}}}`) : shape.body.positional.map((n) => `{{${n}}}`),
    buttons: shape.buttons.map((b) => b.type),
  };
}

const columns: Column<TemplateRow>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'language', value: (r) => r.language },
  { header: 'category', value: (r) => r.category ?? '' },
  { header: 'status', value: (r) => r.status ?? '' },
  { header: 'header', value: (r) => r.header ?? '' },
  { header: 'parameters', value: (r) => r.parameters.join(' ') },
  { header: 'buttons', value: (r) => r.buttons.join(', ') },
];

export async function runTemplatesList(_options: object, ctx: CommandContext): Promise<void> {
  const catalog = await open(ctx);
  const rows = catalog.templates.map(rowOf);
  if (ctx.globals.json || !ctx.io.isStdoutTTY) printJson(ctx.io, rows, ctx.globals.fields);
  else if (rows.length === 0) ctx.io.err(`${catalog.shown} has no templates; add some with \`interflow templates import export.json\`\n`);
  else printTable(ctx.io, rows, columns);
}

/** The send command line a template needs, placeholders as VALUE. */
export function sendExample(t: TemplateEntry): string {
  const shape = shapeOf(t);
  const parts = ['interflow send template TO', `--name ${t.name}`, `--language ${t.language}`];
  const h = shape.header;
  if (h && h.format === 'TEXT' && h.param !== undefined) parts.push('--header-text TEXT');
  else if (h && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(h.format)) parts.push(`--header-${h.format.toLowerCase()} URL`);
  if (shape.named) for (const n of shape.body.names) parts.push(`--param ${n}=VALUE`);
  else for (const n of shape.body.positional) parts.push(`--param VALUE${n}`);
  for (const b of shape.buttons) if (b.dynamic) parts.push(`--button-url ${b.index}=TEXT`);
  return parts.join(' ');
}

function describe(t: TemplateEntry): string {
  const shape = shapeOf(t);
  const lines = [
    `${t.name} (${t.language})${[t.category, t.status, shape.named ? 'NAMED' : 'POSITIONAL']
      .filter(Boolean)
      .map((x) => ` · ${x}`)
      .join('')}`,
  ];
  for (const c of t.components) {
    const type = c.type.toUpperCase();
    if (type === 'BUTTONS') {
      for (const [i, b] of (c.buttons ?? []).entries()) {
        const detail = [b.text !== undefined ? `"${b.text}"` : '', b.url ?? '', b.phone_number ?? ''].filter(Boolean).join(' ');
        lines.push(`  BUTTON ${i}  ${b.type}${detail ? ` ${detail}` : ''}`);
      }
    } else {
      lines.push(
        `  ${type.padEnd(8)} ${type === 'HEADER' ? `${(c.format ?? 'TEXT').toUpperCase()}${c.text !== undefined ? ` ${c.text}` : ''}` : (c.text ?? '')}`,
      );
    }
  }
  lines.push(`  send: ${sendExample(t)}`);
  return lines.join('\n') + '\n';
}

export async function runTemplatesShow({ name, language }: { name: string; language?: string }, ctx: CommandContext): Promise<void> {
  const catalog = await open(ctx);
  const found = catalog.templates.filter((t) => t.name === name && (language === undefined || t.language === language));
  if (found.length === 0) {
    const others = catalog.languagesOf(name);
    throw new UsageError(
      others.length
        ? `template '${name}' has no ${language} entry in ${catalog.shown} (it has ${others.join(', ')})`
        : `template '${name}' is not in ${catalog.shown}`,
      { hint: 'interflow templates list shows what it has' },
    );
  }
  // The last of an entry given twice is the one sends use.
  const last = new Map(found.map((t) => [t.language, t]));
  const entries = [...last.values()];
  if (ctx.globals.json || !ctx.io.isStdoutTTY) printJson(ctx.io, entries.length === 1 ? entries[0] : entries, ctx.globals.fields);
  else ctx.io.out(entries.map(describe).join('\n'));
}

export async function runTemplatesLint(_options: object, ctx: CommandContext): Promise<void> {
  const catalog = await open(ctx);
  const problems = lintCatalog(catalog.templates).map((p) => `${catalog.shown}: ${p}`);
  if (ctx.globals.json)
    printJson(
      ctx.io,
      problems.map((problem): LintProblem => ({ problem })),
      ctx.globals.fields,
    );
  else if (problems.length) ctx.io.out(problems.join('\n') + '\n');
  if (problems.length) {
    throw new CliError(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${catalog.shown} (${catalog.templates.length} templates)`,
      {
        code: 'LINT',
        exitCode: ExitCode.usage,
      },
    );
  }
  if (!ctx.io.quiet) ctx.io.err(`${catalog.shown}: ${catalog.templates.length} templates, no problems\n`);
}

/** `templates import --json`. */
export interface ImportResult {
  file: string;
  added: number;
  replaced: number;
  total: number;
}

export async function runTemplatesImport({ file: source }: { file: string }, ctx: CommandContext): Promise<void> {
  const at = await where(ctx);
  let text: string;
  if (source === '-') {
    if (ctx.io.stdin.isTTY) throw new UsageError("'templates import -' reads the export from stdin: pipe it in, or give a file");
    text = await readAllText(ctx.io.stdin);
  } else text = readFlagFile(source, 'templates import');
  const shown = source === '-' ? 'stdin' : source;
  const incoming = parseTemplates(await parseDataFile(source === '-' ? 'stdin.json' : source, shown, text), shown);
  const existing = existsSync(at.file) ? (await loadCatalog(at.file, at.shown)).templates : [];
  const key = (t: TemplateEntry): string => `${t.name}\u0000${t.language}`;
  const position = new Map(existing.map((t, i) => [key(t), i]));
  const merged = [...existing];
  let added = 0;
  let replaced = 0;
  for (const t of incoming) {
    const i = position.get(key(t));
    if (i === undefined) {
      position.set(key(t), merged.length);
      merged.push(t);
      added++;
    } else {
      merged[i] = t;
      replaced++;
    }
  }
  if (!ctx.globals.dryRun) saveCatalog(at.file, at.shown, merged);
  const result: ImportResult = { file: at.shown, added, replaced, total: merged.length };
  if (ctx.globals.json) printJson(ctx.io, result, ctx.globals.fields);
  if (!ctx.io.quiet || !ctx.globals.json) {
    ctx.io.err(
      `${ctx.globals.dryRun ? 'dry run: would import' : 'imported'} ${incoming.length} template${incoming.length === 1 ? '' : 's'} from ${shown} into ${at.shown}: ` +
        `${added} added, ${replaced} replaced, ${merged.length} in all\n`,
    );
  }
  const problems = lintCatalog(incoming);
  if (problems.length && !ctx.io.quiet) {
    ctx.io.err(
      `warning: ${problems.length} problem${problems.length === 1 ? '' : 's'} in what was imported (interflow templates lint): ${problems[0]}${problems.length > 1 ? ' …' : ''}\n`,
    );
  }
}
