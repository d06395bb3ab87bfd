/**
 * Text styles (bold, red, …) by chalk. Whether to color is never chalk's own guess: it is Io's
 * decision (`io.color`: both streams are terminals, no NO_COLOR, no --no-color, TERM is not dumb),
 * passed in here. With color, chalk's basic 16-color level; without, chalk returns text as it is.
 */
import { Chalk, type ChalkInstance } from 'chalk';

let colored: ChalkInstance | undefined;
let plain: ChalkInstance | undefined;

/** chalk for `io.color`: `style(io.color).bold(text)`. */
export function style(color: boolean): ChalkInstance {
  return color ? (colored ??= new Chalk({ level: 1 })) : (plain ??= new Chalk({ level: 0 }));
}
