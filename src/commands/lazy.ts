/**
 * Commands are declared eagerly (names, flags, help) but their implementation is imported only
 * when they run, so `--help` and `--version` stay close to a bare node start.
 */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export type RunFn = (ctx: CommandContext, args: unknown[], options: Record<string, unknown>) => Promise<void>;

let makeContext: ((command: Command) => Promise<CommandContext>) | undefined;

/** cli.ts installs how a context is made from the parsed command. */
export function setContextFactory(factory: (command: Command) => Promise<CommandContext>): void {
  makeContext = factory;
}

/**
 * An action handler that imports `load()` and calls its `name` export with the context, the
 * positional arguments and the command's own options.
 */
export function lazy<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command;
    const options = command.opts() as Record<string, unknown>;
    const args = raw.slice(0, -2);
    const [mod, ctx] = await Promise.all([load(), makeContext!(command)]);
    await (mod[name] as RunFn)(ctx, args, options);
  };
}

/** The examples block every command's --help ends with. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
