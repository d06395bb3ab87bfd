/**
 * The rc file's schema, in two stages (STYLE.md #9):
 *
 *  - `rcFileSchema` checks the file as written: its shape, every field's format, which provider a
 *    field belongs to. A string holding a `${NAME}` reference passes the format check here (its
 *    value is not known yet) but must be well formed.
 *  - `resolvedProfileSchema` checks one profile again after `${NAME}` interpolation, with every
 *    format enforced.
 *
 * Every problem becomes one line naming the file, the profile and the field (the zod issue path),
 * e.g. `~/.interflowrc: profile 'turn': channelId: is an interflow field; …`.
 */
import * as z from 'zod/mini';
import { isSupportedCountry } from 'libphonenumber-js';
import { ConfigError } from '../errors.js';
import { isReservedName, reservedRule } from '../reserved.js';
import { plans, providerIds, type Plan, type ProviderId } from './profile.js';
import { defaultBaseUrls } from './defaults.js';
import { DEFAULT_SANDBOX_PORT, PROVIDER_PREFIXES } from '../sandbox/paths.js';

/** `${NAME}`: a reference to an environment variable, in any string of a profile. */
export const referencePattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variables a string refers to, in order. */
export function referencesIn(value: string): string[] {
  return [...value.matchAll(referencePattern)].map((m) => m[1]!);
}

/** True when the string holds at least one `${`: its value comes (partly) from the environment. */
export const hasReference = (value: string): boolean => value.includes('${');

/** Fields only one provider uses. */
export const providerOnlyFields = {
  environment: 'interflow',
  channelId: 'interflow',
  instanceId: 'interacto',
  namespace: 'turn',
} as const satisfies Record<string, ProviderId>;

/** Fields a provider cannot work without, with what to put there. */
export const requiredFields: Partial<Record<ProviderId, Record<string, string>>> = {
  interflow: { channelId: "the channel's UUID, e.g. 550e8400-e29b-41d4-a716-446655440000" },
  interacto: { instanceId: 'the instance id sent as the Instance-Id header, e.g. 66a09db606fd14660c8fc1d0' },
};

export const profileFieldNames = [
  'provider',
  'apiKey',
  'baseUrl',
  'environment',
  'channelId',
  'instanceId',
  'namespace',
  'plan',
  'rateLimit',
  'defaultCountry',
  'timeoutMs',
] as const;
export type ProfileField = (typeof profileFieldNames)[number];

const rootFieldNames = ['defaultProfile', 'profiles', 'templatesFile'] as const;
const environments = ['production', 'sandbox'] as const;
const planNames = Object.keys(plans) as Plan[];

// ---------------------------------------------------------------------------------------------
// Format checks

const isHttpUrl = (s: string): boolean => {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.search && !url.hash;
  } catch {
    return false;
  }
};
/**
 * `user:pass@` in a URL (also when written with `${NAME}` references, which stand for anything
 * here): refused, it would be printed by every trace and dry run and never sent as a key.
 */
const hasUserinfo = (s: string): boolean => {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(s.replace(referencePattern, 'x'));
  return authority !== null && authority[1]!.includes('@');
};
const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const isCountry = (s: string): boolean => /^[A-Za-z]{2}$/.test(s) && isSupportedCountry(s.toUpperCase());
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
/** Every `${` starts a well-formed `${NAME}`. */
const referencesWellFormed = (s: string): boolean => !s.replace(referencePattern, '').includes('${');

const messages = {
  baseUrl: 'must be an http(s) URL without query or fragment',
  userinfo: 'must not hold a user name or password (user:pass@…): the key goes in apiKey; remove the part before @',
  channelId: "must be the channel's UUID, e.g. 550e8400-e29b-41d4-a716-446655440000",
  defaultCountry: 'must be a two-letter ISO 3166 country code libphonenumber knows, e.g. BR or US',
  rateLimit: 'must be a whole number of requests a minute, above 0',
  timeoutMs: 'must be a whole number of milliseconds from 1 to 2147483647',
  environment: `must be one of ${environments.join(', ')}`,
  plan: `must be one of ${planNames.join(', ')} (${planNames.map((p) => plans[p]).join(' / ')} requests a minute)`,
  empty: 'must not be empty',
  malformed: 'has a malformed ${...} reference: write ${NAME}, NAME made of letters, digits and _',
};

type Stage = 'file' | 'resolved';

/** A non-empty string; in the file stage, `${...}` references must be well formed. */
function nonEmpty(stage: Stage) {
  const s = z.string().check(z.refine((v) => v.length > 0, messages.empty));
  return stage === 'file' ? s.check(z.refine(referencesWellFormed, messages.malformed)) : s;
}

/** A string with a format; in the file stage a value holding `${NAME}` is checked after interpolation. */
function formatted<T extends string = string>(stage: Stage, valid: (s: string) => boolean, message: string) {
  return z.custom<T>((v) => typeof v === 'string' && (stage === 'file' && hasReference(v) ? referencesWellFormed(v) : valid(v)), {
    error: (iss) => (typeof iss.input === 'string' && !referencesWellFormed(iss.input) ? messages.malformed : message),
  });
}

/** A positive integer; in the file stage also a string holding `${NAME}` (a number from the environment). */
function count(stage: Stage, message: string, max = Number.MAX_SAFE_INTEGER) {
  return z.custom<number>(
    (v) => (isPositiveInt(v) && v <= max) || (stage === 'file' && typeof v === 'string' && hasReference(v) && referencesWellFormed(v)),
    { error: message },
  );
}

function profileShape(stage: Stage) {
  return {
    provider: z.enum(providerIds),
    apiKey: nonEmpty(stage),
    baseUrl: z.optional(
      formatted(stage, isHttpUrl, messages.baseUrl).check(z.refine((v) => typeof v !== 'string' || !hasUserinfo(v), messages.userinfo)),
    ),
    environment: z.optional(
      formatted<(typeof environments)[number]>(stage, (s) => (environments as readonly string[]).includes(s), messages.environment),
    ),
    channelId: z.optional(formatted(stage, isUuid, messages.channelId)),
    instanceId: z.optional(nonEmpty(stage)),
    namespace: z.optional(nonEmpty(stage)),
    plan: z.optional(formatted<Plan>(stage, (s) => (planNames as string[]).includes(s), messages.plan)),
    rateLimit: z.optional(count(stage, messages.rateLimit)),
    defaultCountry: z.optional(formatted(stage, isCountry, messages.defaultCountry)),
    timeoutMs: z.optional(count(stage, messages.timeoutMs, 2_147_483_647)),
  };
}

const an = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** Provider rules: fields of another provider are refused, required fields must be there. */
const providerRules = z.superRefine((profile: { provider: ProviderId } & Record<string, unknown>, ctx) => {
  for (const [field, owner] of Object.entries(providerOnlyFields)) {
    if (profile[field] !== undefined && profile.provider !== owner) {
      ctx.issues.push({
        code: 'custom',
        path: [field],
        input: profile[field],
        message: `is ${an(owner)} field (only ${owner} profiles use it); remove it from this ${profile.provider} profile`,
      });
    }
  }
  for (const [field, what] of Object.entries(requiredFields[profile.provider] ?? {})) {
    if (profile[field] === undefined) {
      ctx.issues.push({
        code: 'custom',
        path: [field],
        input: undefined,
        message: `is required for ${profile.provider} profiles: ${what}`,
      });
    }
  }
});

export const profileNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const profileNameRule = "a profile name is letters, digits, '.', '_' and '-', starting with a letter or digit";

/** A profile as written in the file (before `${NAME}` interpolation). */
export const profileInputSchema = z.strictObject(profileShape('file')).check(providerRules);

/** The whole rc file. */
export const rcFileSchema = z
  .strictObject({
    defaultProfile: z.optional(z.string().check(z.refine((v) => v.length > 0, messages.empty))),
    /** The templates catalog (README: Templates catalog), relative to the rc file. */
    templatesFile: z.optional(z.string().check(z.refine((v) => v.length > 0, messages.empty))),
    profiles: z.record(z.string().check(z.regex(profileNamePattern, profileNameRule)), profileInputSchema),
  })
  .check(
    z.superRefine((file, ctx) => {
      if (file.defaultProfile !== undefined && !Object.hasOwn(file.profiles, file.defaultProfile)) {
        const names = Object.keys(file.profiles);
        ctx.issues.push({
          code: 'custom',
          path: ['defaultProfile'],
          input: file.defaultProfile,
          message: `'${file.defaultProfile}' is not a profile in this file (${names.length ? `profiles: ${names.join(', ')}` : 'it has no profiles'})`,
        });
      }
    }),
  );

/** One profile after interpolation: every format enforced. */
export const resolvedProfileSchema = z.strictObject(profileShape('resolved')).check(providerRules);

export type RcFile = z.infer<typeof rcFileSchema>;
/** A profile as written: number fields may still be `${NAME}` strings. */
export type ProfileInput = Omit<z.infer<typeof profileInputSchema>, 'rateLimit' | 'timeoutMs'> & {
  rateLimit?: number | string;
  timeoutMs?: number | string;
};
export type ResolvedProfileInput = z.infer<typeof resolvedProfileSchema>;

// ---------------------------------------------------------------------------------------------
// Messages

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'boolean' ? `${v}` : an(typeof v);

const expectedName = (expected: string): string =>
  expected === 'record' || expected === 'object' ? 'an object' : expected === 'array' ? 'a list' : an(expected);

/** Generic messages; field-specific ones are set on the schemas. Values are never echoed (a key could be one). */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    return iss.input === undefined ? 'is required' : `must be ${expectedName(iss.expected)}, not ${typeName(iss.input)}`;
  }
  if (iss.code === 'invalid_value') {
    if (iss.input === undefined) return `is required: one of ${iss.values.map(String).join(', ')}`;
    const got = typeof iss.input === 'string' ? `'${iss.input}'` : typeName(iss.input);
    return `must be one of ${iss.values.map(String).join(', ')}, not ${got}`;
  }
  return undefined;
};

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function suggestion(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const best = known
    .map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : levenshtein(lower, k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? `did you mean '${best.k}'? ` : '';
}

/** Where an issue is: `profile 'turn': channelId`, `defaultProfile`, or '' for the file itself. */
function where(path: readonly PropertyKey[]): string {
  if (path[0] === 'profiles' && path.length >= 2) {
    const [, name, ...field] = path;
    return `profile '${String(name)}'${field.length ? `: ${field.map(String).join('.')}` : ''}`;
  }
  return path.map(String).join('.');
}

export interface FormatOptions {
  /** Variables a field's value came from, per profile and field: appended as `(from $NAME)`. */
  from?: (profile: string, field: string) => string[];
  /** The profile's provider, when known: a bad baseUrl then gets that provider's examples. */
  provider?: (profile: string) => unknown;
}

/** e.g. the provider's own base URL and its path on the local sandbox. */
export function baseUrlExamples(provider: ProviderId): string {
  return `e.g. ${defaultBaseUrls[provider]} or http://127.0.0.1:${DEFAULT_SANDBOX_PORT}${PROVIDER_PREFIXES[provider]}`;
}

function withExamples(path: readonly PropertyKey[], message: string, opts: FormatOptions): string {
  if (message !== messages.baseUrl || path[0] !== 'profiles' || path[2] !== 'baseUrl') return message;
  const provider = opts.provider?.(String(path[1]));
  return (providerIds as readonly unknown[]).includes(provider) ? `${message}, ${baseUrlExamples(provider as ProviderId)}` : message;
}

/** One line per problem: `<file>: profile '<name>': <field>: <message>`. */
export function formatIssues(label: string, issues: readonly z.core.$ZodIssue[], opts: FormatOptions = {}): string {
  const lines: string[] = [];
  const line = (path: readonly PropertyKey[], message: string) => {
    const at = where(path);
    let from = '';
    if (opts.from && path[0] === 'profiles' && path.length >= 3) {
      const vars = opts.from(String(path[1]), String(path[2]));
      if (vars.length) from = ` (from ${vars.map((v) => `$${v}`).join(', ')})`;
    }
    lines.push(`${label}: ${at ? `${at}: ` : ''}${withExamples(path, message, opts)}${from}`);
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const inProfile = issue.path[0] === 'profiles' && issue.path.length === 2;
      const known = inProfile ? profileFieldNames : rootFieldNames;
      for (const key of issue.keys) {
        const help = inProfile ? `(profile fields: ${known.join(', ')})` : '(the file holds defaultProfile, profiles and templatesFile)';
        line([...issue.path, key], `unknown field; ${suggestion(key, known)}${help}`);
      }
    } else if (issue.code === 'invalid_key') {
      line(issue.path, issue.issues[0]?.message ?? issue.message);
    } else if (issue.path.length === 0 && issue.code === 'invalid_type') {
      line([], `${issue.message}: the file holds {"defaultProfile": "…", "profiles": {"name": {"provider": …}}}`);
    } else {
      line(issue.path, issue.message);
    }
  }
  return lines.join('\n');
}

/**
 * A key JavaScript treats specially (`__proto__`, `constructor`, `prototype`) anywhere in the file:
 * refused by name, where parsing into objects would drop it silently.
 */
function refuseReservedKeys(data: unknown, label: string, at: string[] = []): void {
  if (data === null || typeof data !== 'object') return;
  for (const key of Object.keys(data)) {
    if (isReservedName(key)) {
      const what =
        at.length === 1 && at[0] === 'profiles'
          ? `'${key}' cannot be a profile name`
          : `${at.length ? `${where(at)}: ` : ''}'${key}' cannot be a field`;
      throw new ConfigError(`${label}: ${what} (${reservedRule}); rename it`);
    }
    refuseReservedKeys((data as Record<string, unknown>)[key], label, [...at, key]);
  }
}

/** Stage one: the file as written. `label` names the file in messages. */
export function parseRcFile(data: unknown, label: string): RcFile {
  refuseReservedKeys(data, label);
  const result = z.safeParse(rcFileSchema, data, { error: errorMap });
  if (!result.success) {
    const profiles = (data as { profiles?: Record<string, { provider?: unknown } | undefined> } | null)?.profiles;
    const provider = (name: string) => (profiles && Object.hasOwn(profiles, name) ? profiles[name]?.provider : undefined);
    throw new ConfigError(formatIssues(label, result.error.issues, { provider }));
  }
  return result.data;
}

/**
 * Stage two: one profile after interpolation. `from(field)` lists the variables a field's value
 * came from, so a bad value read from the environment says where it came from.
 */
export function parseResolvedProfile(
  data: unknown,
  label: string,
  name: string,
  from: (field: string) => string[] = () => [],
): ResolvedProfileInput {
  const result = z.safeParse(resolvedProfileSchema, data, { error: errorMap });
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ ...i, path: ['profiles', name, ...i.path] }));
    const provider = () => (data as { provider?: unknown } | null)?.provider;
    throw new ConfigError(formatIssues(label, issues, { from: (_profile, field) => from(field), provider }));
  }
  return result.data;
}
