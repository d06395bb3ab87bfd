/**
 * `interflow chats list|get|messages|create` against Interflow's /chats
 * (docs/providers/interflow.md, "Other resources"). The reference lists POST /chats without its body; the tool
 * sends the shape docs/providers/interflow.md assumes: {channel_id, customer_id} or {channel_id, phone}.
 */
import { UsageError } from '../../errors.js';
import { DRY_RUN, seg } from '../../interflow/api.js';
import { printResource, runList, show, withApi } from '../../interflow/cli.js';
import { normalizeRecipient } from '../../message/recipient.js';
import type { Column } from '../../output/format.js';
import type { CommandContext } from '../context.js';
import type { PageOptions } from '../../interflow/cli.js';

type Item = Record<string, unknown>;
const FAMILY = 'chats';

const contact = (c: Item): Item => (typeof c.contact === 'object' && c.contact !== null ? (c.contact as Item) : {});

const chatColumns: Column<Item>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'name', value: (c) => contact(c).name },
  { header: 'phone', value: (c) => contact(c).phone },
  { header: 'status', value: (c) => c.status },
  { header: 'messages', value: (c) => c.message_count, optional: true },
  { header: 'last message', value: (c) => c.last_message_at },
];

/** The text of a message's content, or its shape for other types. */
function summary(m: Item): string {
  const content = typeof m.content === 'object' && m.content !== null ? (m.content as Item) : {};
  if (typeof content.text === 'string') return content.text;
  if (typeof content.caption === 'string') return content.caption;
  if (typeof content.url === 'string') return content.url;
  if (typeof content.name === 'string') return content.name;
  return show(m.content);
}

const messageColumns: Column<Item>[] = [
  { header: 'id', value: (m) => m.id },
  { header: 'direction', value: (m) => m.direction, optional: true },
  { header: 'type', value: (m) => m.type },
  { header: 'status', value: (m) => m.status },
  { header: 'at', value: (m) => m.created_at },
  { header: 'content', value: summary },
];

export const runChatsList = (options: PageOptions, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/chats', options, chatColumns, 'chats'));

export const runChatsGet = ({ id }: { id: string }, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, async ({ api }) => printResource(ctx, await api.get(`/chats/${seg(id)}`)));

export const runChatsMessages = ({ id, ...options }: PageOptions & { id: string }, ctx: CommandContext): Promise<void> =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, `/chats/${seg(id)}/messages`, options, messageColumns, 'messages'));

export async function runChatsCreate(options: { customer?: string; phone?: string }, ctx: CommandContext): Promise<void> {
  const customer = options.customer?.trim();
  const phone = options.phone;
  if ((customer === undefined) === (phone === undefined)) {
    throw new UsageError(
      customer === undefined ? 'chats create needs --customer ID or --phone NUMBER' : 'give --customer or --phone, not both',
      {
        hint: 'e.g. interflow chats create --phone "+55 11 99999-9999", or --customer cust_xyz789',
      },
    );
  }
  if (customer === '') throw new UsageError('--customer is empty: give a customer id, e.g. --customer cust_xyz789');
  await withApi(ctx, FAMILY, async ({ api, profile }) => {
    const body =
      customer !== undefined
        ? { channel_id: profile.channelId, customer_id: customer }
        : { channel_id: profile.channelId, phone: normalizeRecipient(phone!, profile.defaultCountry, '--phone') };
    const created = await api.create('/chats', body);
    if (created !== DRY_RUN) printResource(ctx, created);
  });
}
