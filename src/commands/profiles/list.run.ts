/**
 * `interflow profiles list`: a table on a terminal, a JSON array with --json or in a pipe.
 * Keys are never shown: `***` for a literal key, `${TURN_TOKEN}` (and whether it is set) for a
 * key read from the environment.
 */
import { loadConfig } from '../../config/load.js';
import { listProfiles, type ProfileRow } from '../../config/resolve.js';
import { printJson, printTable, type Column } from '../../output/format.js';
import type { CommandContext } from '../context.js';

export interface ProfilesListDeps {
  /** Where the search starts. Default: process.cwd(). */
  cwd?: string;
}

const columns: Column<ProfileRow>[] = [
  { header: 'name', value: (r) => (r.default ? `${r.name} (default)` : r.name) },
  { header: 'provider', value: (r) => r.provider },
  { header: 'base url', value: (r) => r.baseUrl },
  { header: 'key', value: (r) => r.key },
];

/** Collect: the rows, without printing. */
export async function collectProfiles(ctx: CommandContext, deps: ProfilesListDeps = {}): Promise<ProfileRow[]> {
  const { io, globals } = ctx;
  const cwd = deps.cwd ?? process.cwd();
  const loaded = await loadConfig({ configPath: globals.config, cwd, env: io.env });
  return listProfiles(loaded, io.env, { profileName: globals.profile, cwd, warn: (line) => io.err(`${line}\n`) });
}

export async function runProfilesList(_options: object, ctx: CommandContext, deps: ProfilesListDeps = {}): Promise<void> {
  const rows = await collectProfiles(ctx, deps);
  if (ctx.globals.json || !ctx.io.isStdoutTTY) printJson(ctx.io, rows, ctx.globals.fields);
  else printTable(ctx.io, rows, columns);
}
