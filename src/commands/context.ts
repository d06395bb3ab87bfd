/**
 * What every command's run function receives: the io streams, the global flags, and a way to
 * load the chosen profile. Tests build one with fake streams.
 */
import type { Profile } from '../config/profile.js';
import type { Io } from '../output/io.js';

export interface GlobalOptions {
  profile?: string;
  config?: string;
  /** --json (with fields too: the shell keeps the flag). */
  json?: boolean;
  /** `--json id,status`: only these fields of each result, in this order. */
  fields?: readonly string[];
  dryRun?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** false with --no-color. */
  color?: boolean;
  /** --timeout MS, already validated. */
  timeout?: number;
  /** --templates FILE (the catalog), or false with --no-templates. */
  templates?: string | false;
}

export interface CommandContext {
  io: Io;
  globals: GlobalOptions;
  /** Loads the config and resolves the profile (--profile > INTERFLOW_PROFILE > default > only one). */
  loadProfile(): Promise<Profile>;
}
