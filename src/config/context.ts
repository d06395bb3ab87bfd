/**
 * What cli.ts's `ctx.loadProfile()` runs: find the config, resolve the profile, warnings to
 * stderr. The config modules (zod, libphonenumber, the YAML loader) load only when a command
 * needs a profile, never for --help or --version.
 */
import type { GlobalOptions } from '../commands/context.js';
import type { Io } from '../output/io.js';
import type { Profile } from './profile.js';

export async function loadProfileFor(globals: GlobalOptions, io: Io): Promise<Profile> {
  const [{ loadConfig }, { resolveProfile }] = await Promise.all([import('./load.js'), import('./resolve.js')]);
  const cwd = process.cwd();
  const loaded = await loadConfig({ configPath: globals.config, cwd, env: io.env });
  // A dry run sends nothing: an unset key's variable does not stop it (the key shows as ***).
  return resolveProfile(loaded, {
    profileName: globals.profile,
    env: io.env,
    cwd,
    warn: (line) => io.err(`${line}\n`),
    allowUnsetKey: globals.dryRun === true,
  });
}
