/**
 * A resolved profile: the rc file's profile after `${ENV}` interpolation, the INTERFLOW_API_KEY
 * override and defaults. This is what commands and adapters receive.
 */
import type { CountryCode } from 'libphonenumber-js';

export const providerIds = ['interflow', 'interacto', 'turn', 'socialminer'] as const;
export type ProviderId = (typeof providerIds)[number];

export const plans = { starter: 60, professional: 300, enterprise: 1000 } as const;
export type Plan = keyof typeof plans;

export interface Profile {
  /** The profile's key in `profiles`. */
  name: string;
  provider: ProviderId;
  apiKey: string;
  /** Replaces the provider's default base URL exactly; paths are appended to it. */
  baseUrl?: string;
  /** interflow only: which default base URL when baseUrl is unset. */
  environment?: 'production' | 'sandbox';
  /** interflow: required. */
  channelId?: string;
  /** interacto: required. */
  instanceId?: string;
  /** turn: template namespace. */
  namespace?: string;
  plan?: Plan;
  /** Requests a minute; overrides plan. */
  rateLimit?: number;
  /** ISO 3166 country for numbers typed without a country code. Default BR. */
  defaultCountry: CountryCode;
  timeoutMs?: number;
  /** The config file the profile came from ('' when built from flags/env only). */
  source: string;
}
