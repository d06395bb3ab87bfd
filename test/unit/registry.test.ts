/**
 * The registry (src/commands/registry.ts) is the one list of commands: every spec file is in it,
 * every option is keyed by the name commander gives its value, and the app parses options by the
 * spec's schemas (gh-style table: given flags → the options run() gets, or the refusal).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Option } from 'commander';
import { parseOptions } from '../../src/app.js';
import { allSpecs } from '../../src/commands/registry.js';
import { UsageError } from '../../src/errors.js';
import { INTERFLOW_BATCH_MAX } from '../../src/providers/interflow.js';

const commands = join(import.meta.dirname, '..', '..', 'src', 'commands');
const byName = (name: string) => allSpecs().find((s) => s.name === name)!;

test('every spec file under src/commands is in the registry, once', () => {
  const files = readdirSync(commands, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(commands, d.name)).map((f) => join(d.name, f)))
    .filter((f) => /export default defineCommand\(/.test(readFileSync(join(commands, f), 'utf8')));
  const names = files.map((f) => /name: '([^']+)'/.exec(readFileSync(join(commands, f), 'utf8'))![1]!);
  const registered = allSpecs().map((s) => s.name);
  assert.deepEqual([...names].sort(), [...registered].sort());
  assert.equal(new Set(registered).size, registered.length, 'no command twice');
});

test("a command's noun is the directory its spec lives in (its app bundle)", () => {
  for (const file of readdirSync(commands, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(join(commands, file.name))) {
      const m = /name: '([^']+)'/.exec(readFileSync(join(commands, file.name, f), 'utf8'));
      if (m && /export default defineCommand\(/.test(readFileSync(join(commands, file.name, f), 'utf8'))) {
        assert.equal(m[1]!.split(' ')[0], file.name, `${file.name}/${f}`);
      }
    }
  }
});

test('every option is keyed by the name commander gives its value', () => {
  for (const spec of allSpecs()) {
    for (const [key, option] of Object.entries(spec.options)) {
      assert.equal(new Option(option.flags).attributeName(), key, `${spec.name} ${option.flags}`);
    }
  }
});

const cases: { command: string; args?: unknown[]; given: Record<string, unknown>; wants?: Record<string, unknown>; refuses?: RegExp }[] = [
  { command: 'customers get', args: ['cust_1'], given: {}, wants: { id: 'cust_1' } },
  { command: 'customers list', given: { page: '2', perPage: '50', all: true }, wants: { page: 2, perPage: 50, all: true } },
  { command: 'customers list', given: { perPage: '101' }, refuses: /^--per-page must be a whole number from 1 to 100, got '101'$/ },
  { command: 'chats list', given: { page: '0' }, refuses: /^--page must be a whole number of at least 1, got '0'$/ },
  {
    command: 'messages get',
    args: ['msg_1'],
    given: { wait: 'READ', waitTimeout: '5000' },
    wants: { id: 'msg_1', wait: 'read', waitTimeout: 5000 },
  },
  { command: 'messages get', args: ['msg_1'], given: { wait: 'sent' }, refuses: /^--wait must be delivered or read, got 'sent'$/ },
  { command: 'messages list', given: { status: 'unknown', limit: '50' }, wants: { status: 'unknown', limit: 50 } },
  { command: 'messages list', given: { since: 'soon' }, refuses: /^--since takes an age like 30m/ },
  { command: 'customers create', given: { name: 'João', tag: ['vip', 'lead'] }, wants: { name: 'João', tag: ['vip', 'lead'] } },
  { command: 'customers delete', args: ['cust_1'], given: { yes: true }, wants: { id: 'cust_1', yes: true } },
  {
    command: 'bulk',
    args: ['-'],
    given: { text: 'Oi {{nome}}', rate: '5/s', concurrency: '16' },
    wants: { csv: '-', text: 'Oi {{nome}}', rate: 300, concurrency: 16 },
  },
  {
    command: 'bulk',
    args: ['-'],
    given: { batch: String(INTERFLOW_BATCH_MAX + 1) },
    refuses: new RegExp(`^--batch must be a whole number from 1 to ${INTERFLOW_BATCH_MAX}, got`),
  },
  { command: 'bulk', args: ['-'], given: { rate: 'fast' }, refuses: /^--rate takes N\/min or N\/s \(like 300\/min or 5\/s\), got 'fast'$/ },
  { command: 'send text', args: ['5511999999999', 'Olá, João 🎉'], given: {}, wants: { to: '5511999999999', text: 'Olá, João 🎉' } },
];

for (const c of cases) {
  test(`${c.command} ${JSON.stringify(c.given)} → ${c.refuses ? `refused ${c.refuses}` : JSON.stringify(c.wants)}`, () => {
    const run = () => parseOptions(byName(c.command), c.args ?? [], c.given);
    if (c.refuses) {
      assert.throws(run, (err) => err instanceof UsageError && c.refuses!.test(err.message));
    } else assert.deepEqual(run(), c.wants);
  });
}

test("the bundles (after npm run build): the shell holds no command's work and no zod; a noun's bundle only that noun's work", () => {
  const dist = join(import.meta.dirname, '..', '..', 'dist');
  const read = (file: string) => readFileSync(join(dist, file), 'latin1');
  // A refusal only the sandbox's run.ts says; a message only zod's core has.
  const sandboxWork = 'only applies with --fail-first';
  const zod = 'Invalid input';
  assert.ok(read('app/sandbox.cjs').includes(sandboxWork), 'the sandbox bundle has its work');
  assert.ok(read('app/customers.cjs').includes(zod), 'an app bundle parses with zod');
  assert.ok(!read('cli.cjs').includes(sandboxWork), 'the shell has no work');
  assert.ok(!read('cli.cjs').includes(zod), 'the shell has no zod');
  assert.ok(!read('app/customers.cjs').includes(sandboxWork), "customers' bundle has none of the sandbox's work");
  const nouns = readdirSync(join(dist, 'app'))
    .map((f) => f.replace(/\.cjs$/, ''))
    .sort();
  assert.deepEqual(nouns, [...new Set(allSpecs().map((s) => s.name.split(' ')[0]!))].sort(), 'one bundle per noun');
});
