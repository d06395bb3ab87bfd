/**
 * The trusted config files: absolute path → hash of the content, in
 * $INTERFLOW_STATE_DIR/trusted.json, else $XDG_STATE_HOME/interflow/trusted.json, else
 * ~/.local/state/interflow/trusted.json (mode 0600, its directory 0700). A file whose content
 * changed needs trusting again. Loaded only for a config file that needs trust (./trust.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { displayPath, fileLabel, readConfigFile } from './load.js';
import { ensureDir, stateDir } from './state-dir.js';
import { parseRcFile } from './schema.js';
import { risksOf } from './trust.js';

interface StoreFile {
  version: 1;
  /** Absolute (real) path → `sha256:<hex>` of the file's parsed content. */
  trusted: Record<string, string>;
}

const storePath = (env: NodeJS.ProcessEnv): string => path.join(stateDir(env), 'trusted.json');

/** The key a file is remembered by: its real absolute path. */
export function trustKey(filepath: string): string {
  try {
    return realpathSync(filepath);
  } catch {
    return path.resolve(filepath);
  }
}

/** The hash a file is trusted by: of its parsed content (what interflow uses of it). */
export function contentDigest(data: unknown): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(data) ?? '')
    .digest('hex')}`;
}

function readStore(env: NodeJS.ProcessEnv): StoreFile {
  let text: string;
  try {
    text = readFileSync(storePath(env), 'utf8');
  } catch {
    return { version: 1, trusted: Object.create(null) as Record<string, string> };
  }
  try {
    const data = JSON.parse(text) as StoreFile;
    if (data && typeof data.trusted === 'object' && data.trusted !== null) {
      return { version: 1, trusted: Object.assign(Object.create(null) as Record<string, string>, data.trusted) };
    }
  } catch {
    // unreadable: treated as empty (nothing trusted), rewritten by the next trust
  }
  return { version: 1, trusted: Object.create(null) as Record<string, string> };
}

function writeStore(env: NodeJS.ProcessEnv, store: StoreFile): void {
  const file = storePath(env);
  try {
    ensureDir(path.dirname(file));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(store, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    throw new ConfigError(
      `cannot write ${displayPath(file, env)}: ${(err as Error).message}; set INTERFLOW_STATE_DIR to a writable directory`,
      {
        cause: err,
      },
    );
  }
}

export function isTrusted(filepath: string, digest: string, env: NodeJS.ProcessEnv): boolean {
  return readStore(env).trusted[trustKey(filepath)] === digest;
}

/** Whether the file was trusted before, with another content ('changed'), or never ('new'). */
export function trustState(filepath: string, digest: string, env: NodeJS.ProcessEnv): 'trusted' | 'changed' | 'new' {
  const known = readStore(env).trusted[trustKey(filepath)];
  return known === undefined ? 'new' : known === digest ? 'trusted' : 'changed';
}

export function trustFile(filepath: string, digest: string, env: NodeJS.ProcessEnv): string {
  const store = readStore(env);
  store.trusted[trustKey(filepath)] = digest;
  writeStore(env, store);
  return storePath(env);
}

/** True when the file was trusted (and no longer is). */
export function untrustFile(filepath: string, env: NodeJS.ProcessEnv): boolean {
  const store = readStore(env);
  const key = trustKey(filepath);
  if (!(key in store.trusted)) return false;
  delete store.trusted[key];
  writeStore(env, store);
  return true;
}

/** The file's content and whether anything in it needs trust, as the loader sees it. */
async function assess(filepath: string, env: NodeJS.ProcessEnv): Promise<{ digest: string; risky: boolean }> {
  const found = await readConfigFile(filepath, env, 'init');
  return { digest: contentDigest(found.data), risky: risksOf(parseRcFile(found.data, fileLabel(filepath, env))).length > 0 };
}

/**
 * For `interflow init`, which edits a config file on the user's behalf: whether the file as it is
 * now may be used without asking (absent or empty, nothing risky, or trusted with this content).
 */
export async function usableAsIs(filepath: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  let now: { digest: string; risky: boolean };
  try {
    now = await assess(filepath, env);
  } catch {
    return true; // absent or empty: init creates it
  }
  return !now.risky || isTrusted(filepath, now.digest, env);
}

/**
 * After `interflow init` wrote the file: what the user typed is theirs, so the file is trusted as
 * written when it needs trust — unless it needed trust before and did not have it (`wasUsable`
 * false): init never launders a file that came from elsewhere.
 */
export async function trustOwnEdit(filepath: string, wasUsable: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  if (!wasUsable) return;
  const now = await assess(filepath, env);
  if (now.risky) trustFile(filepath, now.digest, env);
}
