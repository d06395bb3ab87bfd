/**
 * Commands are declared in the shell (names, flags, help: commander only) and implemented in the
 * app bundle, which is loaded only when a command runs. A declaration names its implementation
 * by key (see src/app.ts), so the shell never bundles the app's code and `--help`/`--version`
 * stay close to a bare node start.
 */
import type { Command } from 'commander';
import type { CommandKey } from '../app-keys.js';
import type { RuntimeHooks } from '../runtime.js';

/** What the shell hands the app: the command's key, positional arguments and options. */
export interface Invocation {
  key: CommandKey;
  args: unknown[];
  /** The command's own options. */
  options: Record<string, unknown>;
  /** The command's options merged with the global ones (commander's optsWithGlobals()). */
  globals: Record<string, unknown>;
  /** What the entry offers the app (src/runtime.ts). */
  hooks?: Partial<RuntimeHooks>;
  /** Fields given to --json (src/commands/json-fields.ts), or why they were refused. */
  selection?: FieldSelection;
}

/** `--json id,status`: the fields to print, checked against the command's; or a usage error. */
export type FieldSelection = { fields: string[] } | { error: string };

export type Dispatch = (invocation: Invocation) => Promise<void>;

let dispatch: Dispatch | undefined;

/** The shell's main installs how an invocation reaches the app. */
export function setDispatch(fn: Dispatch): void {
  dispatch = fn;
}

/** An action handler that runs the implementation registered under `key` in src/app.ts. */
export function lazy(key: CommandKey) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command;
    await dispatch!({
      key,
      args: raw.slice(0, -2),
      options: command.opts() as Record<string, unknown>,
      globals: command.optsWithGlobals() as Record<string, unknown>,
    });
  };
}

/** The examples block every command's --help ends with. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/**
 * How top-level help lists a command group: help (and a mistyped name) needs only this for each
 * group, not the group's whole declaration (src/cli.ts).
 */
export interface Listing {
  description: string;
  /** Its own arguments, as help shows them: ['<csv>'], ['[to]']. */
  args: string[];
  /** Whether it has options of its own (help shows "[options]"). */
  options: boolean;
}
