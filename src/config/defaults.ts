/**
 * Provider defaults a profile falls back to (docs/providers/README.md). A profile's `baseUrl`
 * replaces these exactly.
 */
import type { Profile, ProviderId } from './profile.js';

export const defaultBaseUrls = {
  interflow: 'https://api.interflow.chat/v1',
  interacto: 'https://api.interacto.io',
  turn: 'https://whatsapp.turn.io',
  socialminer: 'https://api-cerberus-kong.socialminer.tech',
} as const satisfies Record<ProviderId, string>;

/** Interflow's base URL when a profile says `environment: sandbox` and has no baseUrl. */
export const interflowSandboxBaseUrl = 'https://sandbox.api.interflow.chat/v1';

/** Country for numbers typed without a country code, when the profile does not say. */
export const defaultCountry = 'BR';

/** The provider's default base URL for a profile (interflow honours `environment`). */
export function defaultBaseUrl(profile: Pick<Profile, 'provider' | 'environment'>): string {
  return profile.provider === 'interflow' && profile.environment === 'sandbox'
    ? interflowSandboxBaseUrl
    : defaultBaseUrls[profile.provider];
}

/** The base URL requests go to: the profile's own, else the provider's default. */
export function effectiveBaseUrl(profile: Pick<Profile, 'provider' | 'environment' | 'baseUrl'>): string {
  return profile.baseUrl ?? defaultBaseUrl(profile);
}
