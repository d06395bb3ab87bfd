/**
 * `interflow webhooks list|create|delete` against Interflow's /webhooks
 * (docs/providers/interflow.md, "Webhooks" and "Assumed"): {url, events?} → {id, url, events, created_at}.
 */
import { DRY_RUN, seg } from '../../interflow/api.js';
import { checkHttpUrl, checkNotBlank, printResource, runList, show, withApi } from '../../interflow/cli.js';
import type { Column } from '../../output/format.js';
import type { CommandContext } from '../context.js';
import type { PageOptions } from '../../interflow/cli.js';
import { confirmDestructive } from '../../interactive/confirm.js';

type Webhook = Record<string, unknown>;
const FAMILY = 'webhooks';

const columns: Column<Webhook>[] = [
  { header: 'id', value: (w) => w.id },
  { header: 'url', value: (w) => w.url },
  { header: 'events', value: (w) => show(w.events) },
  { header: 'created', value: (w) => w.created_at, optional: true },
];

export const runWebhooksList = (options: PageOptions, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/webhooks', options, columns, 'webhooks'));

export function runWebhooksCreate(options: { url: string; event?: string[] }, ctx: CommandContext): Promise<void> {
  const url = checkHttpUrl('--url', options.url);
  const events = options.event;
  checkNotBlank('--event', events ?? []);
  return withApi(ctx, FAMILY, async ({ api }) => {
    const created = await api.create('/webhooks', { url, ...(events ? { events } : {}) });
    if (created !== DRY_RUN) printResource(ctx, created);
  });
}

export const runWebhooksDelete = ({ id, yes }: { id: string; yes?: boolean }, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, async ({ api }) => {
    await confirmDestructive(ctx, { yes }, { action: `delete webhook ${id}`, declined: `webhook ${id} was not deleted` });
    const deleted = await api.delete(`/webhooks/${seg(id)}`);
    if (deleted !== DRY_RUN) printResource(ctx, deleted);
  });
