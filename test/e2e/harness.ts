/**
 * End-to-end harness: the project's own sandbox on a free loopback port, a throwaway config with
 * one profile per provider pointing at it, and the BUILT binary (bin/interflow.js → dist/)
 * spawned as a user would run it, with stdout, stderr and the exit code captured.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
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

/** A run's result with its stdout read as JSON lines (bulk --json, messages list --json). */
export interface CliResult extends RunResult {
  /** Parsed on each read: every line of stdout (white space around it aside) must be JSON, none blank. */
  readonly lines: Record<string, any>[];
}

function withLines(r: RunResult): CliResult {
  return {
    ...r,
    get lines() {
      const text = r.stdout.trim();
      return text ? text.split('\n').map((l) => JSON.parse(l) as Record<string, any>) : [];
    },
  };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  cwd?: string;
  /** The entry to run: this checkout's bin/interflow.js unless given (a copy of it, elsewhere). */
  bin?: string;
}

export interface World {
  sandbox: Sandbox;
  dir: string;
  config: string;
  /** Runs the CLI with --config pointing at the world's config. */
  run(args: string[], opts?: RunOptions): Promise<CliResult>;
  /** Starts the CLI in the background, as run() would. */
  start(args: string[], opts?: StartOptions): Running;
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

export function runCli(args: string[], opts: RunOptions & { env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? bin, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(
        withLines({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      ),
    );
    child.stdin.end(opts.input ?? '');
  });
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** 'pipe' to write to the child's stdin (child.stdin); ignored by default. */
  stdin?: 'pipe' | 'ignore';
}

/** A CLI run in the background, to be stopped at a point chosen by an event. */
export interface Running {
  child: ChildProcess;
  /** Resolves once n lines are on stdout; rejects if the run ends before. */
  printed(n: number): Promise<void>;
  /** Once n lines are on stdout, sends `signal`; resolves with the run's end. */
  stopAfter(n: number, signal: NodeJS.Signals): Promise<CliResult>;
  /** The run's end: exit code (128 when a signal ended it), stdout, stderr and its JSON lines. */
  done: Promise<CliResult>;
}

/** Spawns the built binary with `args` (or `sh -c` with `shell`) without waiting for it. */
export function startCli(args: string[], opts: StartOptions & { env: NodeJS.ProcessEnv; shell?: string }): Running {
  const stdio = [opts.stdin ?? 'ignore', 'pipe', 'pipe'] as const;
  const child = opts.shell
    ? spawn('sh', ['-c', opts.shell], { env: opts.env, stdio: [...stdio] })
    : spawn(process.execPath, [bin, ...args], { env: opts.env, stdio: [...stdio] });
  let out = '';
  let err = '';
  let ended = false;
  const waiting: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const count = (): number => out.split('\n').length - 1;
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiting.filter((w) => count() >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  // A test may close either stream on the child's side to see what it does.
  child.stdout!.on('error', () => undefined);
  child.stderr!.on('error', () => undefined);
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      for (const w of waiting.splice(0))
        w.reject(new Error(`the run ended (exit ${code ?? signal}) before ${w.n} line(s) on stdout:\n${out}\nstderr:\n${err}`));
      resolve(withLines({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err }));
    }),
  );
  const printed = (n: number): Promise<void> =>
    count() >= n
      ? Promise.resolve()
      : ended
        ? Promise.reject(new Error(`the run ended before ${n} line(s) on stdout:\n${out}`))
        : new Promise((resolve, reject) => waiting.push({ n, resolve, reject }));
  const stopAfter = async (n: number, signal: NodeJS.Signals): Promise<CliResult> => {
    await printed(n);
    child.kill(signal);
    return done;
  };
  return { child, printed, stopAfter, done };
}

/** The profiles of an rc file, each against `url` (a sandbox's), its key from ${TEST_KEY}. */
export const profileAt = {
  interflow: (url: string, extra: Record<string, unknown> = {}) => ({
    provider: 'interflow',
    baseUrl: `${url}/interflow/v1`,
    apiKey: '${TEST_KEY}',
    channelId: CHANNEL,
    ...extra,
  }),
  interacto: (url: string) => ({ provider: 'interacto', baseUrl: `${url}/interacto`, apiKey: '${TEST_KEY}', instanceId: INSTANCE }),
  turn: (url: string) => ({ provider: 'turn', baseUrl: `${url}/turn`, apiKey: '${TEST_KEY}', namespace: 'template-namespace' }),
  socialminer: (url: string) => ({ provider: 'socialminer', baseUrl: `${url}/socialminer`, apiKey: '${TEST_KEY}' }),
};

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
          interflow: profileAt.interflow(sandbox.url),
          'interflow-disconnected': profileAt.interflow(sandbox.url, { channelId: DISCONNECTED_CHANNEL }),
          'interflow-unknown-channel': profileAt.interflow(sandbox.url, { channelId: '00000000-0000-4000-8000-000000000000' }),
          interacto: profileAt.interacto(sandbox.url),
          turn: profileAt.turn(sandbox.url),
          socialminer: profileAt.socialminer(sandbox.url),
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
    start: (args, opts = {}) => startCli([...args, '--config', config], { ...opts, env: cleanEnv(dir, { TEST_KEY: CANARY, ...opts.env }) }),
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

/** A loopback port nothing listens on (a dead endpoint, or one a sandbox takes later). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// bulk: a test file's temp dir, CSVs, rc files, and `interflow bulk` runs against fresh sandboxes.

/** The i-th recipient of the bulk tests' CSVs. */
export const phone = (i: number): string => String(5511910000000 + i);
/** The data line of a `to,nome,pedido` CSV for phone(i). */
export const row = (i: number): string => `${phone(i)},João ${i},${1000 + i}`;
/** The data lines for phone(0) … phone(n - 1). */
export const rowsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => row(i));

export interface BulkFixtureOptions {
  /** The temp dir's name: interflow-NAME-XXXXXX. */
  name: string;
  /** The profiles of each rc file the fixture writes, against a url; by default one, `local` (interflow). */
  profiles?: (url: string) => Record<string, object>;
  /** Keys the runs have in their environment besides TEST_KEY (CANARY); the sandboxes accept them too. */
  keys?: Record<string, string>;
}

/** A sandbox of a bulk test, with an rc file whose profiles point at it, and runs bound to that rc file. */
export interface BulkSandbox {
  sb: Sandbox;
  /** The rc file's path. */
  config: string;
  /** `interflow bulk ARGS --config CONFIG` (opts.config: another rc file), checked as BulkFixture.bulk does. */
  bulk(args: string[], opts?: RunOptions & { config?: string }): Promise<CliResult>;
  /** The same, in the background. */
  start(args: string[], opts?: StartOptions): Running;
  /** Resolves once the sandbox received n requests. */
  requests(n: number): Promise<void>;
}

export interface BulkFixture {
  /** The test file's temp dir: the HOME of every run, and where its CSVs, rc files and journals go. */
  readonly dir: string;
  /** A fresh path in dir, starting with `name`. */
  path(name: string): string;
  /** Writes a CSV (`header`, by default to,nome,pedido, then `lines`) to `path` or a fresh one; returns its path. */
  csv(lines: string[], opts?: { header?: string; path?: string }): string;
  /** Writes an rc file with `profiles` (by default the fixture's, against url); returns its path. */
  rc(url: string, profiles?: Record<string, object>): string;
  /** The environment of a run: no colour, HOME in dir, the keys. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** `interflow bulk ARGS`; checks that no key and no stack trace was printed. */
  bulk(args: string[], opts?: RunOptions): Promise<CliResult>;
  /** `interflow bulk ARGS` in the background. */
  start(args: string[], opts?: StartOptions): Running;
  /** `sh -c COMMAND` in the background, with a run's environment. */
  shell(command: string): Running;
  /** Runs fn with a fresh sandbox (no plan limit unless opts sets one) and an rc file for it; closes the sandbox after. */
  withSandbox(opts: SandboxOptions, fn: (s: BulkSandbox) => Promise<void>): Promise<void>;
}

/** The bulk fixture of one test file; its temp dir goes when the file's tests are done. */
export function bulkFixture(opts: BulkFixtureOptions): BulkFixture {
  const dir = mkdtempSync(join(tmpdir(), `interflow-${opts.name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const keys = { TEST_KEY: CANARY, ...opts.keys };
  const profiles = opts.profiles ?? ((url: string) => ({ local: profileAt.interflow(url) }));
  const path = (name: string): string => join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => cleanEnv(dir, { ...keys, ...extra });
  const rc = (url: string, p = profiles(url)): string => {
    const file = `${path('rc')}.json`;
    writeFileSync(file, JSON.stringify({ profiles: p }), { mode: 0o600 });
    return file;
  };
  const bulk = async (args: string[], o: RunOptions = {}): Promise<CliResult> => {
    const r = await runCli(['bulk', ...args], { ...o, env: env(o.env) });
    for (const key of Object.values(keys)) assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key), 'a key leaked');
    assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+\)?/, 'no stack trace');
    return r;
  };
  const start = (args: string[], o: StartOptions = {}): Running => startCli(['bulk', ...args], { ...o, env: env(o.env) });
  return {
    dir,
    path,
    csv: (lines, o = {}) => {
      const file = o.path ?? `${path('rows')}.csv`;
      writeFileSync(file, [o.header ?? 'to,nome,pedido', ...lines].join('\n') + '\n');
      return file;
    },
    rc,
    env,
    bulk,
    start,
    shell: (command) => startCli([], { env: env(), shell: command }),
    withSandbox: async (sandboxOpts, fn) => {
      let count = 0;
      const waiting: { n: number; resolve: () => void }[] = [];
      const sb = await startSandbox({
        port: 0,
        apiKeys: Object.values(keys),
        rateLimit: 1_000_000,
        ...sandboxOpts,
        onRequest: (request) => {
          sandboxOpts.onRequest?.(request);
          count++;
          for (const w of waiting.filter((w) => count >= w.n)) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve();
          }
        },
      });
      const config = rc(sb.url);
      try {
        await fn({
          sb,
          config,
          bulk: (args, o = {}) => bulk([...args, '--config', o.config ?? config], o),
          start: (args, o) => start([...args, '--config', config], o),
          requests: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
        });
      } finally {
        await sb.close();
      }
    },
  };
}
