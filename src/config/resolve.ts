/**
 * From a loaded rc file to the one Profile a command uses (STYLE.md #9: parse the file, then
 * resolve and parse again):
 *
 *   1. the file stage of the schema (shape, formats, provider fields);
 *   2. which profile: --profile > INTERFLOW_PROFILE > defaultProfile > the only profile;
 *   3. `${NAME}` in every string of that profile from the environment (a missing variable is an
 *      error naming it, the file, the profile and the field), INTERFLOW_API_KEY over its apiKey;
 *   4. the resolved stage of the schema, then defaults (defaultCountry BR).
 *
 * Every apiKey that can reach memory is registered with the redactor, and a file that holds a
 * literal key and is readable by others gets one warning.
 */
import { statSync } from 'node:fs';
import type { CountryCode } from 'libphonenumber-js';
import { ConfigError } from '../errors.js';
import { MASK, MIN_SECRET_LENGTH, registerSecret } from '../output/redact.js';
import { defaultBaseUrl, defaultCountry, isLoopbackHost } from './defaults.js';
import { describeSearch, displayPath, fileLabel, shellWord } from './load.js';
import type { Profile, ProviderId } from './profile.js';
import {
  hasReference,
  parseRcFile,
  parseResolvedProfile,
  referencePattern,
  referencesIn,
  type ProfileInput,
  type RcFile,
} from './schema.js';

/** What loadConfig returns; `config` is re-checked here, so raw data is accepted too. */
export interface ConfigSource {
  filepath: string;
  config: unknown;
}

export interface ResolveOptions {
  /** --profile NAME. */
  profileName?: string;
  /** Where profileName came from, for messages (default: --profile). */
  profileNameFrom?: string;
  env: NodeJS.ProcessEnv;
  /** Receives warning lines (no trailing newline). */
  warn: (line: string) => void;
  /** Where the search started, for "no configuration found". Default: process.cwd(). */
  cwd?: string;
  /**
   * A key whose variable is unset does not fail (`profiles show`, `--dry-run`, which send nothing):
   * the profile's apiKey is then MASK and keySource says which variables are unset.
   */
  allowUnsetKey?: boolean;
}

/** Where the resolved apiKey came from (shown by `profiles show`, never the key itself). */
export type KeySource =
  { from: 'file' } | { from: 'env'; variables: string[]; unset?: string[] } | { from: 'override'; variable: typeof overrideVariable };

export interface ResolvedProfile {
  profile: Profile;
  keySource: KeySource;
  /** How the profile was chosen. */
  chosenBy: ProfileChoice['by'];
}

export interface ProfileChoice {
  name: string;
  by: '--profile' | 'INTERFLOW_PROFILE' | 'defaultProfile' | 'only profile';
}

export const overrideVariable = 'INTERFLOW_API_KEY';
export const profileVariable = 'INTERFLOW_PROFILE';

const HOW_TO_CHOOSE = `--profile NAME or ${profileVariable}`;

const isSet = (env: NodeJS.ProcessEnv, name: string): boolean => env[name] !== undefined && env[name] !== '';

export function noConfigurationError(opts: { cwd?: string; env: NodeJS.ProcessEnv }): ConfigError {
  return new ConfigError(
    `no configuration found; ${describeSearch(opts)}; create .interflowrc (see .interflowrc.example) or run \`interflow init\``,
  );
}

/** --profile > INTERFLOW_PROFILE > defaultProfile > the only profile. Throws when none or ambiguous. */
export function chooseProfile(
  config: RcFile,
  label: string,
  opts: { profileName?: string; profileNameFrom?: string; env: NodeJS.ProcessEnv },
): ProfileChoice {
  const names = Object.keys(config.profiles);
  const list = names.join(', ');
  const pick = (name: string, by: ProfileChoice['by']): ProfileChoice => {
    if (Object.hasOwn(config.profiles, name)) return { name, by };
    const from = by === '--profile' ? (opts.profileNameFrom ?? '--profile') : `${profileVariable}=${name}`;
    throw new ConfigError(
      names.length
        ? `${label}: no profile '${name}' (from ${from}); profiles: ${list} — choose one with ${HOW_TO_CHOOSE}`
        : `${label}: no profile '${name}' (from ${from}): the file has no profiles; add one (see .interflowrc.example) or run \`interflow init\``,
    );
  };
  if (opts.profileName !== undefined) return pick(opts.profileName, '--profile');
  const fromEnv = opts.env[profileVariable];
  if (fromEnv !== undefined && fromEnv !== '') return pick(fromEnv, 'INTERFLOW_PROFILE');
  if (config.defaultProfile !== undefined) return pick(config.defaultProfile, 'defaultProfile');
  if (names.length === 1) return { name: names[0]!, by: 'only profile' };
  if (names.length === 0) {
    throw new ConfigError(`${label}: profiles: the file has no profiles; add one (see .interflowrc.example) or run \`interflow init\``);
  }
  throw new ConfigError(
    `${label}: ${names.length} profiles (${list}) and no defaultProfile; choose one with ${HOW_TO_CHOOSE}, or set "defaultProfile" in the file`,
  );
}

/** Literal keys (no `${NAME}`) are secrets we know of: registered so nothing prints them. */
function registerLiteralKeys(config: RcFile): void {
  for (const profile of Object.values(config.profiles)) if (!hasReference(profile.apiKey)) registerSecret(profile.apiKey);
}

const isLoopback = (baseUrl: string | undefined): boolean => {
  if (baseUrl === undefined || hasReference(baseUrl)) return false;
  try {
    return isLoopbackHost(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
};

const warnedFiles = new Set<string>();

/**
 * One warning per file (per process) when the file holds a literal apiKey and its mode lets group
 * or others in. Keys for a loopback baseUrl (the local sandbox's test keys) do not count. Not on
 * Windows, where the mode bits say nothing about this.
 */
export function warnIfExposed(filepath: string, config: RcFile, env: NodeJS.ProcessEnv, warn: (line: string) => void): void {
  if (process.platform === 'win32' || warnedFiles.has(filepath)) return;
  const literal = Object.entries(config.profiles)
    .filter(([, p]) => !hasReference(p.apiKey) && !isLoopback(p.baseUrl))
    .map(([name]) => `'${name}'`);
  if (literal.length === 0) return;
  let mode: number;
  try {
    mode = statSync(filepath).mode;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  warnedFiles.add(filepath);
  const shown = displayPath(filepath, env);
  const which = literal.length === 1 ? `profile ${literal[0]}` : `profiles ${literal.join(', ')}`;
  warn(
    `warning: ${shown} holds a literal apiKey for ${which} and is readable by others; chmod 600 ${shellWord(shown, filepath)} or use \${ENV}`,
  );
}

/** A key sent over http:// to another machine travels in cleartext: one warning. */
function warnIfCleartext(profile: Profile, warn: (line: string) => void): void {
  if (profile.baseUrl === undefined) return;
  const url = new URL(profile.baseUrl);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return;
  warn(`warning: profile '${profile.name}' sends its key in cleartext to ${url.host} (its baseUrl is http://); use https://`);
}

interface Interpolated {
  values: Record<string, unknown>;
  /** Variables each field's value came from. */
  from: Record<string, string[]>;
  missing: { field: string; variable: string }[];
}

/** Replaces `${NAME}` in every string field (except `skip`); an unset or empty variable is missing. */
function interpolate(input: ProfileInput, env: NodeJS.ProcessEnv, skip: readonly string[] = []): Interpolated {
  const out: Interpolated = { values: {}, from: {}, missing: [] };
  for (const [field, value] of Object.entries(input)) {
    if (typeof value !== 'string' || skip.includes(field) || !hasReference(value)) {
      out.values[field] = value;
      continue;
    }
    out.from[field] = referencesIn(value);
    out.values[field] = value.replace(referencePattern, (_match, name: string) => {
      if (isSet(env, name)) return env[name]!;
      if (!out.missing.some((m) => m.field === field && m.variable === name)) out.missing.push({ field, variable: name });
      return '';
    });
  }
  return out;
}

/** Parses, chooses, interpolates and checks; also says where the key came from. */
export function resolveProfileDetailed(loaded: ConfigSource | null, opts: ResolveOptions): ResolvedProfile {
  const { env } = opts;
  if (loaded === null) throw noConfigurationError({ cwd: opts.cwd, env });
  const label = fileLabel(loaded.filepath, env);
  const config = parseRcFile(loaded.config, label);
  registerLiteralKeys(config);
  warnIfExposed(loaded.filepath, config, env, opts.warn);

  const choice = chooseProfile(config, label, { profileName: opts.profileName, profileNameFrom: opts.profileNameFrom, env });
  const input = config.profiles[choice.name]!;
  // INTERFLOW_API_KEY is an Interflow key: it replaces the key of interflow profiles only, so it
  // never reaches another provider. Registered in every case, so nothing prints it.
  if (isSet(env, overrideVariable)) registerSecret(env[overrideVariable]);
  const override = input.provider === 'interflow' && isSet(env, overrideVariable) ? env[overrideVariable]! : undefined;

  const { values, from, missing: allMissing } = interpolate(input, env, override === undefined ? [] : ['apiKey']);
  const unsetKey = opts.allowUnsetKey ? allMissing.filter((m) => m.field === 'apiKey').map((m) => m.variable) : [];
  const missing = unsetKey.length ? allMissing.filter((m) => m.field !== 'apiKey') : allMissing;
  if (unsetKey.length) values.apiKey = MASK;
  if (missing.length) {
    throw new ConfigError(
      missing
        .map(
          ({ field, variable }) =>
            `${label}: profile '${choice.name}': ${field}: environment variable ${variable} is not set — export ${variable}=… or run \`interflow init\``,
        )
        .join('\n'),
    );
  }
  if (override !== undefined) values.apiKey = override;
  if (typeof values.apiKey === 'string' && unsetKey.length === 0) {
    if (values.apiKey.length > 0 && values.apiKey.length < MIN_SECRET_LENGTH) {
      const source =
        override !== undefined ? ` (from ${overrideVariable})` : from.apiKey ? ` (from ${from.apiKey.map((v) => `$${v}`).join(', ')})` : '';
      throw new ConfigError(
        `${label}: profile '${choice.name}': apiKey: is ${values.apiKey.length} characters long${source}; keys shorter than ${MIN_SECRET_LENGTH} are refused (no provider issues one, and hiding one in output would mangle numbers and ids) — check the value`,
      );
    }
    registerSecret(values.apiKey);
  }
  // Numbers and codes read from the environment arrive as strings.
  for (const field of ['rateLimit', 'timeoutMs']) {
    const v = values[field];
    if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) values[field] = Number(v);
  }
  if (typeof values.defaultCountry === 'string') values.defaultCountry = values.defaultCountry.toUpperCase();

  const p = parseResolvedProfile(values, label, choice.name, (field) => from[field] ?? []);
  const profile: Profile = {
    name: choice.name,
    provider: p.provider,
    apiKey: p.apiKey,
    baseUrl: p.baseUrl?.replace(/\/+$/, ''),
    environment: p.environment,
    channelId: p.channelId,
    instanceId: p.instanceId,
    namespace: p.namespace,
    plan: p.plan,
    rateLimit: p.rateLimit,
    defaultCountry: (p.defaultCountry ?? defaultCountry) as CountryCode,
    timeoutMs: p.timeoutMs,
    source: loaded.filepath,
  };
  for (const key of Object.keys(profile) as (keyof Profile)[]) if (profile[key] === undefined) delete profile[key];
  warnIfCleartext(profile, opts.warn);

  const keySource: KeySource =
    override !== undefined
      ? { from: 'override', variable: overrideVariable }
      : from.apiKey
        ? { from: 'env', variables: from.apiKey, ...(unsetKey.length ? { unset: unsetKey } : {}) }
        : { from: 'file' };
  return { profile, keySource, chosenBy: choice.by };
}

/**
 * The profile a command runs with: --profile > INTERFLOW_PROFILE > defaultProfile > the only one,
 * `${NAME}` interpolated, INTERFLOW_API_KEY applied, defaults filled. Throws ConfigError (exit 2).
 */
export function resolveProfile(loaded: ConfigSource | null, opts: ResolveOptions): Profile {
  return resolveProfileDetailed(loaded, opts).profile;
}

export interface ProfileRow {
  name: string;
  provider: ProviderId;
  /** The effective base URL: the profile's, else the provider's default. */
  baseUrl: string;
  /** The profile a command would use (given --profile, INTERFLOW_PROFILE, defaultProfile). */
  default: boolean;
  /** Never the key: `***` for a literal, `${TURN_TOKEN}` / `${TURN_TOKEN} (unset)` for a variable. */
  key: string;
}

/** Replaces the references that are set; leaves the others as written. */
const interpolateLeniently = (value: string, env: NodeJS.ProcessEnv): string =>
  value.replace(referencePattern, (match, name: string) => (isSet(env, name) ? env[name]! : match));

/** How `profiles list` and `show` show a key: literal parts as ***, variables by name and whether set. */
export function describeKey(apiKey: string, env: NodeJS.ProcessEnv): string {
  if (!hasReference(apiKey)) return MASK;
  const shown = apiKey
    .split(/(\$\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part, i) => (i % 2 === 1 ? part : part === '' ? '' : MASK))
    .join('');
  const unset = referencesIn(apiKey).filter((name) => !isSet(env, name));
  return unset.length === 0 ? shown : `${shown} (unset${referencesIn(apiKey).length > 1 ? `: ${unset.join(', ')}` : ''})`;
}

/**
 * Rows for `profiles list`. Does not fail on a missing variable (the key shows `(unset)`) nor on
 * an ambiguous choice (no row is marked); does fail on an invalid file or no file.
 */
export function listProfiles(
  loaded: ConfigSource | null,
  env: NodeJS.ProcessEnv,
  opts: { profileName?: string; cwd?: string; warn?: (line: string) => void } = {},
): ProfileRow[] {
  if (loaded === null) throw noConfigurationError({ cwd: opts.cwd, env });
  const label = fileLabel(loaded.filepath, env);
  const config = parseRcFile(loaded.config, label);
  registerLiteralKeys(config);
  if (opts.warn) warnIfExposed(loaded.filepath, config, env, opts.warn);
  let chosen: string | undefined;
  try {
    chosen = chooseProfile(config, label, { profileName: opts.profileName, env }).name;
  } catch {
    chosen = undefined;
  }
  return Object.entries(config.profiles).map(([name, p]) => {
    const environment = p.environment === undefined ? undefined : interpolateLeniently(p.environment, env);
    const baseUrl =
      p.baseUrl !== undefined
        ? interpolateLeniently(p.baseUrl, env)
            .replace(/\/+$/, '')
            // A user:pass@ from the environment (the file's own is refused): never printed.
            .replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, `$1${MASK}@`)
        : defaultBaseUrl({ provider: p.provider, environment: environment === 'sandbox' ? 'sandbox' : undefined });
    const isDefault = name === chosen;
    const overridden = isDefault && p.provider === 'interflow' && isSet(env, overrideVariable);
    const key = overridden ? `\${${overrideVariable}} (override)` : describeKey(p.apiKey, env);
    return { name, provider: p.provider, baseUrl, default: isDefault, key };
  });
}
