/**
 * `--json FIELDS` (issue #6): how the shell reads a field list off the command line (never taking
 * a command's argument for one), how fields are checked, and how a result is cut down to them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildProgram } from '../../src/cli.js';
import { allSpecs, type CommandKey } from '../../src/commands/registry.js';

const commandKeys = allSpecs().map((s) => s.name as CommandKey);
import { checkFields, readJsonFlag, resultFields, splitFields } from '../../src/commands/json-fields.js';
import { jsonLine, pick } from '../../src/output/format.js';

const program = buildProgram([]);
const read = (...args: string[]) => {
  const r = readJsonFlag(['node', 'interflow', ...args], program);
  return { argv: r.argv.slice(2), selection: r.selection };
};

describe('readJsonFlag: fields', () => {
  const cases: [args: string[], argv: string[], fields: string[]][] = [
    [
      ['send', 'text', '5511999999999', 'Olá', '--json', 'id,status,to'],
      ['send', 'text', '5511999999999', 'Olá', '--json'],
      ['id', 'status', 'to'],
    ],
    [
      ['send', 'text', '5511999999999', 'Olá', '--json=to,id'],
      ['send', 'text', '5511999999999', 'Olá', '--json'],
      ['to', 'id'],
    ],
    // Before the arguments, when they fill every place the command has.
    [['send', 'text', '--json', 'id', '5511999999999', 'Olá'], ['send', 'text', '--json', '5511999999999', 'Olá'], ['id']],
    [['--json', 'id', 'send', 'text', '5511999999999', 'Olá'], ['--json', 'send', 'text', '5511999999999', 'Olá'], ['id']],
    // Text from stdin, said with '-': no argument left for the word.
    [['send', 'text', '5511999999999', '-', '--json', 'id'], ['send', 'text', '5511999999999', '-', '--json'], ['id']],
    // The values of options are not arguments.
    [
      ['send', 'media', '5511999999999', '--kind', 'image', '--url', 'https://x.test/a.jpg', '--json', 'id,status', '--profile', 'turn'],
      ['send', 'media', '5511999999999', '--kind', 'image', '--url', 'https://x.test/a.jpg', '--json', '--profile', 'turn'],
      ['id', 'status'],
    ],
    [
      ['messages', 'get', 'msg_abc123', '--wait', 'read', '--json', 'status'],
      ['messages', 'get', 'msg_abc123', '--wait', 'read', '--json'],
      ['status'],
    ],
    [
      ['customers', 'list', '--json', 'id,name', '--per-page', '2'],
      ['customers', 'list', '--json', '--per-page', '2'],
      ['id', 'name'],
    ],
    [['profiles', 'ls', '--json', 'name'], ['profiles', 'ls', '--json'], ['name']], // an alias
    [
      ['bulk', 'rows.csv', '--text', 'Oi', '--json', 'row,status'],
      ['bulk', 'rows.csv', '--text', 'Oi', '--json'],
      ['row', 'status'],
    ],
    [
      ['webhooks', 'listen', '--port', '0', '--json', 'status,messageId'],
      ['webhooks', 'listen', '--port', '0', '--json'],
      ['status', 'messageId'],
    ],
    [
      ['sandbox', '--json=method,path'],
      ['sandbox', '--json'],
      ['method', 'path'],
    ],
    // Spaces trimmed, repeats dropped; the last --json with fields wins.
    [
      ['chats', 'list', '--json= id , status,id'],
      ['chats', 'list', '--json'],
      ['id', 'status'],
    ],
    [['chats', 'list', '--json', 'id', '--json=status'], ['chats', 'list', '--json', '--json'], ['status']],
  ];
  for (const [args, argv, fields] of cases) {
    test(args.join(' '), () => assert.deepEqual(read(...args), { argv, selection: { fields } }));
  }
});

describe('readJsonFlag: a word that is an argument stays one (plain --json, as before)', () => {
  const cases: string[][] = [
    ['messages', 'get', '--json', 'msg_abc123'],
    ['send', 'text', '--json', '5511999999999', 'Olá'],
    ['send', 'text', '5511999999999', '--json', 'Olá'],
    ['send', 'text', '5511999999999', '--json', 'Hello'],
    ['customers', 'delete', '--json', 'cust_xyz789', '--yes'],
    ['bulk', '--json', 'rows.csv', '--text', 'Oi'],
    ['profiles', 'show', '--json', 'turn'],
    ['send', '--json', 'text', '5511999999999', 'Olá'], // a subcommand's name
    ['--json', 'send', 'text', '5511999999999', 'Olá'],
    ['send', 'text', '5511999999999', 'Olá', '--json'],
    ['send', 'text', '5511999999999', 'Olá', '--json', '--profile', 'turn'],
    ['--profile', '--json', 'send', 'text', '5511999999999', 'id'], // the value of --profile
    ['send', 'media', '5511999999999', '--kind', 'image', '--caption', '--json', '--url', 'u'],
    ['send', 'text', '5511999999999', '--', '--json', 'id'], // after --, words only
    ['--version'],
  ];
  for (const args of cases) test(args.join(' '), () => assert.deepEqual(read(...args), { argv: args, selection: undefined }));
});

describe('readJsonFlag: refused, one line naming what to do', () => {
  test('a word that could be the argument or fields is ambiguous, and stays in argv', () => {
    for (const [args, arg] of [
      [['send', 'text', '5511999999999', '--json', 'ok'], 'text'],
      [['send', 'text', '5511999999999', '--json', 'id,status'], 'text'],
      [['send', 'text', '5511999999999', '--json', 'id,stauts'], 'text'], // names joined by commas
      [['messages', 'get', '--json', 'id'], 'id'],
      [['bulk', '--json', 'status', '--text', 'Oi'], 'csv'],
      [['profiles', 'show', '--json', 'name'], 'name'],
    ] as [string[], string][]) {
      const r = read(...args);
      assert.deepEqual(r.argv, args);
      const word = args[args.indexOf('--json') + 1]!;
      assert.deepEqual(r.selection, {
        error: `--json ${word}: is '${word}' the ${arg} argument or the fields to print? Write --json=${word} for fields, or put the ${arg} before --json`,
      });
    }
  });

  test('an unknown field lists the command’s fields; the word is taken off argv', () => {
    const r = read('messages', 'get', 'msg_abc123', '--json', 'id,stauts,bogus');
    assert.deepEqual(r.argv, ['messages', 'get', 'msg_abc123', '--json']);
    assert.deepEqual(r.selection, {
      error: `--json: unknown fields 'stauts', 'bogus' (fields of interflow messages get: ${resultFields['messages get'].join(', ')})`,
    });
    assert.deepEqual(read('send', 'text', '5511999999999', 'Olá', '--json=Id').selection, {
      error: "--json: unknown field 'Id' (fields of interflow send text: ok, provider, profile, to, type, id, status, response, error)",
    });
  });

  test('--json= with no names, and a command that prints no JSON', () => {
    assert.deepEqual(read('webhooks', 'list', '--json=').selection, {
      error: '--json= needs field names (fields of interflow webhooks list: id, url, events, created_at)',
    });
    assert.deepEqual(read('completion', 'bash', '--json', 'x').selection, {
      error: 'interflow completion prints no JSON results: --json takes no fields here',
    });
  });

  test('a group or the program itself: --json= is made plain for commander, nothing else', () => {
    assert.deepEqual(read('send', '--json=id'), { argv: ['send', '--json'], selection: undefined });
    assert.deepEqual(read('--json=id'), { argv: ['--json'], selection: undefined });
  });
});

test('every command declares its fields', () => {
  assert.deepEqual(Object.keys(resultFields).sort(), [...commandKeys].sort());
  for (const key of commandKeys) if (key !== 'completion') assert.ok(resultFields[key].length > 0, key);
});

test('splitFields and checkFields', () => {
  assert.deepEqual(splitFields('id,,status, to,id,'), ['id', 'status', 'to']);
  assert.deepEqual(checkFields('bulk', ['status', 'row']), { fields: ['status', 'row'] });
});

describe('pick', () => {
  const result = { ok: true, provider: 'turn', to: '5511999999999', id: 'gBEG', status: 'sent', response: { messages: [] } };
  test('the fields asked for, in that order', () => {
    assert.equal(JSON.stringify(pick(result, ['status', 'id', 'to'])), '{"status":"sent","id":"gBEG","to":"5511999999999"}');
  });
  test('a field the result does not have is left out; null stays', () => {
    assert.deepEqual(pick({ ok: false, to: '1', error: { code: 'X' }, email: null }, ['id', 'error', 'email']), {
      error: { code: 'X' },
      email: null,
    });
  });
  test('each item of a list', () => {
    assert.deepEqual(pick([{ id: 1, name: 'a' }, { id: 2 }], ['name', 'id']), [{ name: 'a', id: 1 }, { id: 2 }]);
  });
  test('no fields: the value itself', () => {
    assert.equal(pick(result, undefined), result);
    assert.equal(jsonLine(result), JSON.stringify(result) + '\n');
    assert.equal(jsonLine(result, ['id']), '{"id":"gBEG"}\n');
  });
});
