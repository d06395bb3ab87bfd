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

/** 127.0.0.0/8, ::1 and localhost: requests there never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The hosts a provider's own default base URLs use (interflow: production and sandbox). */
export function providerHosts(provider: ProviderId): string[] {
  const urls: string[] = provider === 'interflow' ? [defaultBaseUrls.interflow, interflowSandboxBaseUrl] : [defaultBaseUrls[provider]];
  return urls.map((u) => new URL(u).host);
}

/**
 * Where a base URL sends a profile's key: 'loopback' (this machine), 'provider' (https to the
 * profile's own provider's default host), else 'elsewhere'. An unparsable URL is 'elsewhere'.
 */
export function destinationOf(provider: ProviderId, baseUrl: string): 'loopback' | 'provider' | 'elsewhere' {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'elsewhere';
  }
  if (url.username || url.password) return 'elsewhere';
  if (isLoopbackHost(url.hostname)) return 'loopback';
  return url.protocol === 'https:' && providerHosts(provider).includes(url.host) ? 'provider' : 'elsewhere';
}
