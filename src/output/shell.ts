/**
 * A word as a POSIX shell reads it back unchanged: bare when it holds nothing the shell treats
 * specially, else in single quotes (where `$`, backquotes and `\` are literal; a `'` is written '\'').
 */
export function shellQuote(word: string): string {
  if (/^[\p{L}\p{N}_@%+=:,./-]+$/u.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}
