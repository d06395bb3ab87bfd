/** The app bundle for `interflow profiles …`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runProfilesList } from '../commands/profiles/list.js';
import { runProfilesShow } from '../commands/profiles/show.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith({ 'profiles list': async () => runProfilesList, 'profiles show': async () => runProfilesShow }, invocation);
