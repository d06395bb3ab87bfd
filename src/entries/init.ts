/** The app bundle for `interflow init`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runInit } from '../init/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ init: async () => runInit }, invocation);
