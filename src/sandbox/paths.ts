/**
 * Where the sandbox serves each provider, and its default port: shared by the server, the
 * `sandbox` command, the demo and `init`'s "local sandbox" choice (a module with no imports, so
 * the shell and small bundles can use it).
 */
export type ProviderName = 'interflow' | 'interacto' | 'turn' | 'socialminer';

export const DEFAULT_SANDBOX_PORT = 8787;
/** `webhooks listen`'s default: beside the sandbox's, so the README's steps can run together. */
export const DEFAULT_LISTEN_PORT = 8788;

/** Where each provider lives on the sandbox. */
export const PROVIDER_PREFIXES: Readonly<Record<ProviderName, string>> = {
  interflow: '/interflow/v1',
  interacto: '/interacto',
  turn: '/turn',
  socialminer: '/socialminer',
};
