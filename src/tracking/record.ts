/**
 * The hooks that record into the tracking store (./store.ts): one call each from send, bulk,
 * `webhooks listen` and `messages get`. None of them ever throws: a store that cannot be written
 * costs one warning on stderr, never a send.
 */
import path from 'node:path';
import { effectiveBaseUrl } from '../config/defaults.js';
import type { Profile } from '../config/profile.js';
import type { Message } from '../message/model.js';
import { resultTypeOf } from '../message/model.js';
import type { Io } from '../output/io.js';
import type { RowOutcome } from '../bulk/types.js';
import type { WebhookEvent } from '../webhooks/events.js';
import { Recorder, recordLine, trackingDir, type MsgRecord } from './store.js';

function recorder(io: Io): Recorder {
  return new Recorder(trackingDir(io.env), (warning) => {
    if (!io.quiet) io.err(`${warning}\n`);
  });
}

/** `--campaign NAME`: trimmed; '' when absent. */
export function campaignOf(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** What a message's record says of it, whatever the provider: type, template and language. */
function describe(msg: Message): Pick<MsgRecord, 'type' | 'tpl' | 'lang'> {
  const m = msg as Message & { name?: string; elementName?: string; language?: string };
  const tpl = m.type === 'template' ? (m.name ?? '') : m.type === 'hsm' ? (m.elementName ?? '') : '';
  return { type: resultTypeOf(msg), tpl, ...(m.language && tpl ? { lang: m.language } : {}) };
}

const base = (profile: Profile): Pick<MsgRecord, 'provider' | 'profile' | 'dest'> => ({
  provider: profile.provider,
  profile: profile.name,
  dest: safeDest(profile),
});

function safeDest(profile: Profile): string {
  try {
    const url = new URL(effectiveBaseUrl(profile));
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** A one-off send (send …, compose) the provider accepted: written at once. */
export function recordSend(io: Io, profile: Profile, msg: Message, id: string | undefined, campaign: unknown): void {
  if (!id) return;
  try {
    const r = recorder(io);
    r.add({ k: 'msg', id, t: Date.now(), c: campaignOf(campaign), to: msg.to, ...describe(msg), ...base(profile) });
    r.close();
  } catch {
    // recording never fails a send
  }
}

/**
 * Bulk: one recorder for the run; `row(outcome)` records a row that ended `sent`, batched with the
 * others of the same turn of the event loop (one write for many rows), like the journal.
 */
export function bulkRecorder(
  io: Io,
  /** The run's profile, or a pool's (each row's outcome names its own). */
  profiles: readonly Profile[],
  plan: { kind: string; flags: Record<string, unknown> },
  campaign: string,
  input: string,
): { row(o: RowOutcome): void; close(): void } {
  const r = recorder(io);
  const tpl = plan.kind === 'template' ? String(plan.flags.name ?? '') : '';
  const shared = {
    c: campaign,
    tpl: tpl.includes('{{') ? '' : tpl,
    type: plan.kind === 'media' ? String(plan.flags.kind ?? 'media') : plan.kind,
    ...(tpl && typeof plan.flags.language === 'string' && !plan.flags.language.includes('{{')
      ? { lang: plan.flags.language }
      : tpl
        ? { lang: 'pt_BR' }
        : {}),
    ...base(profiles[0]!),
    ...(input === '-' ? {} : { input: path.resolve(input) }),
  };
  // Every row's record is the same line but for its id, time, recipient and row: recordLine's
  // line for the shared fields (a pool's: per profile), cut once where those go (a key is never
  // inside a JSON string: its quotes would be escaped there), then filled per row.
  const withRow = input !== '-';
  const lineOf = (fields: typeof shared): string[] =>
    cut(recordLine({ k: 'msg', id: '', t: 0, to: '', ...fields, ...(withRow ? { row: 0 } : {}) }), [
      '"id":""',
      '"t":0',
      '"to":""',
      ...(withRow ? ['"row":0'] : []),
    ]);
  const single = lineOf(shared);
  const pooled = new Map(profiles.map((p) => [p.name, lineOf({ ...shared, ...base(p) })]));
  return {
    row(o) {
      if (o.status !== 'sent' || !o.id || o.fromJournal) return;
      const [head, afterId, afterT, afterTo, tail] = o.profile !== undefined ? (pooled.get(o.profile) ?? single) : single;
      let line = `${head}"id":${JSON.stringify(o.id)}${afterId}"t":${Date.now()}${afterT}"to":${JSON.stringify(o.to ?? '')}${afterTo}`;
      if (withRow) line += `"row":${o.row}${tail}`;
      r.batchLine(line);
    },
    close: () => r.close(),
  };
}

/** `text` cut around each of `fields` (in order, each once): the pieces between them, without them. */
function cut(text: string, fields: string[]): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const field of fields) {
    const at = text.indexOf(field, from);
    if (at < 0) throw new Error(`tracking: no ${field} in ${text}`);
    pieces.push(text.slice(from, at));
    from = at + field.length;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/**
 * `webhooks listen`: every verified status and incoming message, batched per turn of the event
 * loop. Events of other kinds (errors about a payload) are not about a message and are not kept.
 */
export function eventRecorder(io: Io): { event(e: WebhookEvent): void; close(): void } {
  const r = recorder(io);
  return {
    event(e) {
      const t = Date.parse(e.timestamp);
      const at = Number.isNaN(t) ? Date.now() : t;
      if (e.kind === 'status' && e.messageId && e.status) {
        r.batch({
          k: 'ev',
          id: e.messageId,
          st: e.status.toLowerCase(),
          t: at,
          ...(e.errorCode !== undefined ? { code: e.errorCode } : {}),
          ...(e.errorTitle !== undefined ? { title: e.errorTitle } : {}),
          ...(e.pricing !== undefined ? { pricing: e.pricing } : {}),
          src: 'webhook',
        });
      } else if (e.kind === 'message') {
        r.batch({ k: 'in', id: e.messageId, from: e.from ?? '', type: e.type ?? '', t: at, provider: e.provider });
      }
    },
    close: () => r.close(),
  };
}

/** `messages get`: the status it saw (Interflow), as an event of that message. */
export function recordSeen(io: Io, message: Record<string, unknown>): void {
  const id = typeof message.id === 'string' ? message.id : undefined;
  const status = typeof message.status === 'string' ? message.status.toLowerCase() : undefined;
  if (!id || !status) return;
  const when = Date.parse(String(message.updated_at ?? message.created_at ?? ''));
  try {
    const r = recorder(io);
    r.add({ k: 'ev', id, st: status, t: Number.isNaN(when) ? Date.now() : when, src: 'get' });
    r.close();
  } catch {
    // never fails the command
  }
}
