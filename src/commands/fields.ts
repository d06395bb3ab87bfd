/**
 * The fields of JSON results, each list checked against the type of the result it names where
 * there is one (a list that leaves a key out does not compile). A command's spec names its list
 * (`json:` in src/commands/<noun>/<verb>.ts); `--json FIELDS` is checked against it
 * (src/commands/json-fields.ts). The lists several commands share are here.
 */
import type { SendResult } from './send/run.js';

/** Every key of T, each named: a list that leaves one out does not compile. */
export const keysOf =
  <T>() =>
  <const L extends readonly (keyof T)[]>(list: L & (Exclude<keyof T, L[number]> extends never ? unknown : never)): L =>
    list;

/** A send's result (every `send` verb, and `compose`). */
export const sendFields = keysOf<SendResult>()(['ok', 'provider', 'profile', 'to', 'type', 'id', 'status', 'response', 'error']);

// Interflow's resources as the API answers them (docs/providers/interflow.md, and the sandbox).
export const messageFields = [
  'id',
  'chat_id',
  'direction',
  'channel_id',
  'from',
  'to',
  'type',
  'status',
  'content',
  'created_at',
  'updated_at',
];
export const customerFields = ['id', 'name', 'email', 'phone', 'tags', 'custom_fields', 'created_at', 'updated_at'];
export const chatFields = ['id', 'channel_id', 'contact', 'status', 'message_count', 'last_message_at', 'created_at', 'updated_at'];
export const webhookFields = ['id', 'url', 'events', 'created_at'];
export const deletedFields = ['id', 'deleted'];
