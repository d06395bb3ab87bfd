/**
 * `interflow customers list|get|create|update|delete` against Interflow's /customers
 * (docs/providers/interflow.md, "Other resources"): {name, email?, phone?, tags?, custom_fields?}.
 */
import { isReservedName, reservedRule } from '../../reserved.js';
import { UsageError } from '../../errors.js';
import { DRY_RUN, seg } from '../../interflow/api.js';
import { checkEmail, checkNotBlank, printResource, runList, show, withApi } from '../../interflow/cli.js';
import { normalizeRecipient } from '../../message/recipient.js';
import type { Column } from '../../output/format.js';
import type { Profile } from '../../config/profile.js';
import type { RunFn } from '../context.js';
import { confirmDestructive } from '../../interactive/confirm.js';

type Customer = Record<string, unknown>;

const FAMILY = 'customers';

const columns: Column<Customer>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'name', value: (c) => c.name },
  { header: 'phone', value: (c) => c.phone },
  { header: 'email', value: (c) => c.email },
  { header: 'tags', value: (c) => show(c.tags), optional: true },
];

export const runCustomersList: RunFn = (ctx, _args, options) =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/customers', options, columns, 'customers'));

export const runCustomersGet: RunFn = (ctx, args) =>
  withApi(ctx, FAMILY, async ({ api }) => printResource(ctx, await api.get(`/customers/${seg(String(args[0]))}`)));

/** --field key=value pairs; an empty value is kept ('' removes the field on update). */
function parseFields(raw: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  for (const item of (raw as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    if (eq < 0 || key === '') throw new UsageError(`--field must be key=value, got '${item}'`);
    if (isReservedName(key)) throw new UsageError(`--field: '${key}' cannot be a field name (${reservedRule}); choose another name`);
    fields.set(key, item.slice(eq + 1));
  }
  return fields;
}

/** The fields given as flags, as the API names them. */
function bodyOf(options: Record<string, unknown>, profile: Profile): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) body.name = String(options.name);
  if (options.email !== undefined) body.email = checkEmail('--email', options.email);
  if (options.phone !== undefined) body.phone = normalizeRecipient(String(options.phone), profile.defaultCountry, '--phone');
  if (options.tag !== undefined) body.tags = options.tag as string[];
  return body;
}

/** What can be checked here is checked before the profile is opened or anything is sent. */
function checkFlags(options: Record<string, unknown>): Map<string, string> {
  if (options.name !== undefined) checkNotBlank('--name', [options.name]);
  checkEmail('--email', options.email);
  checkNotBlank('--tag', (options.tag as string[] | undefined) ?? []);
  return parseFields(options.field);
}

export const runCustomersCreate: RunFn = async (ctx, _args, options) => {
  const fields = checkFlags(options);
  await withApi(ctx, FAMILY, async ({ api, profile }) => {
    const body = bodyOf(options, profile);
    if (fields.size > 0) body.custom_fields = Object.fromEntries(fields);
    const created = await api.create('/customers', body);
    if (created !== DRY_RUN) printResource(ctx, created);
  });
};

export const runCustomersUpdate: RunFn = async (ctx, args, options) => {
  const id = String(args[0]);
  const fields = checkFlags(options);
  await withApi(ctx, FAMILY, async ({ api, profile }) => {
    const body = bodyOf(options, profile);
    if (fields.size > 0) {
      // One custom field changes; the others stay (PUT replaces custom_fields as a whole).
      const current = await api.get<Customer>(`/customers/${seg(id)}`);
      const merged: Record<string, string> = { ...((current.custom_fields as Record<string, string> | null) ?? {}) };
      for (const [k, v] of fields) {
        if (v === '') delete merged[k];
        else merged[k] = v;
      }
      body.custom_fields = merged;
    }
    if (Object.keys(body).length === 0) {
      throw new UsageError('nothing to update: give at least one of --name, --email, --phone, --tag, --field');
    }
    const updated = await api.update(`/customers/${seg(id)}`, body);
    if (updated !== DRY_RUN) printResource(ctx, updated);
  });
};

export const runCustomersDelete: RunFn = async (ctx, args, options) => {
  const id = String(args[0]);
  await withApi(ctx, FAMILY, async ({ api }) => {
    await confirmDestructive(ctx, options, { action: `delete customer ${id}`, declined: `customer ${id} was not deleted` });
    const deleted = await api.delete(`/customers/${seg(id)}`);
    if (deleted !== DRY_RUN) printResource(ctx, deleted);
  });
};
