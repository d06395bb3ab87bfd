/** The app bundle for `interflow chats`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runChatsCreate, runChatsGet, runChatsList, runChatsMessages } from '../commands/chats/run.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith(
    {
      'chats list': async () => runChatsList,
      'chats get': async () => runChatsGet,
      'chats messages': async () => runChatsMessages,
      'chats create': async () => runChatsCreate,
    },
    invocation,
  );
