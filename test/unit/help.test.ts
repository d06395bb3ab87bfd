/**
 * Every command's --help has a one-line summary and at least two real examples (issue #6), found
 * by walking the whole command tree, so a command added without them fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli.js';

function leaves(command: Command, path: string[] = []): [string, Command][] {
  return command.commands.flatMap((sub) => {
    const p = [...path, sub.name()];
    return sub.commands.length ? leaves(sub, p) : [[p.join(' '), sub] as [string, Command]];
  });
}

function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (out += s) });
  command.outputHelp();
  return out;
}

const commands = leaves(buildProgram([]));

test('top-level help declared from the listings alone is the help of the whole tree', () => {
  // The whole tree's top-level help, with its listings taken from the full declarations.
  const full = helpOf(buildProgram([]));
  for (const args of [['--help'], [], ['sned', 'text'], ['help']]) {
    const program = buildProgram(['node', 'interflow', ...args]);
    assert.ok(
      program.commands.every((c) => c.commands.length === 0),
      'only listings were declared',
    );
    assert.equal(helpOf(program), full, args.join(' '));
  }
});

test('the tree has every command group', () => {
  const groups = new Set(commands.map(([path]) => path.split(' ')[0]));
  for (const g of ['send', 'bulk', 'webhooks', 'messages', 'customers', 'chats', 'profiles', 'sandbox']) assert.ok(groups.has(g), g);
});

for (const [path, command] of commands) {
  test(`interflow ${path} --help: a summary and two or more examples`, () => {
    const summary = command.description();
    assert.ok(summary.length > 10 && !summary.includes('\n'), `one-line summary: ${JSON.stringify(summary)}`);
    const help = helpOf(command);
    assert.match(help, /\nExamples:\n/);
    const examples = help
      .split('\nExamples:\n')[1]!
      .split('\n')
      .filter((l) => /^\s+\$ /.test(l));
    assert.ok(examples.length >= 2, `${examples.length} example(s)`);
    assert.ok(
      examples.some((l) => l.includes(`interflow ${path}`)),
      'an example runs this very command',
    );
  });
}
