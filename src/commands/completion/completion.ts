import { arg, defineCommand } from '../spec.js';

export default defineCommand({
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish): commands, flags, profile names and flag values',
  arguments: [arg('<shell>', 'bash | zsh | fish')],
  options: {},
  examples: [
    'interflow completion bash > /etc/bash_completion.d/interflow',
    'source <(interflow completion bash)',
    'source <(interflow completion zsh)',
    'interflow completion fish > ~/.config/fish/completions/interflow.fish',
  ],
  json: [],
  load: () => import('./run.js').then((m) => m.runCompletion),
});
