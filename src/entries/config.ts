/** The app bundle for `interflow config …`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runConfigTrust, runConfigUntrust } from '../commands/config/run.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith({ 'config trust': async () => runConfigTrust, 'config untrust': async () => runConfigUntrust }, invocation);
