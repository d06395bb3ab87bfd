/** The app bundle for `interflow templates …`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runTemplatesImport, runTemplatesLint, runTemplatesList, runTemplatesShow } from '../commands/templates/run.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith(
    {
      'templates list': async () => runTemplatesList,
      'templates show': async () => runTemplatesShow,
      'templates lint': async () => runTemplatesLint,
      'templates import': async () => runTemplatesImport,
    },
    invocation,
  );
