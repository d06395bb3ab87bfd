/**
 * End-to-end harness: the project's own sandbox on a free loopback port, a throwaway config with
 * one profile per provider pointing at it, and the BUILT binary (bin/interflow.js → dist/)
 * spawned as a user would run it, with stdout, stderr and the exit code captured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

export const bin = fileURLToPath(new URL('../../bin/interflow.js', import.meta.url));

/** A key that must never appear in any output. */
export const CANARY = 'if_live_CANARY_9f8e7d6c5b4a';
export const CHANNEL = '550e8400-e29b-41d4-a716-446655440000';
export const DISCONNECTED_CHANNEL = '550e8400-e29b-41d4-a716-446655440001';
export const INSTANCE = '66a09db606fd14660c8fc1d0';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  cwd?: string;
}

export interface World {
  sandbox: Sandbox;
  dir: string;
  config: string;
  /** Runs the CLI with --config pointing at the world's config. */
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

/** The environment every spawned CLI gets: no color, no real home or state, no inherited profile/key. */
export function cleanEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') };
  delete env.INTERFLOW_PROFILE;
  delete env.INTERFLOW_API_KEY;
  delete env.NODE_OPTIONS;
  // The trust store of config files stays in the temp HOME (~/.local/state/interflow).
  delete env.INTERFLOW_STATE_DIR;
  delete env.XDG_STATE_HOME;
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: RunOptions & { env: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(opts.input ?? '');
  });
}

/** Starts a sandbox that accepts only CANARY (with `opts` besides) and writes a config with all four providers. */
export async function startWorld(opts: SandboxOptions = {}): Promise<World> {
  const sandbox = await startSandbox({ port: 0, apiKeys: [CANARY], ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'interflow-e2e-'));
  const config = join(dir, '.interflowrc.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        defaultProfile: 'interflow',
        profiles: {
          interflow: { provider: 'interflow', baseUrl: `${sandbox.url}/interflow/v1`, apiKey: '${TEST_KEY}', channelId: CHANNEL },
          'interflow-disconnected': {
            provider: 'interflow',
            baseUrl: `${sandbox.url}/interflow/v1`,
            apiKey: '${TEST_KEY}',
            channelId: DISCONNECTED_CHANNEL,
          },
          'interflow-unknown-channel': {
            provider: 'interflow',
            baseUrl: `${sandbox.url}/interflow/v1`,
            apiKey: '${TEST_KEY}',
            channelId: '00000000-0000-4000-8000-000000000000',
          },
          interacto: { provider: 'interacto', baseUrl: `${sandbox.url}/interacto`, apiKey: '${TEST_KEY}', instanceId: INSTANCE },
          turn: { provider: 'turn', baseUrl: `${sandbox.url}/turn`, apiKey: '${TEST_KEY}', namespace: 'template-namespace' },
          socialminer: { provider: 'socialminer', baseUrl: `${sandbox.url}/socialminer`, apiKey: '${TEST_KEY}' },
        },
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  return {
    sandbox,
    dir,
    config,
    run: (args, opts = {}) => runCli([...args, '--config', config], { ...opts, env: cleanEnv(dir, { TEST_KEY: CANARY, ...opts.env }) }),
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Parses stdout as one JSON document, failing with the whole output when it is not. */
export function json<T = Record<string, unknown>>(res: RunResult): T {
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${res.code}):\n${res.stdout}\nstderr:\n${res.stderr}`);
  }
}

/** Parses stdout as JSON lines (bulk --json, messages list --json). */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
