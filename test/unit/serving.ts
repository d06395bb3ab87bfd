/**
 * A long-running command (`interflow sandbox`, `webhooks listen`) run in-process on fake streams:
 * started, its URL read off the banner on stderr, stopped as Ctrl-C would.
 */
import type { CommandContext, GlobalOptions } from '../../src/commands/context.js';
import { createIo } from '../../src/output/io.js';

export interface Serving {
  /** The URL the banner names. */
  url: string;
  /** What it wrote so far. */
  out(): string;
  err(): string;
  /** Stops it (SIGINT) and waits until it has ended. */
  stop(): Promise<void>;
}

export async function serving(
  serve: (ctx: CommandContext, stopped: Promise<string>) => Promise<void>,
  globals: GlobalOptions = {},
  opts: { stdoutTTY?: boolean } = {},
): Promise<Serving> {
  let out = '';
  let err = '';
  const io = createIo({
    stdout: { write: (s: string) => ((out += s), true), ...(opts.stdoutTTY ? { isTTY: true } : {}) },
    stderr: { write: (s: string) => ((err += s), true) },
    env: {},
  });
  let stop!: (signal: string) => void;
  const running = serve(
    { io, globals, loadProfile: () => Promise.reject(new Error('no profile')) },
    new Promise<string>((resolve) => (stop = resolve)),
  );
  const banner = /listening (?:for webhooks )?on (http:\/\/\S+)/;
  let ended = false;
  running.then(
    () => (ended = true),
    () => (ended = true),
  );
  while (!banner.test(err) && !ended) await new Promise((r) => setTimeout(r, 10));
  if (!banner.test(err)) throw new Error(`no URL on stderr: ${err}`);
  return {
    url: banner.exec(err)![1]!,
    out: () => out,
    err: () => err,
    stop: async () => {
      stop('SIGINT');
      await running;
    },
  };
}
