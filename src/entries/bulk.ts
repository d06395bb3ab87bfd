/** The app bundle for `interflow bulk`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runBulkCommand } from '../commands/bulk/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ bulk: async () => runBulkCommand }, invocation);
