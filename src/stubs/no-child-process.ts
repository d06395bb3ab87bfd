/**
 * Bundled in place of node:child_process. commander loads it only to run "executable
 * subcommands" (separate programs), which interflow does not use; loading the real module pulls
 * net, dgram and more into every start, `--help` included.
 */
export function spawn(): never {
  throw new Error('interflow does not run external subcommands');
}
