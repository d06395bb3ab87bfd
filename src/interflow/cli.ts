/**
 * What the Interflow resource commands (messages, customers, chats, webhooks) share: opening a
 * client for the chosen profile, the list flags (--page, --per-page, --all) and how lists and
 * single resources are printed (tables and a key/value view on a TTY, JSON otherwise).
 */
import { commandHttpOptions } from '../http/client.js';
import type { CommandContext } from '../commands/context.js';
import { UsageError } from '../errors.js';
import { jsonLine, pick, printJson, renderRecord, renderTable, tableWidth, type Column } from '../output/format.js';
import type { Profile } from '../config/profile.js';
import { InterflowApi, requireInterflow } from './api.js';

export interface Opened {
  api: InterflowApi;
  profile: Profile;
}

/** Loads the profile, refuses a non-interflow one (exit 2) and opens a client honouring the globals. */
export async function openApi(ctx: CommandContext, family: string, what?: string): Promise<Opened> {
  const profile = await ctx.loadProfile();
  requireInterflow(profile, family, what);
  const api = new InterflowApi(profile, {
    ...commandHttpOptions(ctx, profile),
    dryRun: ctx.globals.dryRun ? { io: ctx.io } : undefined,
  });
  return { api, profile };
}

/** Runs fn with an open client and closes it afterwards. */
export async function withApi<T>(ctx: CommandContext, family: string, fn: (o: Opened) => Promise<T>, what?: string): Promise<T> {
  const opened = await openApi(ctx, family, what);
  try {
    return await fn(opened);
  } finally {
    await opened.api.close();
  }
}

/** An e-mail address as Interflow accepts one (name@domain.tld), checked before anything is sent (exit 2). */
export function checkEmail(flag: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) throw new UsageError(`${flag} must be an e-mail address like joao@email.com, got '${s}'`);
  return s;
}

/** An absolute http(s) URL with a host, checked before anything is sent (exit 2). */
export function checkHttpUrl(flag: string, raw: unknown): string {
  const s = String(raw);
  let ok = false;
  try {
    const url = new URL(s);
    // eslint-disable-next-line no-control-regex -- a URL with a control character is refused
    ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !/[\s\x00-\x1f\x7f]/.test(s);
  } catch {
    // not a URL
  }
  if (!ok) throw new UsageError(`${flag} must be an http(s) URL like https://exemplo.com/hooks, got '${s}'`);
  return s;
}

/** Texts that must not be empty (each repeat of a flag), checked before anything is sent (exit 2). */
export function checkNotBlank(flag: string, values: readonly unknown[]): void {
  if (values.some((v) => String(v).trim() === '')) throw new UsageError(`${flag} must not be empty`);
}

/** --page, --per-page and --all, as their schemas parsed them (src/commands/message-options.ts). */
export interface PageOptions {
  page?: number;
  perPage?: number;
  all?: boolean;
}

/** Whether results are tables (a TTY without --json) or JSON. */
export function wantsTable(ctx: CommandContext): boolean {
  return ctx.io.isStdoutTTY && !ctx.globals.json;
}

/**
 * A list command: one page (table, or `{"data":[…],"meta":{…}}`), or with --all every page as it
 * arrives (a table per page on a TTY; one JSON line per item otherwise).
 */
export async function runList<T>(
  ctx: CommandContext,
  api: InterflowApi,
  path: string,
  options: PageOptions,
  columns: readonly Column<T>[],
  noun: string,
): Promise<void> {
  const q = { page: options.page, perPage: options.perPage };
  const table = wantsTable(ctx);
  if (!options.all) {
    const page = await api.list<T>(path, q);
    if (!table) {
      printJson(ctx.io, { data: pick(page.data, ctx.globals.fields), meta: page.meta });
      return;
    }
    const { page: n, per_page, total } = page.meta;
    const pages = Math.max(1, Math.ceil(total / per_page));
    if (page.data.length === 0) ctx.io.err(`no ${noun} on page ${n} (${total} in all)\n`);
    else ctx.io.out(renderTable(page.data, columns, ctx.io.color, tableWidth(ctx.io)));
    if (!ctx.io.quiet && page.data.length > 0) {
      ctx.io.err(
        `page ${n} of ${pages} · ${total} ${total === 1 ? noun.replace(/s$/, '') : noun} in all${n < pages ? ` · --page ${n + 1} for more, --all for every page` : ''}\n`,
      );
    }
    return;
  }
  let count = 0;
  for await (const page of api.listAll<T>(path, q)) {
    count += page.data.length;
    if (!table) {
      for (const item of page.data) ctx.io.out(jsonLine(item, ctx.globals.fields));
      continue;
    }
    if (page.data.length > 0) {
      if (count > page.data.length) ctx.io.out('\n');
      ctx.io.out(renderTable(page.data, columns, ctx.io.color, tableWidth(ctx.io)));
    }
  }
  if (table && !ctx.io.quiet) ctx.io.err(`${count} ${noun}\n`);
}

/** A single resource: a key/value view on a TTY, JSON otherwise or with --json. */
export function printResource(ctx: CommandContext, value: unknown): void {
  if (!wantsTable(ctx) || typeof value !== 'object' || value === null) {
    printJson(ctx.io, value, ctx.globals.fields);
    return;
  }
  const rows: [string, string][] = [];
  const walk = (prefix: string, v: unknown): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, inner] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, inner);
      return;
    }
    rows.push([prefix, show(v)]);
  };
  walk('', value);
  ctx.io.out(renderRecord(rows, ctx.io.color, tableWidth(ctx.io)));
}

/** A cell: lists joined with ", ", nothing for null/undefined. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/\s*\n\s*/g, ' ');
}
