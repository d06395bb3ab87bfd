/**
 * Config trust (README.md, Security): a config file found by the search, outside the user's
 * own config directory, is data from somewhere else (a parent directory, a cloned repository). If
 * it could send a secret away from the providers, it is not used until the user trusts it with
 * `interflow config trust`, remembered by path and content hash (as mise and direnv do).
 *
 * What counts as able to send a secret away:
 *   - a `baseUrl` that is neither https to the profile's own provider's default host nor
 *     loopback (every key of that profile, and INTERFLOW_API_KEY, would go there);
 *   - a `${NAME}` anywhere but `apiKey` (an environment variable's value would be put in a URL,
 *     a header or a body: `"baseUrl": "https://host/x/${GITHUB_TOKEN}"`).
 *
 * This module only looks at the parsed file (cheap, nothing loaded); the store of trusted files
 * (./trust-store.ts: hashing, the state file) is loaded only for a file that needs trust.
 */
import { destinationOf } from './defaults.js';
import { hasReference, type RcFile } from './schema.js';

/** One thing in a file that could send a secret away, e.g. `profile 'demo': baseUrl http://host/x`. */
export interface Risk {
  profile: string;
  field: string;
  /** Why, in a few words. */
  reason: string;
}

/** What in the file could send a secret away from the providers; empty when nothing can. */
export function risksOf(config: RcFile): Risk[] {
  const risks: Risk[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    for (const [field, value] of Object.entries(profile)) {
      if (field === 'apiKey' || typeof value !== 'string' || !hasReference(value)) continue;
      risks.push({ profile: name, field, reason: `reads the environment (${value})` });
    }
    const baseUrl = profile.baseUrl;
    if (baseUrl !== undefined && !hasReference(baseUrl) && destinationOf(profile.provider, baseUrl) === 'elsewhere') {
      risks.push({
        profile: name,
        field: 'baseUrl',
        reason: `sends the key to ${baseUrl}, not ${profile.provider}'s own host nor loopback`,
      });
    }
  }
  return risks;
}

/** `profile 'demo': baseUrl sends the key to …` */
export const describeRisk = (r: Risk): string => `profile '${r.profile}': ${r.field} ${r.reason}`;
