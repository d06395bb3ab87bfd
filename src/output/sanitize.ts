/**
 * Text that came from outside (webhook events, provider answers, files) made safe to print on a
 * terminal: escape sequences (CSI such as `ESC[2J`, OSC such as a title change, the 8-bit C1
 * forms), other control characters and bidi overrides are removed, so that what a sender wrote
 * can neither drive the terminal nor disguise what is printed. JSON output escapes the same
 * characters instead (`jsonText`), so that the value survives and the terminal sees none of them.
 */

/**
 * CSI (`ESC [` … final byte), string sequences (OSC `ESC ]`, DCS `ESC P`, SOS `ESC X`, PM `ESC ^`,
 * APC `ESC _`, ended by BEL or ST, or by the end of the text), any other `ESC` + final byte, and
 * the 8-bit forms of CSI (U+009B) and the string sequences (U+0090, U+0098, U+009D–U+009F).
 */
const SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[ -/]*[0-~]?|\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d-\u009f][\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;

/** C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface PlainTextOptions {
  /** Keep line breaks (a field meant to hold several lines); otherwise each becomes a space. */
  multiline?: boolean;
}

/** `text` with no escape sequence, control character (tab → space) or bidi override left. */
export function plainText(text: string, opts: PlainTextOptions = {}): string {
  let s = text.replace(SEQUENCES, '').replace(/\r\n?/g, '\n').replace(CONTROLS, '').replace(/\t/g, ' ');
  if (!opts.multiline) s = s.replace(/\n/g, ' ');
  return s;
}

/** Characters JSON.stringify leaves raw that a terminal may act on: DEL, C1, line separators, bidi controls. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify, with the characters it leaves raw that a terminal could act on written as
 * \uXXXX escapes (C0 controls it escapes already): the same value for a parser, inert on a
 * terminal. Such characters occur only inside strings, so escaping them keeps the JSON valid.
 */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  return text === undefined ? text : inertJson(text);
}

/** JSON text (JSON.stringify's) with the characters of JSON_UNSAFE written as \uXXXX escapes, as jsonText writes it. */
export function inertJson(text: string): string {
  return text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
