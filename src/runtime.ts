/**
 * Hooks the entry (bin/interflow.js) gives the app. Defaults do the plain thing, so the app also
 * runs when loaded some other way (tests import src/ directly).
 */
export interface RuntimeHooks {
  /**
   * Called before a one-off command's first connection: undici's WebAssembly HTTP parser is then
   * compiled with V8's baseline compiler only, whose optimizing compile would otherwise hold the
   * process's exit for longer than the whole command took (see bin/interflow.js).
   */
  preferBaselineWasm(): void;
}

let baselineRequested = false;

/** Without the entry's hooks (tests, the demo) nothing is tuned. */
export const runtime: RuntimeHooks = {
  preferBaselineWasm: () => undefined,
};

export function setRuntimeHooks(hooks: Partial<RuntimeHooks>): void {
  Object.assign(runtime, hooks);
}

/** Asks once per process. */
export function preferBaselineWasm(): void {
  if (baselineRequested) return;
  baselineRequested = true;
  runtime.preferBaselineWasm();
}

/**
 * Milliseconds on a monotonic clock, for durations. As `performance.now()`, whose first use
 * loads Node's perf_hooks modules: 2–7 ms of a one-off command's start, for one duration.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
