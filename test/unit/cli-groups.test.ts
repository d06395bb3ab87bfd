/** Which command groups the shell declares for a command line (startup: only what is needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupsFor } from '../../src/cli.js';

const all = [
  'send',
  'compose',
  'bulk',
  'templates',
  'webhooks',
  'messages',
  'report',
  'customers',
  'chats',
  'init',
  'profiles',
  'config',
  'sandbox',
  'completion',
];
const cases: [string[], string[]][] = [
  [['send', 'text', '11999999999', 'Olá'], ['send']],
  [['--profile', 'send', 'bulk', 'x.csv'], ['bulk']], // a global option's value is not a command
  [['--config', 'rc.json', '--json', 'customers', 'list'], ['customers']],
  [['--timeout', '500', 'messages', 'get', 'msg_1'], ['messages']],
  [['--version'], []],
  [['-V'], []],
  [['--version', '--help'], all],
  [['--help'], all],
  [[], all],
  [['help', 'send'], ['send']], // help for one group needs its whole declaration
  [['help'], all],
  [['sned', 'text'], all], // a typo: every name, for the suggestion
];
for (const [args, expected] of cases) {
  test(`interflow ${args.join(' ') || '(nothing)'} → ${expected.join(', ') || 'no group'}`, () => {
    assert.deepEqual(groupsFor(['node', 'interflow', ...args]), expected);
  });
}
