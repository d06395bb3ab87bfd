/**
 * `interflow customers list|create|update|delete` (`get` is one file: ./get.ts) against Interflow's /customers
 * (docs/providers/interflow.md, "Other resources"): {name, email?, phone?, tags?, custom_fields?}.
 */
import { isReservedName, reservedRule } from '../../reserved.js';
import { UsageError } from '../../errors.js';
import { DRY_RUN, seg } from '../../interflow/api.js';
import { checkEmail, checkNotBlank, printResource, runList, show, withApi } from '../../interflow/cli.js';
import { normalizeRecipient } from '../../message/recipient.js';
import type { Column } from '../../output/format.js';
import type { Profile } from '../../config/profile.js';
import type { CommandContext } from '../context.js';
import type { PageOptions } from '../../interflow/cli.js';
import { pairs } from '../parsers.js';
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

/** The flags of create and update. */
export interface CustomerFlags {
  name?: string;
  email?: string;
  phone?: string;
  tag?: string[];
  field?: string[];
}

export const runCustomersList = (options: PageOptions, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/customers', options, columns, 'customers'));

/** --field key=value pairs; an empty value is kept ('' removes the field on update). */
function parseFields(raw: string[] | undefined): Map<string, string> {
  const fields = pairs(raw, '--field');
  for (const key of fields.keys()) {
    if (isReservedName(key)) throw new UsageError(`--field: '${key}' cannot be a field name (${reservedRule}); choose another name`);
  }
  return fields;
}

/** The fields given as flags, as the API names them. */
function bodyOf(options: CustomerFlags, profile: Profile): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.email !== undefined) body.email = checkEmail('--email', options.email);
  if (options.phone !== undefined) body.phone = normalizeRecipient(options.phone, profile.defaultCountry, '--phone');
  if (options.tag !== undefined) body.tags = options.tag;
  return body;
}

/** What can be checked here is checked before the profile is opened or anything is sent. */
function checkFlags(options: CustomerFlags): Map<string, string> {
  if (options.name !== undefined) checkNotBlank('--name', [options.name]);
  checkEmail('--email', options.email);
  checkNotBlank('--tag', options.tag ?? []);
  return parseFields(options.field);
}

/** A customer's custom fields (field → value, as Interflow has them), or none. */
function customFieldsOf(customer: Customer): Record<string, unknown> {
  const fields = customer.custom_fields;
  return typeof fields === 'object' && fields !== null && !Array.isArray(fields) ? { ...fields } : {};
}

export async function runCustomersCreate(options: CustomerFlags & { name: string }, ctx: CommandContext): Promise<void> {
  const fields = checkFlags(options);
  await withApi(ctx, FAMILY, async ({ api, profile }) => {
    const body = bodyOf(options, profile);
    if (fields.size > 0) body.custom_fields = Object.fromEntries(fields);
    const created = await api.create('/customers', body);
    if (created !== DRY_RUN) printResource(ctx, created);
  });
}

export async function runCustomersUpdate({ id, ...options }: CustomerFlags & { id: string }, ctx: CommandContext): Promise<void> {
  const fields = checkFlags(options);
  await withApi(ctx, FAMILY, async ({ api, profile }) => {
    const body = bodyOf(options, profile);
    if (fields.size > 0) {
      // One custom field changes; the others stay (PUT replaces custom_fields as a whole).
      const current = await api.get<Customer>(`/customers/${seg(id)}`);
      const merged = customFieldsOf(current);
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
}

export async function runCustomersDelete({ id, yes }: { id: string; yes?: boolean }, ctx: CommandContext): Promise<void> {
  await withApi(ctx, FAMILY, async ({ api }) => {
    await confirmDestructive(ctx, { yes }, { action: `delete customer ${id}`, declined: `customer ${id} was not deleted` });
    const deleted = await api.delete(`/customers/${seg(id)}`);
    if (deleted !== DRY_RUN) printResource(ctx, deleted);
  });
}
