import type { InitResult } from '../../init/run.js';
import { keysOf } from '../fields.js';
import { defineCommand, flag, text, type Options } from '../spec.js';

const initOptions = {
  provider: text('--provider <id>', 'interflow | interacto | turn | socialminer: take everything from flags and ask nothing'),
  baseUrl: text('--base-url <url>', "the API's base URL (default: the provider's own)"),
  sandboxPort: text(
    '--sandbox-port <port>',
    'questions: the port the local sandbox listens on, offered for the "local sandbox" base URL (default: 8787)',
  ),
  channelId: text('--channel-id <uuid>', "interflow: the channel's UUID (required)"),
  instanceId: text('--instance-id <id>', 'interacto: the instance id (required)'),
  namespace: text('--namespace <ns>', 'turn: the template namespace'),
  keyEnv: text(
    '--key-env <name>',
    'read the key from this environment variable (default: INTERFLOW_API_KEY, INTERACTO_API_KEY, TURN_TOKEN or SOCIALMINER_API_KEY)',
  ),
  keyStdin: flag('--key-stdin', 'read the key itself from stdin and keep it in the file'),
  default: flag('--default', 'make it the default profile'),
  force: flag('--force', 'replace a profile of the same name'),
  templatesFile: text(
    '--templates-file <file>',
    'set templatesFile: the templates catalog template sends are checked against (relative to the rc file)',
  ),
  check: flag('--no-check', 'do not check an interflow key with GET /webhooks'),
};

export type InitFlags = Options<readonly [], typeof initOptions>;

export default defineCommand({
  name: 'init',
  summary: 'add a profile to .interflowrc (or --config FILE), mode 0600: asks on a terminal, or takes --provider and flags',
  arguments: [],
  options: initOptions,
  examples: [
    'interflow init',
    'interflow init --profile turn --provider turn --namespace template-namespace --key-env TURN_TOKEN',
    'interflow init --profile local --provider interflow --base-url http://127.0.0.1:8787/interflow/v1 --channel-id 550e8400-e29b-41d4-a716-446655440000 --default',
    'interflow init --profile turn --provider turn --key-env TURN_TOKEN --templates-file templates.json',
    'printf %s "$INTERACTO_KEY" | interflow init --profile interacto --provider interacto --instance-id 66a09db606fd14660c8fc1d0 --key-stdin',
  ],
  notes:
    '\nThe profile name is --profile NAME (default: the provider). Other profiles in the file are kept; the file is\n' +
    'written with mode 0600. An interflow key is checked with one GET /webhooks before anything is written.\n',
  json: keysOf<InitResult>()(['file', 'profile', 'provider', 'default', 'created']),
  load: () => import('../../init/run.js').then((m) => m.runInit),
});
