/** The app bundle for `interflow completion`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runCompletion } from '../commands/completion/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ completion: async () => runCompletion }, invocation);
