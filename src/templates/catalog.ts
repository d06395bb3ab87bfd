/**
 * The templates catalog: the approved templates of a WhatsApp Business account, in Meta's own
 * format (what WhatsApp Manager and `GET /{waba-id}/message_templates` return), read from a JSON
 * or YAML file. A file is a Graph API export as is (`{"data": […], "paging": …}`), a bare list
 * of templates, or `{"templates": […]}`. `templates import` writes `{"data": […]}`.
 *
 * The schema checks what the CLI relies on (name, language, components and their fields) and
 * keeps every other field of an export (id, sub_category, quality_score, …) untouched. Component
 * and button types are strings here: an unknown one is `templates lint`'s to report, not a
 * reason to refuse the whole file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { ConfigError, fileProblem } from '../errors.js';
import { describeIssue } from '../message/validate.js';

const str = (what: string) => z.string({ error: `${what} must be text` });

export const buttonSchema = z.looseObject({
  type: str('button type'),
  text: z.optional(str('button text')),
  url: z.optional(str('button url')),
  phone_number: z.optional(str('button phone_number')),
});

export const componentSchema = z.looseObject({
  type: str('component type'),
  format: z.optional(str('component format')),
  text: z.optional(str('component text')),
  buttons: z.optional(z.array(buttonSchema)),
});

export const templateEntrySchema = z.looseObject({
  name: z
    .string({ error: 'name must be text' })
    .check(z.regex(/^[a-z0-9_]{1,512}$/, { message: 'name must be lowercase letters, digits and _' })),
  language: z
    .string({ error: 'language must be a code like pt_BR' })
    .check(z.regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4})?$/, { message: 'language must be a code like pt_BR, en_US or es' })),
  category: z.optional(str('category')),
  status: z.optional(str('status')),
  parameter_format: z.optional(z.enum(['POSITIONAL', 'NAMED'], { error: 'parameter_format must be POSITIONAL or NAMED' })),
  components: z.array(componentSchema, { error: 'components must be a list' }),
});

export type TemplateEntry = z.infer<typeof templateEntrySchema>;
export type TemplateComponent = z.infer<typeof componentSchema>;
export type TemplateButtonDef = z.infer<typeof buttonSchema>;

export interface Catalog {
  /** Absolute path of the file. */
  file: string;
  /** The path as the user gave it (messages). */
  shown: string;
  templates: TemplateEntry[];
  /** Finds the entry for a name and language. */
  find(name: string, language: string): TemplateEntry | undefined;
  /** The languages a name has in the catalog. */
  languagesOf(name: string): string[];
}

const keyOf = (name: string, language: string): string => `${name}\u0000${language}`;

export function makeCatalog(file: string, shown: string, templates: TemplateEntry[]): Catalog {
  const index = new Map<string, TemplateEntry>();
  for (const t of templates) index.set(keyOf(t.name, t.language), t);
  return {
    file,
    shown,
    templates,
    find: (name, language) => index.get(keyOf(name, language)),
    languagesOf: (name) => templates.filter((t) => t.name === name).map((t) => t.language),
  };
}

const isYaml = (file: string): boolean => /\.ya?ml$/i.test(file);

/** The text of a JSON or YAML file as data; errors name the file. */
export async function parseDataFile(file: string, shown: string, text: string): Promise<unknown> {
  text = text.replace(/^\uFEFF/, '');
  if (isYaml(file)) {
    const { defaultLoaders } = await import('cosmiconfig');
    try {
      return await defaultLoaders['.yaml']!(file, text);
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number } };
      const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
      throw new ConfigError(`${shown}: invalid YAML${at}: ${e.reason ?? 'unparsable'}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${shown}: invalid JSON (${(err as Error).message})`, { hint: 'a catalog is JSON (or YAML, named .yaml/.yml)' });
  }
}

/** The list of templates in a catalog file or a Graph API export, whatever its wrapping. */
function templateList(data: unknown, shown: string): unknown[] {
  if (Array.isArray(data)) return data;
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    if (Array.isArray(o.data)) return o.data;
    if (Array.isArray(o.templates)) return o.templates;
    // One template on its own.
    if (typeof o.name === 'string' && Array.isArray(o.components)) return [o];
  }
  throw new ConfigError(
    `${shown}: not a templates catalog: expected a Graph API export {"data": [templates…]}, a list of templates, or {"templates": […]}`,
  );
}

/** How a template is named in messages: `'order_update' (pt_BR)`, or its position. */
export function templateLabel(raw: unknown, i: number): string {
  const t = raw as { name?: unknown; language?: unknown } | null;
  if (t && typeof t.name === 'string') return `template '${t.name}'${typeof t.language === 'string' ? ` (${t.language})` : ''}`;
  return `template #${i + 1}`;
}

/** Checks every entry; one line per problem naming the file, the template and the field. */
export function parseTemplates(data: unknown, shown: string): TemplateEntry[] {
  const list = templateList(data, shown);
  const out: TemplateEntry[] = [];
  const problems: string[] = [];
  list.forEach((raw, i) => {
    const r = templateEntrySchema.safeParse(raw);
    if (r.success) out.push(r.data);
    else {
      for (const issue of r.error.issues.slice(0, 3)) {
        const at = issue.path.map(String).join('.');
        problems.push(`${shown}: ${templateLabel(raw, i)}: ${at ? `${at}: ` : ''}${describeIssue(issue)}`);
      }
    }
  });
  if (problems.length) {
    const shownProblems = problems.slice(0, 20);
    throw new ConfigError(shownProblems.join('\n') + (problems.length > 20 ? `\n… and ${problems.length - 20} more` : ''));
  }
  return out;
}

/** Reads and checks a catalog file. */
export async function loadCatalog(file: string, shown = file): Promise<Catalog> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`templates catalog ${shown}: ${fileProblem(err)}`, {
      hint: 'create it with `interflow templates import export.json --templates FILE`, or fix templatesFile / --templates',
    });
  }
  return makeCatalog(path.resolve(file), shown, parseTemplates(await parseDataFile(file, shown, text), shown));
}

/** Writes a catalog as `{"data": […]}` (a Graph API export's shape), atomically. */
export function saveCatalog(file: string, shown: string, templates: TemplateEntry[]): void {
  if (isYaml(file)) {
    throw new ConfigError(`${shown}: templates import writes JSON catalogs; convert ${shown} to JSON, or import into a .json file`);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ data: templates }, null, 2) + '\n', 'utf8');
    renameSync(tmp, file);
  } catch (err) {
    throw new ConfigError(`${shown}: ${fileProblem(err)}`);
  }
}
