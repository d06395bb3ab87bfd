/**
 * Bundled in place of zod/mini in the shell (dist/cli.cjs). The shell declares commands from
 * their specs but never parses an option value: the app does, with the real zod/mini (src/app.ts).
 * Evaluating zod and building every spec's schemas would cost each `--help` and `--version` about
 * 10 ms, so here a schema is an inert placeholder. Only the functions src/commands/spec.ts and
 * src/commands/parsers.ts call are here; test/unit/build.test.ts checks the shell has no zod.
 */
const schema = (): object => ({});
export const optional = schema;
export const string = schema;
export const boolean = schema;
export const array = schema;
export const pipe = schema;
export const transform = schema;
