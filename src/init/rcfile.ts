/**
 * Adding a profile to an rc file without losing what is there: the file is read, the profile
 * added (or replaced, when asked), the result checked against the same schema every command
 * loads it with, and written back atomically with mode 0600 (a temporary file beside it, then a
 * rename), whatever mode the old file had.
 */
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, fileProblem, UsageError } from '../errors.js';
import { parseRcFile, type ProfileInput } from '../config/schema.js';

export interface RcFileData {
  defaultProfile?: string;
  profiles: Record<string, ProfileInput>;
  /** The templates catalog, relative to the rc file (README: Templates catalog). */
  templatesFile?: string;
}

/** The rc file as it is (JSON), or undefined when there is none yet. */
export function readRcFile(path: string): RcFileData | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${path}: ${fileProblem(err)}`);
  }
  if (!text.trim()) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(
      `${path} is not JSON (YAML, or broken): init writes JSON and will not rewrite it; add the profile by hand, or write a new file with --config FILE`,
    );
  }
  return parseRcFile(data, path) as RcFileData;
}

/**
 * The file with `profile` added under `name`. `makeDefault` sets defaultProfile; a file that had
 * no profiles gets it as default anyway. Replacing an existing name needs `replace`.
 */
export function withProfile(
  current: RcFileData | undefined,
  name: string,
  profile: ProfileInput,
  opts: { makeDefault?: boolean; replace?: boolean; file: string; templatesFile?: string },
): RcFileData {
  const profiles = { ...(current?.profiles ?? {}) };
  if (Object.hasOwn(profiles, name) && !opts.replace) {
    throw new UsageError(`${opts.file} already has a profile '${name}': choose another name, or add --force to replace it`);
  }
  const first = Object.keys(profiles).length === 0;
  profiles[name] = profile;
  const defaultProfile = opts.makeDefault || first ? name : current?.defaultProfile;
  // Everything else the file holds (templatesFile) is kept; --templates-file sets it.
  const templatesFile = opts.templatesFile ?? current?.templatesFile;
  const next: RcFileData = {
    ...(defaultProfile !== undefined ? { defaultProfile } : {}),
    profiles,
    ...(templatesFile !== undefined ? { templatesFile } : {}),
  };
  // The same check every command runs when it loads the file.
  try {
    parseRcFile(next, opts.file);
  } catch (err) {
    throw err instanceof ConfigError ? new UsageError(err.message) : err;
  }
  return next;
}

/** Writes the file atomically with mode 0600. */
export function writeRcFile(path: string, data: RcFileData): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(`could not write ${path}: ${fileProblem(err)}`);
  }
}
