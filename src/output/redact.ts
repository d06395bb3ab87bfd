/**
 * Secrets registered here are replaced by *** in everything the CLI writes (see io.ts), whatever
 * path they took to get there: an echoed header, a provider error quoting the request, a stack.
 */
const secrets = new Set<string>();
/** Every escaping form of every secret, longest first (built when a secret is added). */
let forms: string[] = [];

export const MASK = '***';

/**
 * Secrets shorter than this are not registered, and a profile whose key is shorter is refused
 * (src/config/resolve.ts): masking a short string everywhere would mangle the numbers and ids the
 * user must see (a key `9999` turned 5511999999999 into 5511***9).
 */
export const MIN_SECRET_LENGTH = 8;

const hex = (c: string): string => c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * The forms a secret takes in what the CLI prints: as is; JSON-escaped (once, and twice for JSON
 * inside a JSON string), also with `\/` and with `\uXXXX` for every non-ASCII character, as some
 * servers write it; URL-encoded (upper- and lower-case hex, `+` for a space, and encodeURI's
 * lighter form); HTML-escaped.
 */
export function escapingForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const uri = encodeURIComponent(secret);
  const out = [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    json.replace(/\//g, '\\/'),
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${hex(c)}`),
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${hex(c).toUpperCase()}`),
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ k: secret }).toString().slice(2),
    encodeURI(secret),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#x27;'),
  ];
  return [...new Set(out)];
}

/** Registers a secret (API keys, tokens, webhook secrets). Strings shorter than MIN_SECRET_LENGTH are ignored. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  forms = [...new Set([...forms, ...escapingForms(value)])].sort((a, b) => b.length - a.length);
}

/** The text with every escaping form of every registered secret replaced by ***. */
export function redact(text: string): string {
  let result = text;
  for (const form of forms) {
    if (result.includes(form)) result = result.split(form).join(MASK);
  }
  return result;
}

/** A copy of headers with credential headers masked. `secretHeaders` are lowercase names. */
export function redactHeaders(headers: Record<string, string>, secretHeaders: readonly string[] = []): Record<string, string> {
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
