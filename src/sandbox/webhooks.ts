/**
 * Interflow's webhooks in the sandbox: the registrations made through `/interflow/v1/webhooks`,
 * and their delivery.
 *
 * Each event is POSTed as JSON, as docs/providers/interflow.md ("Webhooks") shows it, with a top-level
 * `id` (also sent as X-Interflow-Event-Id) so that a receiver can drop a replay:
 *
 *   {"id":"evt_…","event":"message.status_updated","data":{"message_id":"msg_…","status":"delivered","timestamp":"…Z"}}
 *
 * With a secret, the raw body bytes are signed as Meta signs its webhooks (docs/providers/meta.md, "Webhooks"):
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body bytes)>`.
 *
 * Deliveries go one at a time per webhook (a queue each), so that one message's sent, delivered
 * and read arrive in that order. A delivery that fails (connection refused, timeout, a non-2xx
 * answer) is counted and dropped: it is never retried and never throws. No retry is invented:
 * none of the providers' documents states one for webhook deliveries (Interflow's says only
 * that an event is sent when a status changes; Meta's OpenAPI names a RETRYING state, no schedule).
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isoSeconds, randomAlnum } from './common.js';

export const WEBHOOK_EVENTS = ['message.status_updated'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['message.status_updated'];

/** How long one delivery may take before it counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 5000;

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  created_at: string;
}

/** One delivery attempt, as told to `onDelivery`. */
export interface WebhookDelivery {
  webhookId: string;
  url: string;
  eventId: string;
  event: WebhookEvent;
  /** The answer's status; 0 when there was none (refused, reset, timed out). */
  status: number;
  ok: boolean;
  /** Why it failed, in one line. */
  error?: string;
  /** The message and status the event was about. */
  messageId: string;
  messageStatus: string;
}

export interface WebhookStats {
  /** Events handed to the queues (one per webhook subscribed). */
  queued: number;
  /** Answered 2xx. */
  delivered: number;
  /** Refused, timed out, or answered something else than 2xx. */
  failed: number;
}

export interface WebhookDispatcherOptions {
  /** Signs each body when set. */
  secret?: string;
  timeoutMs?: number;
  onDelivery?: (d: WebhookDelivery) => void;
}

interface Queue {
  tail: Promise<void>;
}

/** The registered webhooks and their delivery queues. */
export class WebhookDispatcher {
  private readonly hooks = new Map<string, Webhook>();
  private readonly queues = new Map<string, Queue>();
  private readonly inFlight = new Set<ClientRequest>();
  /** Bumped by clear()/close(): a queued delivery from an older generation is skipped. */
  private generation = 0;
  private closed = false;
  private counts: WebhookStats = { queued: 0, delivered: 0, failed: 0 };

  constructor(private readonly opts: WebhookDispatcherOptions = {}) {}

  add(url: string, events: readonly WebhookEvent[] = DEFAULT_WEBHOOK_EVENTS): Webhook {
    const hook: Webhook = {
      id: `wh_${randomAlnum(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
      url,
      events: [...events],
      created_at: isoSeconds(),
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  get(id: string): Webhook | undefined {
    return this.hooks.get(id);
  }

  remove(id: string): boolean {
    this.queues.delete(id);
    return this.hooks.delete(id);
  }

  list(): Webhook[] {
    return [...this.hooks.values()];
  }

  get size(): number {
    return this.hooks.size;
  }

  stats(): WebhookStats {
    return { ...this.counts };
  }

  /** Queues a message.status_updated event for every webhook subscribed to it. */
  statusUpdated(messageId: string, status: string, at = new Date()): void {
    if (this.closed) return;
    for (const hook of this.hooks.values()) {
      if (!hook.events.includes('message.status_updated')) continue;
      const eventId = `evt_${randomAlnum(20, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
      const body = JSON.stringify({
        id: eventId,
        event: 'message.status_updated',
        data: { message_id: messageId, status, timestamp: isoSeconds(at) },
      });
      this.enqueue(hook, () =>
        this.deliver(hook, body, eventId).then((d) => {
          this.opts.onDelivery?.({ ...d, event: 'message.status_updated', messageId, messageStatus: status });
        }),
      );
    }
  }

  private enqueue(hook: Webhook, job: () => Promise<void>): void {
    this.counts.queued++;
    const generation = this.generation;
    let queue = this.queues.get(hook.id);
    if (!queue) {
      queue = { tail: Promise.resolve() };
      this.queues.set(hook.id, queue);
    }
    queue.tail = queue.tail.then(() => (generation === this.generation && !this.closed ? job() : undefined)).catch(() => undefined); // onDelivery throwing must not stop the queue
  }

  private deliver(hook: Webhook, body: string, eventId: string): Promise<Omit<WebhookDelivery, 'event' | 'messageId' | 'messageStatus'>> {
    const bytes = Buffer.from(body, 'utf8');
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(bytes.length),
      'User-Agent': 'interflow-sandbox',
      'X-Interflow-Event-Id': eventId,
      'X-Interflow-Event': 'message.status_updated',
    };
    if (this.opts.secret !== undefined) {
      headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', this.opts.secret).update(bytes).digest('hex')}`;
    }
    const timeoutMs = this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const generation = this.generation;
    return new Promise((resolve) => {
      let settled = false;
      const done = (status: number, error?: string) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(req);
        const ok = error === undefined && status >= 200 && status < 300;
        // Not counted when clear() aborted it (the counters start again from zero).
        if (generation === this.generation) {
          if (ok) this.counts.delivered++;
          else this.counts.failed++;
        }
        resolve({
          webhookId: hook.id,
          url: hook.url,
          eventId,
          status,
          ok,
          ...(ok ? {} : { error: error ?? `answered ${status}` }),
        });
      };
      let req: ClientRequest;
      try {
        const send = hook.url.startsWith('https:') ? httpsRequest : httpRequest;
        // agent: false, so that no keep-alive socket outlives the delivery (the process can exit).
        req = send(hook.url, { method: 'POST', headers, agent: false, timeout: timeoutMs });
      } catch (err) {
        // An invalid URL is refused at registration; this is only in case.
        this.counts.failed++;
        resolve({
          webhookId: hook.id,
          url: hook.url,
          eventId,
          status: 0,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        });
        return;
      }
      this.inFlight.add(req);
      req.on('response', (res) => {
        res.resume(); // the answer's body is not needed
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(res.statusCode ?? 0));
      });
      req.on('timeout', () => {
        done(0, `no answer within ${timeoutMs} ms`);
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => done(0, err.code ?? err.message));
      req.end(bytes);
    });
  }

  /** Forgets the webhooks, drops queued deliveries, aborts those in flight, zeroes the counters. */
  clear(): void {
    this.generation++;
    this.hooks.clear();
    this.queues.clear();
    this.abortInFlight();
    this.counts = { queued: 0, delivered: 0, failed: 0 };
  }

  /** No more deliveries: queued ones are dropped, those in flight aborted. */
  close(): void {
    this.closed = true;
    this.generation++;
    this.queues.clear();
    this.abortInFlight();
  }

  private abortInFlight(): void {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }
}
