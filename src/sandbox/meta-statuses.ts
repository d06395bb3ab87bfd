/**
 * Turn and SocialMiner status webhooks in the sandbox: after an accepted send, the message's
 * statuses are POSTed, Meta-shaped (docs/providers/meta.md, "Webhooks"), to every URL given with
 * `statusWebhooks` (`interflow sandbox --status-webhook URL`):
 *
 *   Turn          {"statuses":[{id, recipient_id, status, timestamp, …}]}   (on-premise form)
 *                 signed X-Turn-Hook-Signature: base64(HMAC-SHA256(secret, body))
 *   SocialMiner   {"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
 *                 "value":{"statuses":[…]}}]}]}
 *                 signed X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
 *
 * What becomes of each message (its fate) is chosen by the recipient: `fates[to]` when given,
 * else by the number's last digits (documented in README.md, "Tracking"):
 *
 *   …1047  failed with 131047 (more than 24 hours since the customer last replied)
 *   …0000  none: no status ever comes
 *   …0002  delivered, never read        …0001  sent, nothing later
 *   anything else: sent, delivered, read
 *
 * A message's statuses go in order, one POST each, one message after the other per URL (a queue);
 * a POST that fails is counted and dropped, never retried (no retry policy is documented: see ./webhooks.ts).
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const FATES = ['read', 'delivered', 'sent', 'failed', 'none'] as const;
export type Fate = (typeof FATES)[number];

/** The fate a recipient's number chooses (see above). */
export function fateOf(to: string, fates?: Readonly<Record<string, Fate>>): Fate {
  const digits = to.replace(/\D/g, '');
  const given = fates?.[digits] ?? fates?.[to];
  if (given) return given;
  if (digits.endsWith('1047')) return 'failed';
  if (digits.endsWith('0000')) return 'none';
  if (digits.endsWith('0001')) return 'sent';
  if (digits.endsWith('0002')) return 'delivered';
  return 'read';
}

const STEPS: Record<Fate, string[]> = {
  read: ['sent', 'delivered', 'read'],
  delivered: ['sent', 'delivered'],
  sent: ['sent'],
  failed: ['failed'],
  none: [],
};

export interface MetaStatusOptions {
  urls: readonly string[];
  secret?: string;
  fates?: Readonly<Record<string, Fate>>;
  timeoutMs?: number;
}

export class MetaStatusPoster {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  counts = { posted: 0, failed: 0 };

  constructor(private readonly opts: MetaStatusOptions) {}

  /** Queues the statuses of an accepted Turn or SocialMiner message. */
  accepted(provider: 'turn' | 'socialminer', id: string, to: string): void {
    if (this.closed || this.opts.urls.length === 0) return;
    const steps = STEPS[fateOf(to, this.opts.fates)];
    for (const status of steps) {
      const body = JSON.stringify(provider === 'turn' ? { statuses: [statusOf(id, to, status)] } : wrapped(statusOf(id, to, status)));
      for (const url of this.opts.urls) {
        this.tail = this.tail.then(() => (this.closed ? undefined : this.post(provider, url, body))).catch(() => undefined);
      }
    }
  }

  /** Resolves once every queued POST is done. */
  idle(): Promise<void> {
    return this.tail;
  }

  close(): void {
    this.closed = true;
  }

  private post(provider: 'turn' | 'socialminer', url: string, body: string): Promise<void> {
    const bytes = Buffer.from(body, 'utf8');
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(bytes.length),
      'User-Agent': 'interflow-sandbox',
    };
    const secret = this.opts.secret;
    if (secret !== undefined) {
      if (provider === 'turn') headers['X-Turn-Hook-Signature'] = createHmac('sha256', secret).update(bytes).digest('base64');
      else headers['X-Hub-Signature-256'] = `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;
    }
    return new Promise((resolve) => {
      const send = url.startsWith('https:') ? httpsRequest : request;
      const req = send(url, { method: 'POST', headers, agent: false, timeout: this.opts.timeoutMs ?? 5000 });
      const done = (ok: boolean): void => {
        if (ok) this.counts.posted++;
        else this.counts.failed++;
        resolve();
      };
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
        res.on('error', () => done(false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => done(false));
      req.end(bytes);
    });
  }
}

function statusOf(id: string, to: string, status: string): Record<string, unknown> {
  const s: Record<string, unknown> = { id, recipient_id: to, status, timestamp: String(Math.floor(Date.now() / 1000)) };
  if (status === 'failed') {
    s.errors = [
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        error_data: {
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      },
    ];
  } else {
    s.pricing = { billable: true, pricing_model: 'CBP', category: 'marketing' };
  }
  return s;
}

function wrapped(status: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              statuses: [status],
            },
          },
        ],
      },
    ],
  };
}
