/**
 * A pseudo-terminal for the end-to-end tests of interactive commands: the BUILT binary runs on a
 * real pty (test/e2e/pty_driver.py, Python's pty module), the test waits for what the screen shows and
 * types keys, as a person would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bin } from './harness.js';

const driver = fileURLToPath(new URL('./pty_driver.py', import.meta.url));

export const keys = {
  enter: '\r',
  down: '\u001b[B',
  up: '\u001b[A',
  ctrlC: '\u0003',
  backspace: '\u007f',
} as const;

/** The screen's text without escape sequences (colors, cursor moves, erases). */
export function plain(s: string): string {
  return s
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g, '')
    .replace(/\u001b[@-Z\\-_]/g, '')
    .replace(/\r/g, '');
}

export interface TerminalExit {
  code: number;
  /** Everything the terminal showed, escapes removed. */
  screen: string;
  /** The command's stdout, when started with stdoutPipe. */
  stdout: string;
}

export class Terminal {
  private static readonly open = new Set<Terminal>();

  /** Kills every terminal still running (a test that failed half-way leaves its own). */
  static killAll(): void {
    for (const t of Terminal.open) t.kill();
  }

  private raw = '';
  private seen = 0;
  private stdout = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number>;

  constructor(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; stdoutPipe?: boolean; cols?: number }) {
    const flags = [...(opts.stdoutPipe ? ['--stdout-pipe'] : []), ...(opts.cols ? ['--cols', String(opts.cols)] : [])];
    this.child = spawn('python3', [driver, ...flags, '--', process.execPath, bin, ...args], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c: Buffer) => (this.raw += c.toString('utf8')));
    this.child.stderr!.on('data', (c: Buffer) => (this.raw += c.toString('utf8')));
    (this.child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (this.stdout += c.toString('utf8')));
    Terminal.open.add(this);
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => {
        Terminal.open.delete(this);
        resolve(code ?? 1);
      });
    });
  }

  /** Every byte the terminal was sent so far, escapes and all. */
  get output(): string {
    return this.raw;
  }

  /** The screen so far, escapes removed. */
  get screen(): string {
    return plain(this.raw);
  }

  /**
   * Waits until the screen shows `what` after the last thing waited for, then moves past it.
   * Fails with the screen so far when it does not come.
   */
  async expect(what: string | RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen;
      const rest = screen.slice(this.seen);
      const index = typeof what === 'string' ? rest.indexOf(what) : rest.search(what);
      if (index >= 0) {
        const length = typeof what === 'string' ? what.length : (rest.match(what)?.[0].length ?? 0);
        this.seen += index + length;
        return;
      }
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`the terminal never showed ${String(what)}; it shows:\n${screen.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Types text or keys into the terminal. */
  type(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Waits for `what`, then types `text` (and Enter unless it is a key sequence of its own). */
  async answer(what: string | RegExp, text: string, enter = true): Promise<void> {
    await this.expect(what);
    this.type(enter ? text + keys.enter : text);
  }

  async exit(timeoutMs = 60_000): Promise<TerminalExit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.child.stdin!.end();
    return { code, screen: this.screen, stdout: this.stdout };
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
