/**
 * `interflow webhooks list|create|delete` against Interflow's /webhooks
 * (docs/providers/interflow.md, "Webhooks" and "Assumed"): {url, events?} → {id, url, events, created_at}.
 */
import { DRY_RUN, seg } from './api.js';
import { checkHttpUrl, checkNotBlank, printResource, runList, show, withApi } from './cli.js';
import type { Column } from '../output/format.js';
import type { RunFn } from '../commands/context.js';
import { confirmDestructive } from '../interactive/confirm.js';

type Webhook = Record<string, unknown>;
const FAMILY = 'webhooks';

const columns: Column<Webhook>[] = [
  { header: 'id', value: (w) => w.id },
  { header: 'url', value: (w) => w.url },
  { header: 'events', value: (w) => show(w.events) },
  { header: 'created', value: (w) => w.created_at, optional: true },
];

export const runWebhooksList: RunFn = (ctx, _args, options) =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/webhooks', options, columns, 'webhooks'));

export const runWebhooksCreate: RunFn = (ctx, _args, options) => {
  const url = checkHttpUrl('--url', options.url);
  const events = options.event as string[] | undefined;
  checkNotBlank('--event', events ?? []);
  return withApi(ctx, FAMILY, async ({ api }) => {
    const created = await api.create('/webhooks', { url, ...(events ? { events } : {}) });
    if (created !== DRY_RUN) printResource(ctx, created);
  });
};

export const runWebhooksDelete: RunFn = (ctx, args, options) =>
  withApi(ctx, FAMILY, async ({ api }) => {
    const id = String(args[0]);
    await confirmDestructive(ctx, options, { action: `delete webhook ${id}`, declined: `webhook ${id} was not deleted` });
    const deleted = await api.delete(`/webhooks/${seg(id)}`);
    if (deleted !== DRY_RUN) printResource(ctx, deleted);
  });
