/**
 * Secrets registered here are replaced by *** in everything the CLI writes (see io.ts), whatever
 * path they took to get there: an echoed header, a provider error quoting the request, a stack.
 */
const secrets = new Set<string>();

export const MASK = '***';

/** Registers a secret (API keys, tokens, webhook secrets). Very short strings are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(MASK);
  }
  return result;
}

/** A copy of headers with credential headers masked. `secretHeaders` are lowercase names. */
export function redactHeaders(
  headers: Record<string, string>,
  secretHeaders: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const secret =
      secretHeaders.includes(lower) || /^(authorization|proxy-authorization|apikey|api-key|x-api-key|cookie|set-cookie)$/.test(lower);
    out[name] = secret ? maskCredential(value) : value;
  }
  return out;
}

/** Keeps an auth scheme visible ("Bearer ***") but never the credential. */
function maskCredential(value: string): string {
  const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${MASK}` : MASK;
}
