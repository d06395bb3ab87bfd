/** The app bundle for `interflow report`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runReport } from '../commands/report/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ report: async () => runReport }, invocation);
