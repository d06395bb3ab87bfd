/**
 * The HTTP layer: undici's Client (keep-alive, explicit connect/headers/body timeouts), JSON
 * bodies as UTF-8 bytes, a redacted trace for --verbose, and network failures classified by
 * whether the provider may have received the request (bulk retries only the 'connect' ones).
 */
import Client from 'undici/lib/dispatcher/client.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import type { Dispatcher } from 'undici';
import { NetworkError } from '../errors.js';
import { monotonicMs, preferBaselineWasm } from '../runtime.js';
import { redactHeaders } from '../output/redact.js';
import { plainText } from '../output/sanitize.js';
import type { HttpRequest } from '../providers/types.js';
import type { CommandContext } from '../commands/context.js';
import type { Profile } from '../config/profile.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as text (UTF-8). */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** Milliseconds from sending to the end of the body. */
  elapsedMs: number;
  /** The body was longer than the bound (HttpOptions.maxBodyBytes) and was not read: text is ''. */
  tooLarge?: boolean;
}

export interface HttpOptions {
  timeoutMs?: number;
  /** Receives trace lines (already redacted of credential headers) for --verbose. */
  trace?: (line: string) => void;
  /** Lowercase header names that carry credentials, from the provider adapter. */
  secretHeaders?: readonly string[];
  /** Sockets kept per origin (1 for one-off sends). */
  connections?: number;
  /**
   * Only these response headers (lowercase) are read; the others are skipped without being
   * decoded (bulk reads only the rate-limit ones, thousands of times a second). All by default,
   * and always all with a trace.
   */
  responseHeaders?: readonly string[];
  /** The most of a response body read (default MAX_RESPONSE_BYTES); a longer answer is `tooLarge`. */
  maxBodyBytes?: number;
}

interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The answer was longer than the bound: `body` is empty and the rest was not read. */
  tooLarge?: boolean;
}

/** The most of a response body that is read (a 600 MB answer must not take the memory of a run). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * The deadline of a request passed; `written` tells whether it had been handed to a connection
 * (from then on the provider may have received it).
 */
class DeadlineError extends Error {
  constructor(
    readonly written: boolean,
    /** The status line and headers had come (the body had not ended). */
    readonly answered = false,
  ) {
    super('deadline');
  }
}

/** A failed exchange, and whether the request had been handed to a connection before it failed. */
class ExchangeError extends Error {
  constructor(
    readonly error: Error,
    readonly written: boolean,
  ) {
    super(error.message);
  }
}

/** The response headers to read: names, and their lengths (a name of another length is skipped undecoded). */
interface HeaderFilter {
  names: ReadonlySet<string>;
  lengths: ReadonlySet<number>;
}

/** undici's raw header list ([name, value, …] as Buffers) → lowercase names, repeated values joined. */
function parseRawHeaders(raw: Buffer[], only?: HeaderFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (only && !only.lengths.has(raw[i]!.length)) continue;
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (only && !only.names.has(name)) continue;
    const value = raw[i + 1]!.toString('latin1');
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

/**
 * undici's dispatch handler for one exchange: collects the status, the headers wanted and the
 * body (up to a bound), then settles once (methods on a class: no closures per request).
 */
class Collector {
  status = 0;
  headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** Set once the request has a connection (from then on it may have been written). */
  abort: ((err: Error) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  private settled = false;
  private readonly started = monotonicMs();

  constructor(
    private readonly client: HttpClient,
    private readonly url: string,
    private readonly done: (res: HttpResponse) => void,
    private readonly failed: (err: Error) => void,
    private readonly filter: HeaderFilter | undefined,
    private readonly maxBytes: number,
  ) {}

  /** The exchange ended with an answer: the caller gets it as an HttpResponse. */
  private resolve(e: Exchange): void {
    let res: HttpResponse;
    try {
      res = this.client.answer(e, this.started);
    } catch (err) {
      // Never into undici's parser, whose callback this is.
      return this.failed(err as Error);
    }
    this.done(res);
  }

  /** The exchange failed: the caller gets a NetworkError saying whether the request may have gone out. */
  private reject(err: Error): void {
    this.failed(this.client.networkError(err, this.url));
  }

  onConnect(abort: (err: Error) => void): void {
    // Already given up (its deadline passed while it waited for a connection): never write it.
    if (this.settled) return abort(new DeadlineError(false));
    this.abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    this.status = statusCode;
    this.headers = parseRawHeaders(raw, this.filter);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      // Enough: the answer is settled as too large, and the connection is given up.
      if (this.settle()) this.resolve({ status: this.status, headers: this.headers, body: Buffer.alloc(0), tooLarge: true });
      this.chunks.length = 0;
      this.abort?.(new Error('response too large'));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (!this.settle()) return;
    const c = this.chunks;
    this.resolve({ status: this.status, headers: this.headers, body: c.length === 1 ? c[0]! : Buffer.concat(c) });
  }

  onError(err: Error): void {
    // Before onConnect the request was still queued: nothing of it was written.
    if (this.settle()) this.reject(err instanceof DeadlineError ? err : new ExchangeError(err, this.abort !== undefined));
  }

  /** The whole exchange took too long: give it up, whatever phase it is in. */
  expire(): void {
    const err = new DeadlineError(this.abort !== undefined, this.status !== 0);
    this.onError(err);
    this.abort?.(err);
  }

  /** True the first time: the exchange ends here. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    return true;
  }
}

/** The path and query of a URL on this client's origin (no URL object per request). */
function pathOf(url: string, origin: string): string {
  if (url.startsWith(origin) && url.charAt(origin.length) === '/') return url.slice(origin.length);
  const u = new URL(url);
  return u.pathname + u.search;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Keep-alive connections to one origin: one (undici Client) or several (undici Pool). */
export class HttpClient {
  private readonly client: InstanceType<typeof Client> | InstanceType<typeof Pool>;
  private readonly timeoutMs: number;
  private readonly headerFilter: HeaderFilter | undefined;
  private readonly maxBodyBytes: number;
  readonly origin: string;

  constructor(
    origin: string,
    private readonly opts: HttpOptions = {},
  ) {
    this.origin = origin;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
    const connections = opts.connections ?? 1;
    const wanted = opts.trace ? undefined : opts.responseHeaders;
    this.headerFilter = wanted && { names: new Set(wanted), lengths: new Set(wanted.map((n) => n.length)) };
    // Each exchange has a total deadline of its own (headers and body: a server that drips its
    // answer a byte at a time is given up on time); undici's timeouts, checked on a coarse clock
    // (about a second), stay only as a backstop.
    const slack = 2_000;
    const options = {
      connect: { timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs + slack,
      bodyTimeout: this.timeoutMs + slack,
      keepAliveTimeout: 10_000,
      // One request per connection at a time: a request is never queued behind another one
      // whose answer may not come (so a timeout is this request's own).
      pipelining: 1,
    };
    this.client = connections > 1 ? new Pool(origin, { ...options, connections }) : new Client(origin, options);
  }

  /**
   * Sends one request and reads its answer: one promise a request, settled by undici's handler
   * (a bulk run sends thousands a second; an async layer per step costs a promise and a turn each).
   */
  send(req: HttpRequest): Promise<HttpResponse> {
    try {
      return this.dispatchRequest(req);
    } catch (err) {
      // (A URL that does not parse, a trace that throws: a rejection, as from any async send.)
      return Promise.reject(err as Error);
    }
  }

  private dispatchRequest(req: HttpRequest): Promise<HttpResponse> {
    const path = pathOf(req.url, this.origin);
    // A string body: undici encodes it once and sets Content-Length from it.
    const body = req.bodyText ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
    const headers = req.headers;
    const trace = this.opts.trace;
    if (trace) {
      trace(`> ${req.method} ${req.url}`);
      for (const [k, v] of Object.entries(redactHeaders(headers, this.opts.secretHeaders))) trace(`> ${k}: ${v}`);
      if (body) trace(`> ${body}`);
    }
    return this.exchange({ method: req.method, path, headers, body }, req.url);
  }

  /** An exchange's answer as an HttpResponse: the body as text, and as JSON when it is JSON. */
  answer(res: Exchange, started: number): HttpResponse {
    const { status, headers: responseHeaders } = res;
    const text = res.body.toString('utf8');
    const elapsedMs = Math.round(monotonicMs() - started);
    const trace = this.opts.trace;
    if (trace) {
      trace(`< ${status} (${elapsedMs} ms)`);
      for (const [k, v] of Object.entries(redactHeaders(responseHeaders))) trace(`< ${k}: ${v}`);
      if (text) trace(`< ${text}`);
      if (res.tooLarge) trace(`< (an answer longer than ${this.maxBodyBytes} bytes: not read)`);
    }
    if (res.tooLarge) {
      return { status, headers: responseHeaders, text: '', json: undefined, elapsedMs, tooLarge: true };
    }
    let json: unknown;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status, headers: responseHeaders, text, json, elapsedMs };
  }

  /**
   * One request through undici's dispatch() with a handler that only collects the answer: no
   * response stream per request (request() makes one), which counts at thousands of requests a
   * second. The whole exchange (connection, headers, body) must end within timeoutMs.
   */
  private exchange(
    opts: { method: string; path: string; headers: Record<string, string>; body?: string },
    url: string,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const collector = new Collector(this, url, resolve, reject, this.headerFilter, this.maxBodyBytes);
      collector.timer = setTimeout(() => collector.expire(), this.timeoutMs);
      (this.client as unknown as Dispatcher).dispatch(
        opts as Dispatcher.DispatchOptions,
        collector as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  async close(): Promise<void> {
    // undici closes a client by destroying its socket with an error, whose stack Node's streams
    // read at once (node:internal/streams/destroy): formatting it would have V8 build the line
    // table of the whole app bundle, about 3 % of a one-off send's work, for a stack no one sees.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      await this.client.close().catch(() => undefined);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  networkError(err: unknown, rawUrl: string): NetworkError {
    const host = new URL(rawUrl).host;
    const written = err instanceof DeadlineError || err instanceof ExchangeError ? err.written : true;
    const cause = err instanceof ExchangeError ? err.error : err;
    const e = cause as { code?: string; message?: string };
    const code = e.code ?? '';
    // Whether the provider may have it: only what was handed to a connection may have been written.
    if (!written || CONNECT_CODES.has(code)) {
      const why =
        err instanceof DeadlineError
          ? `no connection within ${this.timeoutMs} ms`
          : code === 'ECONNREFUSED'
            ? 'connection refused'
            : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
              ? 'host not found'
              : code === 'UND_ERR_CONNECT_TIMEOUT'
                ? `no connection within ${this.timeoutMs} ms`
                : (tlsProblem(code, e.message) ?? oneLine(e.message ?? code));
      return new NetworkError(`could not connect to ${host} (${why})`, 'connect', {
        hint: "nothing was sent; check the profile's baseUrl and your network, then try again",
        cause,
      });
    }
    const why =
      err instanceof DeadlineError && err.answered
        ? `the answer did not finish within ${this.timeoutMs} ms`
        : err instanceof DeadlineError || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
          ? `no answer within ${this.timeoutMs} ms`
          : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
            ? 'the connection was closed before an answer'
            : oneLine(e.message ?? code);
    return new NetworkError(`${host}: ${why} after the request was sent`, 'response', {
      hint: 'the provider may or may not have accepted the message; check before sending it again (--timeout MS waits longer)',
      cause,
    });
  }
}

/** An error message on one line (OpenSSL's span several). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A TLS handshake failure in words, or undefined when the error is not one. */
function tlsProblem(code: string, message: string | undefined): string | undefined {
  const text = `${code} ${message ?? ''}`;
  if (/WRONG_VERSION_NUMBER|wrong version number|PACKET_LENGTH_TOO_LONG|packet length too long|http request/i.test(text)) {
    return 'TLS handshake failed: the server does not speak https there; check http:// or https:// in baseUrl';
  }
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO)|CERT|SSL routines|certificate/i.test(text)) return `TLS handshake failed: ${oneLine(message ?? code)}`;
  return undefined;
}

/** What every command's requests share: --timeout, else the profile's timeoutMs, else the default; --verbose traces on stderr. */
export function commandHttpOptions(ctx: CommandContext, profile: Profile): Pick<HttpOptions, 'timeoutMs' | 'trace'> {
  return {
    timeoutMs: ctx.globals.timeout ?? profile.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    trace: ctx.io.verbose ? (line) => ctx.io.err(plainText(line, { multiline: true }) + '\n') : undefined,
  };
}

/** Sends one request on a fresh client and closes it (for one-off commands). */
export async function sendOnce(req: HttpRequest, opts: HttpOptions = {}): Promise<HttpResponse> {
  preferBaselineWasm();
  const client = new HttpClient(new URL(req.url).origin, opts);
  try {
    return await client.send(req);
  } finally {
    await client.close();
  }
}
