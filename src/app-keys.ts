/** The keys by which command declarations (shell) name their implementations (app). */
export const commandKeys = [
  'send text',
  'send media',
  'send location',
  'send contact',
  'send template',
  'send interactive',
  'profiles list',
  'profiles show',
  'sandbox',
  'bulk',
  'webhooks listen',
] as const;
export type CommandKey = (typeof commandKeys)[number];
