/**
 * The registry (src/commands/registry.ts) is the one list of commands, generated from the spec
 * files (src/commands/registry.generated.ts): every spec file is in it, every option is keyed by
 * the name commander gives its value, and the app parses options by the spec's schemas (gh-style
 * table: given flags → the options run() gets, or the refusal). The shell's bundle holds the
 * specs and nothing of their work, one-file commands included.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Option } from 'commander';
import { parseOptions } from '../../src/app.js';
import { allSpecs, ORDER, registry } from '../../src/commands/registry.js';
import { UsageError } from '../../src/errors.js';
import { INTERFLOW_BATCH_MAX } from '../../src/providers/interflow.js';

interface CommandFiles {
  noun: string;
  group: boolean;
  specs: { file: string; name: string; run: boolean }[];
}
interface BuildModule {
  GENERATED: string;
  commandFiles(dir?: string): CommandFiles[];
  registrySource(nouns: CommandFiles[]): string;
}
const build = (await import(new URL('../../src/build/build.mjs', import.meta.url).href)) as BuildModule;

const commands = join(import.meta.dirname, '..', '..', 'src', 'commands');
const byName = (name: string) => allSpecs().find((s) => s.name === name)!;
const isSpec = (source: string) => /\bdefineCommand\(/.test(source);

test('every spec file under src/commands is in the registry, once', () => {
  const files = readdirSync(commands, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(commands, d.name)).map((f) => join(d.name, f)))
    .filter((f) => isSpec(readFileSync(join(commands, f), 'utf8')));
  const names = files.map((f) => /name: '([^']+)'/.exec(readFileSync(join(commands, f), 'utf8'))![1]!);
  const registered = allSpecs().map((s) => s.name);
  assert.deepEqual([...names].sort(), [...registered].sort());
  assert.equal(new Set(registered).size, registered.length, 'no command twice');
});

test("a command's noun is the directory its spec lives in (its app bundle)", () => {
  for (const file of readdirSync(commands, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(join(commands, file.name))) {
      const m = /name: '([^']+)'/.exec(readFileSync(join(commands, file.name, f), 'utf8'));
      if (m && isSpec(readFileSync(join(commands, file.name, f), 'utf8'))) {
        assert.equal(m[1]!.split(' ')[0], file.name, `${file.name}/${f}`);
      }
    }
  }
});

test('src/commands/registry.generated.ts is what the build writes from the spec files (after adding one, `npm run build`)', () => {
  assert.equal(
    readFileSync(build.GENERATED, 'utf8'),
    build.registrySource(build.commandFiles()),
    'src/commands/registry.generated.ts is stale: run `npm run build` (it rewrites it) and commit it',
  );
});

test("help's order: the nouns ORDER names, then the others; in a group, the verbs its `order` names, then the others; the rest alphabetically", () => {
  const names = registry.map((e) => e.name);
  const rest = names.filter((n) => !ORDER.includes(n));
  assert.deepEqual(names, [...ORDER.filter((n) => names.includes(n)), ...[...rest].sort()]);
  for (const entry of registry) {
    if (!('commands' in entry)) continue;
    const verbs = entry.commands.map((c) => c.name.split(' ')[1]!);
    const order = entry.order ?? [];
    for (const verb of order) assert.ok(verbs.includes(verb), `${entry.name}'s order names '${verb}', which has no spec file`);
    assert.deepEqual(verbs, [...order, ...verbs.filter((v) => !order.includes(v)).sort()], entry.name);
  }
});

test('a one-file command: its spec file exports run(), and the registry loads that very function', async () => {
  const modules = {
    'customers get': await import('../../src/commands/customers/get.js'),
    'messages get': await import('../../src/commands/messages/get.js'),
  };
  const oneFile = build.commandFiles().flatMap((n) => n.specs.filter((s) => s.run).map((s) => s.name));
  assert.deepEqual(oneFile.sort(), Object.keys(modules));
  for (const [name, module] of Object.entries(modules)) {
    assert.equal(module.default.name, name);
    assert.equal(await byName(name).load(), module.run, name);
  }
});

test('the build refuses a noun directory whose commands need a group.ts, or a spec with both run() and load()', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'interflow-commands-'));
  try {
    const spec = (name: string, extra = '') => `const command = defineCommand({ name: '${name}', load: () => x });\n${extra}`;
    mkdirSync(join(tmp, 'widgets'));
    writeFileSync(join(tmp, 'widgets', 'list.ts'), spec('widgets list'));
    assert.throws(() => build.commandFiles(tmp), /src\/commands\/widgets: 'widgets list' need a group\.ts/);
    writeFileSync(join(tmp, 'widgets', 'group.ts'), '');
    assert.deepEqual(build.commandFiles(tmp), [
      { noun: 'widgets', group: true, specs: [{ file: 'list.ts', name: 'widgets list', run: false }] },
    ]);
    writeFileSync(join(tmp, 'widgets', 'get.ts'), spec('widgets get', 'export const run = async () => {};'));
    assert.throws(() => build.commandFiles(tmp), /widgets\/get\.ts: it exports run\(\) and has a load\(\)/);
    writeFileSync(join(tmp, 'widgets', 'get.ts'), spec('gadgets get'));
    assert.throws(() => build.commandFiles(tmp), /must start with 'widgets'/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('every option is keyed by the name commander gives its value', () => {
  for (const spec of allSpecs()) {
    for (const [key, option] of Object.entries(spec.options)) {
      assert.equal(new Option(option.flags).attributeName(), key, `${spec.name} ${option.flags}`);
    }
  }
});

const sandboxDefaults = { port: '8787', host: '127.0.0.1', plan: 'professional', record: true };

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
  // What commander gives `interflow sandbox` (its defaults), and the flags given.
  {
    command: 'sandbox',
    given: { ...sandboxDefaults, plan: 'Starter', failFirst: '1', failStatus: ' 429 ' },
    wants: { port: '8787', host: '127.0.0.1', plan: 'starter', failFirst: '1', failStatus: 429, record: true },
  },
  {
    command: 'sandbox',
    given: { ...sandboxDefaults, record: false },
    wants: { port: '8787', host: '127.0.0.1', plan: 'professional', record: false },
  },
  {
    command: 'sandbox',
    given: { ...sandboxDefaults, failFirst: '1', failStatus: '418' },
    refuses: /^--fail-status must be one of 429, 500, 502, 503, 504, got '418'$/,
  },
  { command: 'sandbox', given: { ...sandboxDefaults, failStatus: '5e2' }, refuses: /^--fail-status must be one of/ },
  {
    command: 'sandbox',
    given: { ...sandboxDefaults, plan: 'gold' },
    refuses: /^--plan must be one of starter, professional, enterprise, got 'gold'$/,
  },
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

test('the shell bundle (dist/cli.cjs, after npm run build) holds commander, the specs and what they are made of, and nothing else', () => {
  const root = join(import.meta.dirname, '..', '..');
  const metafile = JSON.parse(readFileSync(join(root, 'dist', '.build', 'metafile.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  // A one-file command's spec is bundled as its data only: `get.ts?spec` (src/build/build.mjs).
  const inputs = Object.keys(metafile.outputs['dist/cli.cjs']!.inputs).map((i) => i.replace(/\?spec$/, ''));
  const specs = new Set(
    build
      .commandFiles()
      .flatMap(({ noun, group, specs }) => [
        ...specs.map((s) => `src/commands/${noun}/${s.file}`),
        ...(group ? [`src/commands/${noun}/group.ts`] : []),
      ]),
  );
  // What specs are made of besides src/commands/*.ts: data with no imports of its own.
  const data = ['src/commands/customers/fields.ts', 'src/sandbox/paths.ts'];
  const allowed = (input: string) =>
    input.startsWith('node_modules/commander/') ||
    ['package.json', 'src/cli.ts', 'src/errors.ts', ...data].includes(input) ||
    /^src\/stubs\/[\w-]+\.ts$/.test(input) ||
    /^(spec-load-stub|no-zod):/.test(input) ||
    /^src\/commands\/[\w.-]+\.ts$/.test(input) ||
    specs.has(input);
  assert.deepEqual(
    inputs.filter((i) => !allowed(i)),
    [],
    'modules in the shell that are no spec: a one-file command whose run() or a top-level value of its work stayed?',
  );
  // The one-file command's spec is there, its work (and what only it imports) is not; its app bundle has both.
  assert.ok(inputs.includes('src/commands/customers/get.ts'));
  const customers = Object.keys(metafile.outputs['dist/app/customers.cjs']!.inputs);
  assert.ok(customers.includes('src/commands/customers/get.ts') && customers.includes('src/interflow/cli.ts'));
  // And in a sibling's bundle, the data only: `messages list` does not evaluate `messages get`'s work.
  const messages = Object.keys(metafile.outputs['dist/app/messages.cjs']!.inputs);
  assert.ok(messages.includes('src/commands/messages/get.ts?spec') && messages.includes('src/commands/messages/get.ts'));
});
