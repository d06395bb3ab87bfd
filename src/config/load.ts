/**
 * Finding and reading the rc file. Only data formats are ever read: JSON, YAML, package.json's
 * "interflow" field. No code loader exists here, so a cloned repository's config cannot run code.
 *
 * Search order (README.md, Configuration) — the places cosmiconfig uses for the module name
 * `interflow`, minus its code formats: in the working directory, then each parent up to the first
 * of the home directory or a repository root (a directory holding .git):
 *   package.json#interflow, .interflowrc (JSON or YAML), .interflowrc.json, .interflowrc.yaml,
 *   .interflowrc.yml
 * then the user's config directory ($XDG_CONFIG_HOME/interflow or ~/.config/interflow):
 *   config.json, config.yaml, config.yml
 *
 * Why the walk is ours and not `cosmiconfig().search()`: creating a cosmiconfig explorer first
 * reads cosmiconfig's own "meta config" from the process's working directory with the default
 * loaders, so a cloned repository holding `.config/config.js` (or `.cjs`, `.mjs`, `.ts`, which
 * also loads the typescript compiler) would run code the moment `interflow` starts there, whatever
 * loaders we pass. Its global step also ignores the environment we are given (env-paths reads
 * process.env, and on macOS points at ~/Library/Preferences). So the walk is these few lines and
 * cosmiconfig provides what it is good at: the YAML loader, imported only when a YAML file is read.
 */
// Sync reads: a handful of small files, read before anything else can happen (and node:fs/promises
// would load readline's internals into every start).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, fileProblem } from '../errors.js';
import { parseRcFile, type RcFile } from './schema.js';
import { homeDir } from './state-dir.js';
import { describeRisk, risksOf } from './trust.js';

export const moduleName = 'interflow';

/** Searched in each directory, in this order. */
export const projectSearchPlaces = [
  'package.json',
  `.${moduleName}rc`,
  `.${moduleName}rc.json`,
  `.${moduleName}rc.yaml`,
  `.${moduleName}rc.yml`,
] as const;

/** Searched in the user's config directory, in this order. */
export const globalSearchPlaces = ['config.json', 'config.yaml', 'config.yml'] as const;

const codeExtensions = new Set(['.js', '.cjs', '.mjs', '.jsx', '.ts', '.cts', '.mts', '.tsx']);

export interface LoadConfigOptions {
  /** --config FILE: load exactly this file (relative to cwd). */
  configPath?: string;
  /** Where the search starts. Default: process.cwd(). */
  cwd?: string;
  /** HOME, XDG_CONFIG_HOME come from here. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * How the file was found: named by --config, in the user's own places (the config directory, or
 * the home directory itself), or by the search in the working directory and its parents (data
 * from elsewhere until trusted: ./trust.ts).
 */
export type ConfigOrigin = 'flag' | 'user' | 'search';

export interface LoadedConfig {
  /** Absolute path of the file read. */
  filepath: string;
  /** The file's content, checked by the file-stage schema (`${NAME}` references not yet replaced). */
  config: RcFile;
  origin: ConfigOrigin;
}

/** A config file read and parsed, not yet checked by the schema. */
export interface FoundConfig {
  filepath: string;
  data: unknown;
  origin: ConfigOrigin;
}

/** $XDG_CONFIG_HOME/interflow, else ~/.config/interflow. */
export function globalConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.config'), moduleName);
}

/**
 * The directories searched, nearest first: cwd and its parents, up to the first of the home
 * directory or a repository root (a directory holding .git, a directory or a worktree's file);
 * the filesystem root when neither is met.
 */
export function searchDirs(cwd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const stop = path.resolve(homeDir(env));
  const dirs: string[] = [];
  let dir = path.resolve(cwd);
  for (;;) {
    dirs.push(dir);
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir || existsSync(path.join(dir, '.git'))) return dirs;
    dir = parent;
  }
}

/** A word a POSIX shell reads back as the file: the display path when it is plain, else the quoted absolute path. */
export const shellWord = (shown: string, filepath: string): string =>
  /^[\w@%+=:,./~-]+$/.test(shown) ? shown : `'${filepath.replace(/'/g, `'\\''`)}'`;

/** A path for messages: `~/…` under the home directory, absolute otherwise. */
export function displayPath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = path.resolve(homeDir(env));
  const rel = path.relative(home, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? path.join('~', rel) : file;
}

/** How messages name a config file: its display path, with `#interflow` for package.json. */
export function fileLabel(filepath: string, env: NodeJS.ProcessEnv = process.env): string {
  return displayPath(filepath, env) + (path.basename(filepath) === 'package.json' ? `#${moduleName}` : '');
}

/** One sentence saying where the search looked, for "no configuration found". */
export function describeSearch(opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = opts.env ?? process.env;
  const dirs = searchDirs(opts.cwd ?? process.cwd(), env);
  const show = (p: string) => displayPath(p, env);
  const places = ['package.json#interflow', ...projectSearchPlaces.slice(1)].join(', ');
  const range = dirs.length > 1 ? `${show(dirs[0]!)} and its parents up to ${show(dirs[dirs.length - 1]!)}` : show(dirs[0]!);
  return `searched ${places} in ${range}, then ${globalSearchPlaces.join(', ')} in ${show(globalConfigDir(env))}`;
}

/**
 * Finds and reads the config. `configPath` loads exactly that file; otherwise the search above.
 * Returns null when nothing was found. Throws ConfigError naming the file for unreadable,
 * unparsable or invalid content, and for a file found by the search that could send a secret
 * away and is not trusted (./trust.ts).
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig | null> {
  const env = opts.env ?? process.env;
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const found =
    opts.configPath !== undefined ? await readConfigFile(path.resolve(cwd, opts.configPath), env, '--config') : await findConfig(cwd, env);
  if (found === null) return null;
  const config = parseRcFile(found.data, fileLabel(found.filepath, env));
  if (found.origin === 'search') await assertTrusted(found, config, env);
  return { filepath: found.filepath, config, origin: found.origin };
}

/** Reads exactly this file (--config FILE, `config trust FILE`); `how` names where it was given in errors. */
export async function readConfigFile(filepath: string, env: NodeJS.ProcessEnv, how: string): Promise<FoundConfig> {
  const shown = displayPath(filepath, env);
  if (codeExtensions.has(path.extname(filepath).toLowerCase())) {
    throw new ConfigError(
      `${shown}: interflow reads JSON or YAML config files only, never code; put the settings in a .json or .yaml file (see .interflowrc.example)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(filepath, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown} (${how}): ${fileProblem(err)}`, { cause: err });
  }
  const data = await parseContent(filepath, text, env);
  if (data === undefined) {
    throw new ConfigError(
      path.basename(filepath) === 'package.json'
        ? `${shown} (${how}): has no "${moduleName}" field`
        : `${shown} (${how}): the file is empty; it should hold {"profiles": {…}} (see .interflowrc.example)`,
    );
  }
  return { filepath, data, origin: how === '--config' ? 'flag' : 'search' };
}

/** The search: the first config file in the working directory and its parents, then the user's config directory. */
export async function findConfig(cwd: string, env: NodeJS.ProcessEnv): Promise<FoundConfig | null> {
  const home = path.resolve(homeDir(env));
  const candidates = [
    ...searchDirs(cwd, env).flatMap((dir) =>
      projectSearchPlaces.map((place) => ({ filepath: path.join(dir, place), origin: (dir === home ? 'user' : 'search') as ConfigOrigin })),
    ),
    ...globalSearchPlaces.map((place) => ({ filepath: path.join(globalConfigDir(env), place), origin: 'user' as const })),
  ];
  for (const { filepath, origin } of candidates) {
    let text: string;
    try {
      text = readFileSync(filepath, 'utf8');
    } catch (err) {
      // As cosmiconfig: a place that is absent, a directory or unreadable is not a config.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EACCES') continue;
      throw new ConfigError(`${displayPath(filepath, env)}: ${(err as Error).message}`, { cause: err });
    }
    const data = await parseContent(filepath, text, env);
    // As cosmiconfig: empty files and package.json without the field are skipped.
    if (data === undefined) continue;
    return { filepath, data, origin };
  }
  return null;
}

/**
 * A file found by the search that could send a secret away is used only once trusted, with this
 * very content. Files with nothing risky never load the trust store.
 */
async function assertTrusted(found: FoundConfig, config: RcFile, env: NodeJS.ProcessEnv): Promise<void> {
  const risks = risksOf(config);
  if (risks.length === 0) return;
  const store = await import('./trust-store.js');
  const state = store.trustState(found.filepath, store.contentDigest(found.data), env);
  if (state === 'trusted') return;
  const shown = fileLabel(found.filepath, env);
  const file = shellWord(displayPath(found.filepath, env), found.filepath);
  throw new ConfigError(
    `${shown} is not trusted${state === 'changed' ? ' (it changed since it was trusted)' : ''}: ${risks.map(describeRisk).join('; ')}; ` +
      `nothing was sent — if you wrote this file, run \`interflow config trust ${file}\` (or name it with --config)`,
  );
}

/** Parses by name: .json and package.json as JSON, .yaml/.yml as YAML, anything else sniffed. Undefined = empty. */
async function parseContent(filepath: string, raw: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') return undefined;
  const shown = displayPath(filepath, env);
  const ext = path.extname(filepath).toLowerCase();
  if (path.basename(filepath) === 'package.json') {
    const pkg = parseJson(text, shown) as Record<string, unknown> | null;
    const field = pkg !== null && typeof pkg === 'object' ? pkg[moduleName] : undefined;
    return field === null ? undefined : field;
  }
  if (ext === '.json') return parseJson(text, shown);
  if (ext === '.yaml' || ext === '.yml') return parseYaml(text, filepath, shown);
  // .interflowrc and other names: JSON or YAML.
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      try {
        return await parseYaml(text, filepath, shown);
      } catch {
        return parseJson(text, shown);
      }
    }
  }
  return parseYaml(text, filepath, shown);
}

function parseJson(text: string, shown: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const found = jsonSyntaxError(text);
    const at = found ? ` at ${lineColumn(text, found.offset)}: ${found.reason}` : '';
    throw new ConfigError(`${shown}: invalid JSON${at}`, { cause: err });
  }
}

async function parseYaml(text: string, filepath: string, shown: string): Promise<unknown> {
  const { defaultLoaders } = await import('cosmiconfig');
  try {
    const data: unknown = await defaultLoaders['.yaml']!(filepath, text);
    return data === null ? undefined : data;
  } catch (err) {
    // js-yaml's YAMLException: `reason` and a 0-based `mark`. Its snippet is left out: the
    // offending line could hold a key.
    const e = err as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    throw new ConfigError(`${shown}: invalid YAML${at}: ${e.reason ?? 'unparsable'}`, { cause: err });
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

/**
 * Where and why JSON.parse fails, without quoting the text (it could hold a key): Node's own
 * messages carry no line and often quote the input.
 */
export function jsonSyntaxError(text: string): { offset: number; reason: string } | undefined {
  try {
    new JsonScanner(text).document();
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntaxFailure) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}

class JsonSyntaxFailure {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Reads JSON as JSON.parse does, only to find where it goes wrong: a method a production. */
class JsonScanner {
  private i = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.ws();
    if (this.i < this.text.length) this.fail(`unexpected ${shown(this.text[this.i])} after the end of the JSON value`);
  }

  private fail(reason: string, at = this.i): never {
    throw new JsonSyntaxFailure(at, reason);
  }

  private ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  private value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = this.i;
    if (c !== undefined && /[-0-9]/.test(c) && number.test(this.text)) return void (this.i = number.lastIndex);
    for (const literal of ['true', 'false', 'null']) if (this.text.startsWith(literal, this.i)) return void (this.i += literal.length);
    this.fail(`unexpected ${shown(c)}`);
  }

  private string(): void {
    const { text } = this;
    const start = this.i++;
    while (this.i < text.length) {
      const c = text[this.i]!;
      if (c === '"') return void this.i++;
      if (c === '\\') {
        this.escape();
        continue;
      }
      if (c === '\n') this.fail('unterminated string', start);
      if (c < ' ') this.fail('control character in a string');
      this.i++;
    }
    this.fail('unterminated string', start);
  }

  private escape(): void {
    const e = this.text[this.i + 1];
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('invalid \\u escape in a string');
      this.i += 6;
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
    else this.fail('invalid escape in a string');
  }

  private object(): void {
    if (this.open('}')) return;
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail(`expected a property name in double quotes, found ${shown(this.text[this.i])}`);
      this.string();
      this.ws();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after the property name, found ${shown(this.text[this.i])}`);
      this.i++;
      this.value();
      if (this.next('}')) return;
    }
  }

  private array(): void {
    if (this.open(']')) return;
    for (;;) {
      this.value();
      if (this.next(']')) return;
    }
  }

  /** Past the opening bracket; true when the container is empty (and past its closing one). */
  private open(close: string): boolean {
    this.i++;
    this.ws();
    if (this.text[this.i] !== close) return false;
    this.i++;
    return true;
  }

  /** After a member: true at the closing bracket (and past it); past the comma otherwise. */
  private next(close: string): boolean {
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return true;
    }
    if (this.text[this.i] !== ',') this.fail(`expected ',' or '${close}', found ${shown(this.text[this.i])}`);
    const comma = this.i++;
    this.ws();
    if (this.text[this.i] === close) this.fail(`trailing comma before '${close}'`, comma);
    return false;
  }
}

/** A character as a syntax error names it. */
function shown(c: string | undefined): string {
  if (c === undefined) return 'the end of the file';
  if (c === '/') return "'/' (JSON has no comments)";
  if (c === "'") return "''' (JSON strings use double quotes)";
  return `'${c}'`;
}
