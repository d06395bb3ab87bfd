/**
 * Which catalog a command uses, and the check of one template message against it.
 *
 * The catalog: `--templates FILE` (relative to the working directory), else `templatesFile` in
 * the rc file (relative to the rc file), else none; `--no-templates` ignores a configured one.
 * A templatesFile that does not exist yet is a warning (sends unchecked), --templates FILE an error.
 * Without a catalog nothing is checked. It is read only by the commands that send templates
 * (`send template`, `bulk --template`, `compose`) and by `templates …`.
 *
 * A template that is not in a configured catalog is refused (exit 2) with a hint: a catalog is a
 * statement of which templates the account has, and a name missing from it is most often a typo
 * or a template not approved yet (Meta's 132001). `--no-templates` sends it unchecked.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../errors.js';
import type { GlobalOptions } from '../commands/context.js';
import type { TemplateMessage } from '../message/model.js';
import type { Io } from '../output/io.js';
import { loadCatalog, type Catalog, type TemplateEntry } from './catalog.js';
import { checkAgainst, type CheckResult } from './check.js';

export interface CatalogLocation {
  file: string;
  shown: string;
  /** Where the path came from, for messages. */
  from: '--templates' | 'templatesFile';
}

/** Where the catalog is, or undefined when none is configured (or --no-templates). */
export async function locateCatalog(globals: GlobalOptions, io: Io): Promise<CatalogLocation | undefined> {
  if (globals.templates === false) return undefined;
  const cwd = process.cwd();
  if (typeof globals.templates === 'string') {
    return { file: path.resolve(cwd, globals.templates), shown: globals.templates, from: '--templates' };
  }
  const { loadConfig, displayPath } = await import('../config/load.js');
  const loaded = await loadConfig({ configPath: globals.config, cwd, env: io.env });
  const templatesFile = (loaded?.config as { templatesFile?: unknown } | undefined)?.templatesFile;
  if (!loaded || typeof templatesFile !== 'string') return undefined;
  const file = path.resolve(path.dirname(loaded.filepath), templatesFile);
  return { file, shown: displayPath(file, io.env), from: 'templatesFile' };
}

/**
 * The configured catalog, read and checked; undefined when none is configured. A templatesFile
 * of the rc that does not exist yet (a copied .interflowrc.example) is a warning on a terminal,
 * not an error: sends go on unchecked until `templates import` creates it. `--templates FILE`
 * must exist.
 */
export async function catalogFor(globals: GlobalOptions, io: Io): Promise<Catalog | undefined> {
  const where = await locateCatalog(globals, io);
  if (!where) return undefined;
  if (where.from === 'templatesFile' && !existsSync(where.file)) {
    // Said on a terminal (or with --verbose), not in every script's log.
    if ((io.isStderrTTY && !io.quiet) || io.verbose)
      io.err(
        `warning: templatesFile ${where.shown} does not exist yet: template sends are not checked; create it with \`interflow templates import export.json\`\n`,
      );
    return undefined;
  }
  return loadCatalog(where.file, where.shown);
}

/** The entry for a message, or why there is none (a problem naming the catalog). */
export function entryFor(catalog: Catalog, name: string, language: string): TemplateEntry | string {
  const entry = catalog.find(name, language);
  if (entry) return entry;
  const others = catalog.languagesOf(name);
  return others.length
    ? `template '${name}' has no ${language} entry in the catalog ${catalog.shown} (it has ${others.join(', ')}): give --language ${others[0]}`
    : `template '${name}' (${language}) is not in the catalog ${catalog.shown}`;
}

export const notInCatalogHint =
  'add it with `interflow templates import export.json` (a Graph API GET /message_templates export), or send without the check: --no-templates';

/** A template message checked and completed (NAMED parameter names) with what a user sees. */
export interface Checked {
  message: TemplateMessage;
  rendered: string;
  warnings: string[];
}

/**
 * Applies a passing check to the message: a NAMED template's `NAME=VALUE` values become the
 * values alone, in the order the names first appear in its body. The providers' documents
 * (docs/providers/meta.md) show body parameters as `{type, text}` only, without Meta's
 * `parameter_name`, so they are sent in that order.
 */
export function applyCheck(msg: TemplateMessage, result: CheckResult): TemplateMessage {
  return result.bodyNames ? { ...msg, body: result.body } : msg;
}

/** Checks one message; throws a ValidationError (exit 2) listing every problem. */
export function checkOne(catalog: Catalog, msg: TemplateMessage): Checked {
  const entry = entryFor(catalog, msg.name, msg.language);
  if (typeof entry === 'string') throw new ValidationError(entry, { hint: notInCatalogHint });
  const result = checkAgainst(msg, entry);
  if (result.problems.length) {
    throw new ValidationError(result.problems.join('\n'), {
      hint: `the catalog entry: interflow templates show ${entry.name} --language ${entry.language}`,
    });
  }
  return { message: applyCheck(msg, result), rendered: result.rendered, warnings: result.warnings };
}
