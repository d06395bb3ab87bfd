/**
 * Webhook signatures, each provider's own header, all HMAC-SHA256(secret, raw body bytes):
 *
 * - Meta and Meta-shaped providers (SocialMiner), and Interflow's deliveries:
 *   `X-Hub-Signature-256: sha256=<hex>` (reference/README.md);
 * - Turn: `X-Turn-Hook-Signature: <base64>`.
 *
 * Checked over exactly the bytes received, with a constant-time compare. A request must carry at
 * least one of them, and every one it carries must be right.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureScheme {
  /** Lowercase header name. */
  header: string;
  /** The header as providers spell it (for messages). */
  label: string;
  /** The MAC's bytes as the header gives them, or undefined when the value is not of the form. */
  decode(value: string): Buffer | undefined;
}

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  {
    header: 'x-hub-signature-256',
    label: 'X-Hub-Signature-256',
    decode: (v) => {
      const m = /^sha256=([0-9a-fA-F]{64})$/.exec(v.trim());
      return m ? Buffer.from(m[1]!, 'hex') : undefined;
    },
  },
  {
    header: 'x-turn-hook-signature',
    label: 'X-Turn-Hook-Signature',
    decode: (v) => {
      const t = v.trim();
      // 32 bytes in base64: 43 characters and one '='.
      return /^[A-Za-z0-9+/]{43}=$/.test(t) ? Buffer.from(t, 'base64') : undefined;
    },
  },
];

function matches(scheme: SignatureScheme, secret: string, raw: Buffer, value: string): boolean {
  const given = scheme.decode(value);
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time check of `sha256=<hex>` against HMAC-SHA256(secret, raw). Never throws. */
export function verifySignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  return typeof header === 'string' && matches(SIGNATURE_SCHEMES[0]!, secret, raw, header);
}

export type SignatureCheck = { ok: true; header: string } | { ok: false; reason: 'missing signature' | 'bad signature' };

/** Whether a request's signature headers (lowercase names) prove `raw` was signed with `secret`. Never throws. */
export function checkSignatures(secret: string, raw: Buffer, headers: Record<string, string | string[] | undefined>): SignatureCheck {
  let found: string | undefined;
  for (const scheme of SIGNATURE_SCHEMES) {
    const value = headers[scheme.header];
    if (value === undefined) continue;
    // A repeated header is a request nobody sent in good faith.
    if (Array.isArray(value) || !matches(scheme, secret, raw, value)) return { ok: false, reason: 'bad signature' };
    found ??= scheme.label;
  }
  return found ? { ok: true, header: found } : { ok: false, reason: 'missing signature' };
}
