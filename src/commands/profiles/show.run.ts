/**
 * `interflow profiles show [name]`: every field of the resolved profile (default: the one a
 * command would use). The key is always `***`, with where it came from.
 */
import { effectiveBaseUrl } from '../../config/defaults.js';
import { displayPath, loadConfig } from '../../config/load.js';
import { plans } from '../../config/profile.js';
import { describeKey, resolveProfileDetailed, type KeySource } from '../../config/resolve.js';
import { MASK } from '../../output/redact.js';
import { printJson } from '../../output/format.js';
import { UsageError } from '../../errors.js';
import type { Io } from '../../output/io.js';
import type { CommandContext } from '../context.js';

export interface ProfilesShowDeps {
  /** Where the search starts. Default: process.cwd(). */
  cwd?: string;
}

/** What `profiles show --json` prints: the resolved profile, the key as ***. */
export interface ProfileView {
  name: string;
  provider: string;
  baseUrl: string;
  /** True when baseUrl is the provider's default (the profile sets none). */
  baseUrlIsDefault: boolean;
  environment?: string;
  channelId?: string;
  instanceId?: string;
  namespace?: string;
  plan?: string;
  /** Requests a minute; overrides the plan's. */
  rateLimit?: number;
  defaultCountry: string;
  timeoutMs?: number;
  /** `***`, or `${NAME} (unset)` when the key's variable is not set. */
  apiKey: string;
  /** 'file' for a literal key, else the variable it was read from. */
  apiKeyFrom: string;
  /** The config file. */
  source: string;
  /** How the profile was chosen. */
  chosenBy: string;
}

const keyFrom = (source: KeySource): string =>
  source.from === 'file' ? 'file' : source.from === 'override' ? source.variable : source.variables.join(', ');

/** Collect: the resolved profile as shown, without printing. */
export async function collectProfile(ctx: CommandContext, name: string | undefined, deps: ProfilesShowDeps = {}): Promise<ProfileView> {
  const { io, globals } = ctx;
  const cwd = deps.cwd ?? process.cwd();
  const loaded = await loadConfig({ configPath: globals.config, cwd, env: io.env });
  const { profile, keySource, chosenBy } = resolveProfileDetailed(loaded, {
    profileName: name ?? globals.profile,
    profileNameFrom: name !== undefined ? 'the argument' : '--profile',
    env: io.env,
    cwd,
    warn: (line) => io.err(`${line}\n`),
    allowUnsetKey: true,
  });
  const rawKey =
    loaded?.config && typeof loaded.config === 'object'
      ? (loaded.config as { profiles?: Record<string, { apiKey?: unknown }> }).profiles?.[profile.name]?.apiKey
      : undefined;
  const unset = keySource.from === 'env' && keySource.unset !== undefined;
  const view: ProfileView = {
    name: profile.name,
    provider: profile.provider,
    baseUrl: effectiveBaseUrl(profile),
    baseUrlIsDefault: profile.baseUrl === undefined,
    environment: profile.environment,
    channelId: profile.channelId,
    instanceId: profile.instanceId,
    namespace: profile.namespace,
    plan: profile.plan,
    rateLimit: profile.rateLimit,
    defaultCountry: profile.defaultCountry,
    timeoutMs: profile.timeoutMs,
    apiKey: unset && typeof rawKey === 'string' ? describeKey(rawKey, io.env) : MASK,
    apiKeyFrom: keyFrom(keySource),
    source: profile.source,
    chosenBy: name !== undefined ? 'argument' : chosenBy,
  };
  for (const key of Object.keys(view) as (keyof ProfileView)[]) if (view[key] === undefined) delete view[key];
  return view;
}

/** Print: aligned `field  value` lines for people. */
export function printProfile(io: Io, view: ProfileView): void {
  const from =
    view.apiKeyFrom === 'file' || view.apiKey !== MASK
      ? ''
      : ` (from ${view.apiKeyFrom
          .split(', ')
          .map((v) => (v === 'INTERFLOW_API_KEY' ? v : `$${v}`))
          .join(', ')})`;
  const lines: [string, string | number | undefined][] = [
    ['name', view.name],
    ['provider', view.provider],
    ['baseUrl', `${view.baseUrl}${view.baseUrlIsDefault ? ' (provider default)' : ''}`],
    ['apiKey', `${view.apiKey}${from}`],
    ['environment', view.environment],
    ['channelId', view.channelId],
    ['instanceId', view.instanceId],
    ['namespace', view.namespace],
    ['plan', view.plan === undefined ? undefined : `${view.plan} (${plans[view.plan as keyof typeof plans]} requests a minute)`],
    [
      'rateLimit',
      view.rateLimit === undefined ? undefined : `${view.rateLimit} requests a minute${view.plan ? ' (overrides the plan)' : ''}`,
    ],
    ['defaultCountry', view.defaultCountry],
    ['timeoutMs', view.timeoutMs],
    ['source', displayPath(view.source, io.env)],
  ];
  const shown = lines.filter((l): l is [string, string | number] => l[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length));
  io.out(shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}

export async function runProfilesShow({ name }: { name?: string }, ctx: CommandContext, deps: ProfilesShowDeps = {}): Promise<void> {
  if (name === '') throw new UsageError('profiles show: NAME must be a profile name');
  const view = await collectProfile(ctx, name, deps);
  if (ctx.globals.json || !ctx.io.isStdoutTTY) printJson(ctx.io, view, ctx.globals.fields);
  else printProfile(ctx.io, view);
}
