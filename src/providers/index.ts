/**
 * The provider registry. Adding a provider: one file exporting a ProviderAdapter, one line here.
 */
import { providerIds, type ProviderId } from '../config/profile.js';
import { ConfigError } from '../errors.js';
import { interacto } from './interacto.js';
import { interflow } from './interflow.js';
import { socialminer } from './socialminer.js';
import { turn } from './turn.js';
import type { ProviderAdapter } from './types.js';

export const providers = { interflow, interacto, turn, socialminer } as const satisfies Record<ProviderId, ProviderAdapter>;

/** The adapter for a provider id; ConfigError (exit 2) naming the known ids for anything else. */
export function getAdapter(id: ProviderId): ProviderAdapter {
  if (!Object.hasOwn(providers, id)) {
    throw new ConfigError(`unknown provider '${String(id)}': use one of ${providerIds.join(', ')}`);
  }
  return providers[id];
}

export { errorHint, metaErrorHint } from './meta.js';
export type { HttpRequest, ProviderAdapter, SendAccepted } from './types.js';
