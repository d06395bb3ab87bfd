/**
 * A small client for Interflow's resources besides sending (docs/providers/interflow.md, "Other resources"):
 * messages, customers, chats, webhooks. Every answer is `{success, data, meta?}`; a non-2xx
 * answer becomes a ProviderError (exit 1, or 4 for 401/403) with the envelope's code, message,
 * details and a hint. One keep-alive connection per client; `close()` when done.
 */
import type { Profile } from '../config/profile.js';
import { effectiveBaseUrl } from '../config/defaults.js';
import { ProviderError, UsageError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, HttpClient } from '../http/client.js';
import type { Io } from '../output/io.js';
import { printJson } from '../output/format.js';
import { redactHeaders } from '../output/redact.js';
import { interflow as adapter } from '../providers/interflow.js';
import { errorHint } from '../providers/meta.js';
import type { HttpMethod, HttpRequest } from '../providers/types.js';
import { preferBaselineWasm } from '../runtime.js';

/** `meta` of a list answer. */
export interface PageMeta {
  page: number;
  per_page: number;
  total: number;
}

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export interface PageQuery {
  page?: number;
  perPage?: number;
}

export interface ApiOptions {
  timeoutMs?: number;
  /** Receives trace lines (credential headers redacted) for --verbose. */
  trace?: (line: string) => void;
  /** Writes (POST/PUT/DELETE) print the request here instead of being sent. */
  dryRun?: { io: Io };
}

/** The dry-run answer: the request that would have gone out, printed already. */
export const DRY_RUN = Symbol('dry-run');
export type DryRun = typeof DRY_RUN;

/**
 * Refuses a profile whose provider is not Interflow, naming the command family (exit 2).
 * `family` is e.g. 'customers'; `what` the API it names ('customers API').
 */
export function requireInterflow(profile: Profile, family: string, what = `${family} API`): void {
  if (profile.provider !== 'interflow') {
    throw new UsageError(
      `profile '${profile.name}' uses ${profile.provider}, which has no ${what}: \`interflow ${family}\` needs an interflow profile`,
      { hint: 'choose one with --profile NAME (`interflow profiles list` shows them)' },
    );
  }
}

export class InterflowApi {
  readonly baseUrl: string;
  private client?: HttpClient;

  constructor(
    private readonly profile: Profile,
    private readonly opts: ApiOptions = {},
  ) {
    this.baseUrl = effectiveBaseUrl(profile).replace(/\/+$/, '');
  }

  /** The full URL of a path (segments already encoded) with an optional query. */
  url(path: string, query?: Record<string, string | number | undefined>): string {
    const params = query
      ? Object.entries(query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      : [];
    return `${this.baseUrl}${path}${params.length ? `?${params.join('&')}` : ''}`;
  }

  request(method: HttpMethod, url: string, body?: unknown): HttpRequest {
    return {
      method,
      url,
      headers: { Authorization: `Bearer ${this.profile.apiKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    };
  }

  /** Sends a request and returns the whole success envelope; ProviderError otherwise. */
  async send(req: HttpRequest): Promise<{ data: unknown; meta?: unknown }> {
    if (!this.client) {
      preferBaselineWasm();
      this.client = new HttpClient(new URL(req.url).origin, {
        timeoutMs: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        trace: this.opts.trace,
        secretHeaders: adapter.secretHeaders,
      });
    }
    const res = await this.client.send(req);
    const body = res.json ?? (res.text || undefined);
    if (res.status >= 200 && res.status < 300) {
      if (isObject(body) && body.success === true && 'data' in body) {
        return { data: body.data, ...(body.meta !== undefined ? { meta: body.meta } : {}) };
      }
      throw new ProviderError(
        'interflow',
        {
          status: res.status,
          code: '',
          message: `expected {"success":true,"data":…}, got ${truncate(res.text)}`,
        },
        { response: body },
      );
    }
    const info = adapter.parseError(res.status, body);
    throw new ProviderError('interflow', info, { hint: errorHint('interflow', info), response: body });
  }

  /** A write: printed (keys as ***) under --dry-run, sent otherwise. */
  private async write(req: HttpRequest): Promise<unknown | DryRun> {
    if (this.opts.dryRun) {
      printJson(this.opts.dryRun.io, {
        method: req.method,
        url: req.url,
        headers: redactHeaders(req.headers, adapter.secretHeaders),
        ...(req.body === undefined ? {} : { body: req.body }),
      });
      return DRY_RUN;
    }
    return (await this.send(req)).data;
  }

  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    return (await this.send(this.request('GET', this.url(path)))).data as T;
  }

  async list<T = Record<string, unknown>>(path: string, q: PageQuery = {}): Promise<Page<T>> {
    const req = this.request('GET', this.url(path, { page: q.page, per_page: q.perPage }));
    const { data, meta } = await this.send(req);
    if (!Array.isArray(data)) {
      throw new ProviderError('interflow', {
        status: 200,
        code: '',
        message: `expected a list in data, got ${truncate(JSON.stringify(data))}`,
      });
    }
    return { data: data as T[], meta: readMeta(meta, q, data.length) };
  }

  /**
   * Every page from `q.page` (default 1) on, yielded as each arrives, until meta.total is
   * covered or a page comes back empty.
   */
  async *listAll<T = Record<string, unknown>>(path: string, q: PageQuery = {}): AsyncGenerator<Page<T>> {
    let page = q.page ?? 1;
    for (;;) {
      const got = await this.list<T>(path, { page, perPage: q.perPage });
      yield got;
      const { per_page, total } = got.meta;
      if (got.data.length === 0 || page * per_page >= total) return;
      page += 1;
    }
  }

  create<T = Record<string, unknown>>(path: string, body: unknown): Promise<T | DryRun> {
    return this.write(this.request('POST', this.url(path), body)) as Promise<T | DryRun>;
  }

  update<T = Record<string, unknown>>(path: string, body: unknown): Promise<T | DryRun> {
    return this.write(this.request('PUT', this.url(path), body)) as Promise<T | DryRun>;
  }

  delete<T = Record<string, unknown>>(path: string): Promise<T | DryRun> {
    return this.write(this.request('DELETE', this.url(path))) as Promise<T | DryRun>;
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }
}

/** A path segment for an id typed by the user. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}

function readMeta(meta: unknown, q: PageQuery, count: number): PageMeta {
  const m = isObject(meta) ? meta : {};
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const page = num(m.page, q.page ?? 1);
  const perPage = num(m.per_page, q.perPage ?? Math.max(count, 1));
  return { page, per_page: perPage, total: num(m.total, (page - 1) * perPage + count) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s || '(empty body)';
}
