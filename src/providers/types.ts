/**
 * The contract every provider adapter fulfils. Adding a provider is adding one file that exports
 * a ProviderAdapter and one line in ./index.ts.
 */
import type { Profile, ProviderId } from '../config/profile.js';
import type { ProviderErrorInfo } from '../errors.js';
import type { Capability, Message } from '../message/model.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An HTTP request exactly as it goes on the wire (body is JSON-serialized by the HTTP layer). */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** The body already serialized as JSON (bulk serializes once for its duplicate key and the wire). */
  bodyText?: string;
}

/** What a provider's success answer says about the message. */
export interface SendAccepted {
  /** The provider's message id. */
  id: string;
  /** The provider's status, lowercased ('sent', 'queued', …). */
  status: string;
}

export interface ProviderAdapter {
  id: ProviderId;
  /** Human name: 'Interflow', 'Interacto', 'Turn.io', 'SocialMiner'. */
  label: string;
  /** Message kinds this provider documents, in the order a refusal lists them. */
  capabilities: readonly Capability[];
  /** Lowercase names of headers that carry credentials (redacted in dry-run and --verbose). */
  secretHeaders: readonly string[];
  /**
   * The exact send request for a message: URL, headers (with the real key) and body.
   * Throws ValidationError (exit 2) when the provider does not document this kind of message or
   * one of its options, naming what it supports.
   */
  buildSend(msg: Message, profile: Profile): HttpRequest;
  /** Reads a 2xx answer. Throws ProviderError when the body is not the documented success shape. */
  parseSendResponse(status: number, body: unknown): SendAccepted;
  /** Reads a non-2xx answer (body parsed as JSON when it was JSON, else the raw text). */
  parseError(status: number, body: unknown): ProviderErrorInfo;
}
