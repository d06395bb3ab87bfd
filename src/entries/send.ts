/** The app bundle for `interflow send …`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { sendCommand } from '../commands/send/run.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith(
    {
      'send text': async () => sendCommand('text'),
      'send media': async () => sendCommand('media'),
      'send location': async () => sendCommand('location'),
      'send contact': async () => sendCommand('contact'),
      'send template': async () => sendCommand('template'),
      'send interactive': async () => sendCommand('interactive'),
    },
    invocation,
  );
