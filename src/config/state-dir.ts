/**
 * interflow's state directory, shared by the config trust store (./trust-store.ts) and the
 * tracking store (../tracking/store.ts):
 *
 *   $INTERFLOW_STATE_DIR, else $XDG_STATE_HOME/interflow, else ~/.local/state/interflow
 *
 * and the one way to create a directory under it.
 */
import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** $HOME (%USERPROFILE% on Windows), else the OS's idea of it: where the config search stops, and the state's default. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined) || os.homedir();
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.INTERFLOW_STATE_DIR && path.isAbsolute(env.INTERFLOW_STATE_DIR)) return env.INTERFLOW_STATE_DIR;
  const xdg = env.XDG_STATE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'state'), 'interflow');
}

/**
 * `mkdir -p`, one level at a time. Not `mkdirSync(dir, { recursive: true })`: under a pseudo
 * file system (INTERFLOW_STATE_DIR=/proc/x) Node's recursive mkdir loops forever at 100 % CPU,
 * where this throws the first level's error (ENOENT, EACCES, ENOTDIR …).
 */
export function ensureDir(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(at);
      missing.push(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
