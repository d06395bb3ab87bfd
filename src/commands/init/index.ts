/**
 * `interflow init`: writes a profile to .interflowrc (mode 0600). The work is in src/init/run.ts,
 * in a bundle of its own.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `init` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'add a profile to .interflowrc (or --config FILE), mode 0600: asks on a terminal, or takes --provider and flags',
  args: [],
  options: true,
};

export function register(program: Command): void {
  program
    .command('init')
    .description(listing.description)
    .option('--provider <id>', 'interflow | interacto | turn | socialminer: take everything from flags and ask nothing')
    .option('--base-url <url>', "the API's base URL (default: the provider's own)")
    .option('--sandbox-port <port>', 'questions: the port the local sandbox listens on, offered for the "local sandbox" base URL (default: 8787)')
    .option('--channel-id <uuid>', "interflow: the channel's UUID (required)")
    .option('--instance-id <id>', 'interacto: the instance id (required)')
    .option('--namespace <ns>', 'turn: the template namespace')
    .option('--key-env <name>', 'read the key from this environment variable (default: INTERFLOW_API_KEY, INTERACTO_API_KEY, TURN_TOKEN or SOCIALMINER_API_KEY)')
    .option('--key-stdin', 'read the key itself from stdin and keep it in the file')
    .option('--default', 'make it the default profile')
    .option('--force', 'replace a profile of the same name')
    .option('--templates-file <file>', 'set templatesFile: the templates catalog template sends are checked against (relative to the rc file)')
    .option('--no-check', 'do not check an interflow key with GET /webhooks')
    .addHelpText(
      'after',
      examples(
        'interflow init',
        'interflow init --profile turn --provider turn --namespace template-namespace --key-env TURN_TOKEN',
        'interflow init --profile local --provider interflow --base-url http://127.0.0.1:8787/interflow/v1 --channel-id 550e8400-e29b-41d4-a716-446655440000 --default',
        'interflow init --profile turn --provider turn --key-env TURN_TOKEN --templates-file templates.json',
        'printf %s "$INTERACTO_KEY" | interflow init --profile interacto --provider interacto --instance-id 66a09db606fd14660c8fc1d0 --key-stdin',
      ) +
        '\nThe profile name is --profile NAME (default: the provider). Other profiles in the file are kept; the file is\n' +
        'written with mode 0600. An interflow key is checked with one GET /webhooks before anything is written.\n',
    )
    .action(lazy('init'));
}
