/**
 * `interflow init`: writes a profile into `.interflowrc` (or --config FILE), mode 0600, keeping
 * the profiles already there. On a terminal it asks (provider, name, base URL, the provider's
 * own fields, how the key is supplied); with --provider it takes everything from flags and asks
 * nothing, so scripts and CI can run it too. Interflow keys are checked with one harmless request
 * (GET /webhooks) before anything is written.
 */
import { MIN_SECRET_LENGTH } from '../output/redact.js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { confirm, input, password, select } from '@inquirer/prompts';
import { CancelledError, CliError, ConfigError, NetworkError, ProviderError, UsageError } from '../errors.js';
import { defaultBaseUrls, interflowSandboxBaseUrl } from '../config/defaults.js';
import { providerIds, type Profile, type ProviderId } from '../config/profile.js';
import { parseRcFile, profileNamePattern, profileNameRule, type ProfileInput } from '../config/schema.js';
import { displayPath, projectSearchPlaces } from '../config/load.js';
import { printJson } from '../output/format.js';
import { readAllText } from '../output/io.js';
import type { CommandContext } from '../commands/context.js';
import type { InitFlags } from '../commands/init/init.js';
import { DEFAULT_SANDBOX_PORT, PROVIDER_PREFIXES } from '../sandbox/paths.js';
import { asking, promptContext, requireTerminal, type Check } from '../interactive/prompts.js';
import { readRcFile, withProfile, writeRcFile, type RcFileData } from './rcfile.js';

/** Where `interflow sandbox` serves a provider when started with its defaults. */
const localSandbox = (provider: ProviderId, port = DEFAULT_SANDBOX_PORT): string =>
  `http://127.0.0.1:${port}${PROVIDER_PREFIXES[provider]}`;

/** The environment variable the key is read from, by default. */
const keyVariables: Record<ProviderId, string> = {
  interflow: 'INTERFLOW_API_KEY',
  interacto: 'INTERACTO_API_KEY',
  turn: 'TURN_TOKEN',
  socialminer: 'SOCIALMINER_API_KEY',
};

const labels: Record<ProviderId, string> = {
  interflow: 'Interflow',
  interacto: 'Interacto',
  turn: 'Turn.io',
  socialminer: 'SocialMiner',
};

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Stands for required fields not asked yet, so one field can be checked alone. */
const placeholders: Partial<Record<ProviderId, Partial<ProfileInput>>> = {
  interflow: { channelId: '00000000-0000-4000-8000-000000000000' },
  interacto: { instanceId: 'instance' },
};

const FLAGS =
  'interflow init --profile NAME --provider interflow|interacto|turn|socialminer [--base-url URL] ' +
  '[--channel-id UUID | --instance-id ID | --namespace NS] [--key-env NAME | --key-stdin] [--default]';

/** What `init --json` prints. */
export interface InitResult {
  /** The absolute path of the file written. */
  file: string;
  profile: string;
  provider: ProviderId;
  default: boolean;
  /** True when the file did not exist before. */
  created: boolean;
}

interface Answers {
  name: string;
  profile: ProfileInput;
  makeDefault: boolean;
  replace: boolean;
  /** The key itself, when known now (literal, or read from the environment), for the check. */
  key?: string;
  keyVariable?: string;
}

/**
 * The file init writes: --config FILE, else the file the config search would find in this
 * directory (its first place that holds a configuration) when that is .interflowrc or
 * .interflowrc.json, else a new .interflowrc. A directory configured by YAML or package.json is
 * refused: init does not rewrite those, and a new .interflowrc would hide the YAML (or be hidden
 * by package.json).
 */
function initTarget(config: string | undefined): string {
  if (config !== undefined) return resolve(config);
  const found = projectSearchPlaces.find((place) => (place === 'package.json' ? packageJsonHasConfig() : existsSync(place)));
  if (found === undefined) return resolve('.interflowrc');
  if (found === '.interflowrc' || found === '.interflowrc.json') return resolve(found);
  throw new UsageError(
    `this directory's configuration is in ${found}, which init does not rewrite: add the profile there by hand, or write another file with --config FILE`,
  );
}

function packageJsonHasConfig(): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync('package.json', 'utf8'));
    return typeof pkg === 'object' && pkg !== null && Object.hasOwn(pkg, 'interflow');
  } catch {
    return false;
  }
}

export async function runInit(options: InitFlags, ctx: CommandContext): Promise<void> {
  const file = initTarget(ctx.globals.config);
  const shown = displayPath(file, ctx.io.env);
  const current = readRcFile(file);
  const { usableAsIs, trustOwnEdit } = await import('../config/trust-store.js');
  const wasUsable = await usableAsIs(file, ctx.io.env);
  const answers =
    options.provider !== undefined ? await fromFlags(ctx, options, current, shown) : await fromQuestions(ctx, options, current, shown);
  const templatesFile = options.templatesFile?.trim();
  if (templatesFile === '') throw new UsageError('--templates-file needs a file name, like templates.json (relative to the rc file)');
  const next = withProfile(current, answers.name, answers.profile, {
    makeDefault: answers.makeDefault,
    replace: answers.replace,
    file: shown,
    ...(templatesFile !== undefined ? { templatesFile } : {}),
  });
  // The questions check the key as soon as it is given; with flags it is checked here (a refusal: exit 4).
  if (options.provider !== undefined) await checkKey(ctx, answers, options);
  writeRcFile(file, next);
  await trustOwnEdit(file, wasUsable, ctx.io.env);
  report(ctx, file, shown, answers, next, current === undefined);
}

// ---------------------------------------------------------------------------------------------
// Flags

async function fromFlags(ctx: CommandContext, o: InitFlags, current: RcFileData | undefined, shown: string): Promise<Answers> {
  const provider = o.provider ?? '';
  if (!(providerIds as readonly string[]).includes(provider)) {
    throw new UsageError(`--provider must be one of ${providerIds.join(', ')}, got '${provider}'`);
  }
  const id = provider as ProviderId;
  const name = ctx.globals.profile ?? id;
  if (!profileNamePattern.test(name)) throw new UsageError(`--profile '${name}': ${profileNameRule}`);
  if (o.keyEnv !== undefined && o.keyStdin === true) throw new UsageError('give the key one way: --key-env NAME or --key-stdin, not both');
  let apiKey: string;
  let key: string | undefined;
  let keyVariable: string | undefined;
  if (o.keyStdin === true) {
    if (ctx.io.stdin.isTTY) throw new UsageError('--key-stdin reads the key from a pipe: printf %s "$KEY" | interflow init … --key-stdin');
    key = (await readAllText(ctx.io.stdin)).trim();
    if (!key) throw new UsageError('--key-stdin: stdin is empty; pipe the key in');
    if (key.length < MIN_SECRET_LENGTH)
      throw new UsageError(`--key-stdin: the key is ${key.length} characters long; keys shorter than ${MIN_SECRET_LENGTH} are refused`);
    apiKey = key;
  } else {
    keyVariable = o.keyEnv ?? keyVariables[id];
    if (!variableName.test(keyVariable)) throw new UsageError(`--key-env '${keyVariable}' is not a variable name (letters, digits and _)`);
    apiKey = `\${${keyVariable}}`;
    key = ctx.io.env[keyVariable] || undefined;
  }
  const profile: ProfileInput = { provider: id, apiKey };
  const baseUrl = o.baseUrl;
  if (baseUrl !== undefined && baseUrl !== defaultBaseUrls[id]) profile.baseUrl = baseUrl;
  const fields: [key: 'channelId' | 'instanceId' | 'namespace', flag: string][] = [
    ['channelId', '--channel-id'],
    ['instanceId', '--instance-id'],
    ['namespace', '--namespace'],
  ];
  for (const [field, flag] of fields) {
    const v = o[field];
    if (typeof v !== 'string') continue;
    const owner = field === 'channelId' ? 'interflow' : field === 'instanceId' ? 'interacto' : 'turn';
    if (owner !== id) throw new UsageError(`${flag} is for ${owner} profiles, not ${id}`);
    profile[field] = v;
  }
  if (id === 'interflow' && profile.channelId === undefined)
    throw new UsageError("--channel-id is required for interflow: the channel's UUID");
  if (id === 'interacto' && profile.instanceId === undefined)
    throw new UsageError('--instance-id is required for interacto: the instance id (Instance-Id header)');
  for (const [field, flag] of [...fields, ['baseUrl', '--base-url'] as const]) {
    const problem = fieldProblem(profile, field);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
  }
  const exists = current !== undefined && Object.hasOwn(current.profiles, name);
  if (exists && o.force !== true)
    throw new UsageError(`${shown} already has a profile '${name}': choose another --profile NAME, or add --force to replace it`);
  return { name, profile, makeDefault: o.default === true, replace: o.force === true, key, keyVariable };
}

// ---------------------------------------------------------------------------------------------
// Questions

async function fromQuestions(ctx: CommandContext, o: InitFlags, current: RcFileData | undefined, shown: string): Promise<Answers> {
  requireTerminal(ctx.io, 'init', `give the profile with flags instead: ${FLAGS}`);
  const context = promptContext(ctx.io);
  const existing = Object.keys(current?.profiles ?? {});
  ctx.io.err(
    `Adds a profile to ${shown}${existing.length ? ` (it has ${existing.join(', ')})` : ' (a new file)'}; Ctrl-C stops without writing.\n`,
  );

  const BACK = '← back';
  let provider: ProviderId = 'interflow';
  let replace = false;
  let name = '';
  let profile: ProfileInput = { provider, apiKey: 'placeholder' };
  let key: string | undefined;
  let keyVariable: string | undefined;
  // Steps, each able to go back to the one before: who (provider, name), where (base URL, ids), the key.
  for (let step = 0; step < 3;) {
    if (step === 0) {
      provider = await asking(
        select<ProviderId>(
          { message: 'Provider', choices: providerIds.map((p) => ({ value: p, name: `${p}  ${labels[p]}` })), default: provider },
          context,
        ),
      );
      ({ name, replace } = await askName(ctx, provider, existing, shown, context));
      step++;
    } else if (step === 1) {
      profile = { provider, apiKey: 'placeholder' };
      if ((await askWhere(ctx, o, profile, context)) === BACK) step--;
      else step++;
    } else {
      const got = await askKey(ctx, o, profile, name, context);
      if (got === BACK) {
        step--;
        continue;
      }
      ({ key, keyVariable } = got);
      step++;
    }
  }

  const others = existing.filter((p) => p !== name);
  const makeDefault =
    o.default === true ||
    others.length === 0 ||
    (await asking(
      confirm(
        {
          message: `Make '${name}' the default profile${current?.defaultProfile ? ` (now '${current.defaultProfile}')` : ''}?`,
          default: !current?.defaultProfile,
        },
        context,
      ),
    ));
  return { name, profile, makeDefault, replace, key, keyVariable };
}

type Context = ReturnType<typeof promptContext>;

/** A select of [value, label] choices. */
const choose = <T extends string>(context: Context, message: string, choices: [T, string][]): Promise<T> =>
  asking(select<T>({ message, choices: choices.map(([value, name]) => ({ value, name })) }, context));

async function askName(
  ctx: CommandContext,
  provider: ProviderId,
  existing: string[],
  shown: string,
  context: Context,
): Promise<{ name: string; replace: boolean }> {
  for (;;) {
    let suggested = ctx.globals.profile ?? provider;
    for (let n = 2; !ctx.globals.profile && existing.includes(suggested); n++) suggested = `${provider}-${n}`;
    const name = (
      await asking(
        input(
          { message: 'Profile name', default: suggested, validate: (v) => (profileNamePattern.test(v.trim()) ? true : profileNameRule) },
          context,
        ),
      )
    ).trim();
    if (!existing.includes(name)) return { name, replace: false };
    if (await asking(confirm({ message: `${shown} already has a profile '${name}'. Replace it?`, default: false }, context)))
      return { name, replace: true };
  }
}

/** The base URL and the provider's ids; '← back' returns to the provider and name. */
async function askWhere(_ctx: CommandContext, o: InitFlags, profile: ProfileInput, context: Context): Promise<string | undefined> {
  const provider = profile.provider;
  const base = await asking(
    select<string>(
      {
        message: 'Base URL',
        choices: [
          { value: 'default', name: `${defaultBaseUrls[provider]}  (${labels[provider]}'s API)` },
          ...(provider === 'interflow'
            ? [{ value: 'environment', name: `${interflowSandboxBaseUrl}  (Interflow's sandbox environment)` }]
            : []),
          {
            value: 'local',
            name: `http://127.0.0.1:PORT${PROVIDER_PREFIXES[provider]}  (the local sandbox: npx interflow sandbox; the port is asked next)`,
          },
          { value: 'other', name: 'other…' },
          { value: '← back', name: '← back' },
        ],
      },
      context,
    ),
  );
  if (base === '← back') return base;
  if (base === 'environment') profile.environment = 'sandbox';
  else if (base === 'local') {
    const given = o.sandboxPort ?? String(DEFAULT_SANDBOX_PORT);
    const port = (
      await asking(
        input(
          {
            message: 'Sandbox port (as `interflow sandbox` printed it)',
            default: given,
            validate: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? true : 'a port number from 1 to 65535'),
          },
          context,
        ),
      )
    ).trim();
    profile.baseUrl = localSandbox(provider, Number(port));
  } else if (base === 'other') {
    profile.baseUrl = (await asking(input({ message: 'Base URL', validate: fieldCheck(profile, 'baseUrl') }, context))).trim();
  }

  if (provider === 'interflow') {
    profile.channelId = (
      await asking(input({ message: "Channel id (the channel's UUID)", validate: fieldCheck(profile, 'channelId') }, context))
    ).trim();
  } else if (provider === 'interacto') {
    profile.instanceId = (
      await asking(input({ message: 'Instance id (sent as the Instance-Id header)', validate: fieldCheck(profile, 'instanceId') }, context))
    ).trim();
  } else if (provider === 'turn') {
    const ns = (
      await asking(
        input(
          {
            message: 'Template namespace (optional; Enter to skip)',
            validate: (v) => (v.trim() ? fieldCheck(profile, 'namespace')(v) : true),
          },
          context,
        ),
      )
    ).trim();
    if (ns) profile.namespace = ns;
  }
  return undefined;
}

/**
 * The key, checked as soon as it is given (Interflow: GET /webhooks): a refused key can be typed
 * again, saved anyway, or the whole init cancelled. '← back' returns to the base URL.
 */
async function askKey(
  ctx: CommandContext,
  o: InitFlags,
  profile: ProfileInput,
  name: string,
  context: Context,
): Promise<'← back' | { key?: string; keyVariable?: string }> {
  for (;;) {
    const how = await choose<'env' | 'literal' | '← back'>(context, 'The API key', [
      ['env', 'from an environment variable (recommended: the file keeps only its name)'],
      ['literal', 'type or paste it now (kept in the file, mode 0600)'],
      ['← back', '← back'],
    ]);
    if (how === '← back') return how;
    let key: string | undefined;
    let keyVariable: string | undefined;
    if (how === 'env') {
      keyVariable = (
        await asking(
          input(
            {
              message: 'Variable name',
              default: keyVariables[profile.provider],
              validate: (v) => (variableName.test(v.trim()) ? true : 'letters, digits and _, like TURN_TOKEN'),
            },
            context,
          ),
        )
      ).trim();
      profile.apiKey = `\${${keyVariable}}`;
      key = ctx.io.env[keyVariable] || undefined;
    } else {
      key = (
        await asking(
          password(
            {
              message: 'API key (not shown)',
              validate: (v) =>
                !v.trim()
                  ? 'the key must not be empty'
                  : v.trim().length < MIN_SECRET_LENGTH
                    ? `keys shorter than ${MIN_SECRET_LENGTH} characters are refused`
                    : true,
            },
            context,
          ),
        )
      ).trim();
      profile.apiKey = key;
    }
    const verdict = await checkKey(ctx, { name, profile, key, keyVariable }, o);
    if (verdict !== 'refused') return { key, keyVariable };
    const next = await choose<'retype' | 'save' | 'cancel'>(context, 'The key was refused. Now?', [
      ['retype', 'give the key again'],
      ['save', 'save the profile anyway'],
      ['cancel', 'cancel (write nothing)'],
    ]);
    if (next === 'save') return { key, keyVariable };
    if (next === 'cancel') throw new CancelledError('cancelled: nothing was written');
  }
}

/** The file schema's verdict on one field, given the profile so far. */
function fieldProblem(profile: ProfileInput, field: keyof ProfileInput): string | undefined {
  const candidate = { ...placeholders[profile.provider], ...profile };
  try {
    parseRcFile({ profiles: { p: candidate } }, 'f');
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const prefix = `f: profile 'p': ${field}: `;
    const line = err.message.split('\n').find((l) => l.startsWith(prefix));
    return line?.slice(prefix.length);
  }
}

function fieldCheck(profile: ProfileInput, field: 'baseUrl' | 'channelId' | 'instanceId' | 'namespace'): Check {
  return (value) => fieldProblem({ ...profile, [field]: value.trim() }, field) ?? true;
}

// ---------------------------------------------------------------------------------------------
// The key check and the report

/**
 * Interflow: one GET /webhooks with the key (harmless: it reads a list). A refused key stops
 * (exit 4) with flags; on a terminal the person may type it again or save anyway; a network failure is only a
 * warning. Other providers document no harmless request: nothing is sent.
 */
async function checkKey(
  ctx: CommandContext,
  a: Pick<Answers, 'name' | 'profile' | 'key' | 'keyVariable'>,
  o: InitFlags,
): Promise<'ok' | 'refused' | 'unchecked'> {
  const io = ctx.io;
  if (o.check === false) return 'unchecked';
  if (a.profile.provider !== 'interflow') {
    io.err(`note: ${a.profile.provider} has no harmless request to check a key with; the key was not checked\n`);
    return 'unchecked';
  }
  if (!a.key) {
    io.err(`note: $${a.keyVariable} is not set here, so the key was not checked\n`);
    return 'unchecked';
  }
  const { InterflowApi } = await import('../interflow/api.js');
  const profile = { ...a.profile, apiKey: a.key, name: a.name, defaultCountry: 'BR', source: '' } as Profile;
  const api = new InterflowApi(profile, { timeoutMs: ctx.globals.timeout ?? 10_000 });
  try {
    await api.list('/webhooks', { perPage: 1 });
    io.err(`✓ the key works (GET /webhooks answered)\n`);
    return 'ok';
  } catch (err) {
    if (err instanceof ProviderError && (err.exitCode === 4 || err.info.status === 401 || err.info.status === 403)) {
      if (o.provider !== undefined) throw err;
      io.err(`the key was refused: ${err.message}\n`);
      return 'refused';
    }
    if (err instanceof NetworkError || err instanceof ProviderError) {
      io.err(`warning: could not check the key: ${(err as CliError).message}\n`);
      return 'unchecked';
    }
    throw err;
  } finally {
    await api.close();
  }
}

function report(ctx: CommandContext, path: string, shown: string, a: Answers, file: RcFileData, created: boolean): void {
  const io = ctx.io;
  const isDefault = file.defaultProfile === a.name;
  if (ctx.globals.json) {
    const result: InitResult = { file: path, profile: a.name, provider: a.profile.provider, default: isDefault, created };
    printJson(io, result);
  }
  const flag = isDefault ? '' : ` --profile ${a.name}`;
  io.err(
    `✓ ${created ? 'wrote' : 'updated'} ${shown} (mode 0600): profile '${a.name}' (${a.profile.provider})${isDefault ? ', the default' : ''}\n` +
      (a.keyVariable
        ? `  the key is read from $${a.keyVariable}: export ${a.keyVariable}=…\n`
        : '  the key is kept in the file: keep it out of version control (.gitignore)\n') +
      `  try: interflow send text 11999999999 "Olá 🎉"${flag}\n`,
  );
}
