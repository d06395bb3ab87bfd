/** `interflow chats list|get|messages` against Interflow's /chats (docs/providers/interflow.md, "Other resources"). */
import { seg } from '../../interflow/api.js';
import { printResource, runList, show, withApi } from '../../interflow/cli.js';
import type { Column } from '../../output/format.js';
import type { RunFn } from '../context.js';

type Item = Record<string, unknown>;
const FAMILY = 'chats';

const contact = (c: Item): Item => (typeof c.contact === 'object' && c.contact !== null ? (c.contact as Item) : {});

const chatColumns: Column<Item>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'name', value: (c) => contact(c).name },
  { header: 'phone', value: (c) => contact(c).phone },
  { header: 'status', value: (c) => c.status },
  { header: 'messages', value: (c) => c.message_count },
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
  { header: 'direction', value: (m) => m.direction },
  { header: 'type', value: (m) => m.type },
  { header: 'status', value: (m) => m.status },
  { header: 'at', value: (m) => m.created_at },
  { header: 'content', value: summary },
];

export const runChatsList: RunFn = (ctx, _args, options) =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, '/chats', options, chatColumns, 'chats'));

export const runChatsGet: RunFn = (ctx, args) =>
  withApi(ctx, FAMILY, async ({ api }) => printResource(ctx, await api.get(`/chats/${seg(String(args[0]))}`)));

export const runChatsMessages: RunFn = (ctx, args, options) =>
  withApi(ctx, FAMILY, ({ api }) => runList(ctx, api, `/chats/${seg(String(args[0]))}/messages`, options, messageColumns, 'messages'));
