import { keysOf } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import type { ProfileView } from './show.run.js';

export default defineCommand({
  name: 'profiles show',
  summary: 'show every field of a resolved profile (default: the one a command would use), the key as ***',
  arguments: [arg('[name]', 'the profile name (default: the one a command would use)')],
  options: {},
  examples: ['interflow profiles show', 'interflow profiles show turn', 'INTERFLOW_PROFILE=local interflow profiles show --json'],
  json: keysOf<ProfileView>()([
    'name',
    'provider',
    'baseUrl',
    'baseUrlIsDefault',
    'environment',
    'channelId',
    'instanceId',
    'namespace',
    'plan',
    'rateLimit',
    'defaultCountry',
    'timeoutMs',
    'apiKey',
    'apiKeyFrom',
    'source',
    'chosenBy',
  ]),
  load: () => import('./show.run.js').then((m) => m.runProfilesShow),
});
