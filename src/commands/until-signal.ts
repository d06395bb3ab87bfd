/**
 * Runs a server command (`sandbox`, `webhooks listen`) until SIGINT or SIGTERM: `serve` gets a
 * promise of the signal's name, and the handlers are removed once it returns.
 */
export async function serveUntilSignal(serve: (stop: Promise<NodeJS.Signals>) => Promise<void>): Promise<void> {
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const stop = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    await serve(stop);
  } finally {
    process.off('SIGINT', onSignal!);
    process.off('SIGTERM', onSignal!);
  }
}
