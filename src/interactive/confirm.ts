/**
 * The one way destructive commands ask first: `--yes` (or `--dry-run`) goes ahead; on a terminal
 * the person is asked, and a No ends the command with a plain line and exit 130 (CancelledError);
 * off a terminal, without --yes, the command refuses (exit 2) before anything is sent.
 */
import { CancelledError, UsageError } from '../errors.js';
import type { CommandContext } from '../commands/context.js';

export interface Destructive {
  /** What would be done, e.g. "delete webhook wh_abc123". */
  action: string;
  /** The line a No prints, e.g. "webhook wh_abc123 was not deleted". */
  declined: string;
}

export async function confirmDestructive(ctx: CommandContext, options: { yes?: boolean }, what: Destructive): Promise<void> {
  if (options.yes === true || ctx.globals.dryRun) return;
  if (!ctx.io.canPrompt) {
    throw new UsageError(`refusing to ${what.action} without confirmation: add --yes`, {
      hint: 'not a terminal, so there is no one to ask; --yes goes ahead without asking',
    });
  }
  const { confirm } = await import('@inquirer/prompts');
  const { asking, promptContext } = await import('./prompts.js');
  const action = what.action.charAt(0).toUpperCase() + what.action.slice(1);
  const ok = await asking(confirm({ message: `${action}? This cannot be undone.`, default: false }, promptContext(ctx.io)), 'interrupted');
  if (!ok) throw new CancelledError(`cancelled: ${what.declined}`);
}
