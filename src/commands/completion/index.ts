/**
 * `interflow completion bash|zsh|fish`: flags and help only; the script is generated in ./run.ts
 * (app bundle) from the whole command tree.
 */
import type { Command } from 'commander';
import { examples, lazy } from '../lazy.js';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh, fish): commands, flags, profile names and flag values')
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
