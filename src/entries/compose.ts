/** The app bundle for `interflow compose` and `interflow send template --interactive`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runCompose } from '../compose/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ compose: async () => runCompose }, invocation);
