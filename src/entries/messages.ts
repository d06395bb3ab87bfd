/** The app bundle for `interflow messages`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runMessagesGet } from '../commands/messages/run.js';
import { runMessagesList } from '../commands/messages/list.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ 'messages get': async () => runMessagesGet, 'messages list': async () => runMessagesList }, invocation);
