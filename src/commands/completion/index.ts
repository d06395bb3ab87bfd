/**
 * `interflow completion bash|zsh|fish`: flags and help only; the script is generated in ./run.ts
 * (app bundle) from the whole command tree.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `completion` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'print a shell completion script (bash, zsh, fish): commands, flags, profile names and flag values',
  args: ['<shell>'],
  options: false,
};

export function register(program: Command): void {
  program
    .command('completion')
    .description(listing.description)
    .argument('<shell>', 'bash | zsh | fish')
    .addHelpText(
      'after',
      examples(
        'interflow completion bash > /etc/bash_completion.d/interflow',
        'source <(interflow completion bash)',
        'source <(interflow completion zsh)',
        'interflow completion fish > ~/.config/fish/completions/interflow.fish',
      ),
    )
    .action(lazy('completion'));
}
