/** The app bundle for `interflow sandbox`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runSandbox } from '../commands/sandbox/run.js';

export const run = (invocation: Invocation): Promise<void> => runWith({ sandbox: async () => runSandbox }, invocation);
