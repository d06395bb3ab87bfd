/**
 * The pure parts of the composer and of init: counting a template body's parameters and filling
 * it for the preview; adding a profile to an rc file without losing what is there.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bodyParams, fillBody } from '../../src/compose/body-text.js';
import { readRcFile, withProfile, writeRcFile } from '../../src/init/rcfile.js';
import { buildMessage, templateFileOf, templateFromFile } from '../../src/message/build.js';

describe('template body text', () => {
  test('the parameter count is the highest {{n}}; gaps are reported', () => {
    assert.deepEqual(bodyParams('Olá {{1}}, seu pedido {{2}} saiu! 🎉'), { count: 2, missing: [] });
    assert.deepEqual(bodyParams('{{ 1 }} e {{3}}\n{{1}} de novo'), { count: 3, missing: [2] });
    assert.deepEqual(bodyParams('Sem parâmetros, {{nome}} é de bulk'), { count: 0, missing: [] });
  });

  test('filled with the values so far; the rest stay as placeholders', () => {
    assert.equal(fillBody('Olá {{1}}, pedido {{2}}.', ['João']), 'Olá João, pedido {{2}}.');
    assert.equal(
      fillBody('Olá {{1}}, pedido {{2}}.', ['João', '12345'], (v) => `*${v}*`),
      'Olá *João*, pedido *12345*.',
    );
    assert.equal(fillBody('{{1}}', ['']), '{{1}}');
  });
});

describe('template file of a composed message', () => {
  test('reads back as the same message (the documented format, README: Template files)', () => {
    const msg = buildMessage(
      'template',
      '5511999999999',
      {
        name: 'pedido_enviado',
        language: 'pt_BR',
        policy: 'deterministic',
        namespace: 'ns',
        headerDocument: 'https://exemplo.com/nota.pdf',
        headerFilename: 'nota.pdf',
        param: ['São Paulo'],
        quickReply: ['1=sim'],
        buttonUrl: ['0=pedido/1'],
      },
      { profile: { defaultCountry: 'BR' }, readFile: () => '' },
    );
    assert.equal(msg.type, 'template');
    const file = templateFileOf(msg as Extract<typeof msg, { type: 'template' }>);
    // The documented keys, in the documented order; no recipient.
    assert.deepEqual(Object.keys(file), ['name', 'language', 'policy', 'namespace', 'header', 'body', 'buttons']);
    assert.deepEqual(file.header, { type: 'document', url: 'https://exemplo.com/nota.pdf', filename: 'nota.pdf' });
    assert.deepEqual({ ...templateFromFile(JSON.parse(JSON.stringify(file)), 'f.json'), to: msg.to }, { ...msg });
  });
});

describe('rc file: adding a profile', () => {
  const existing = {
    defaultProfile: 'interflow',
    profiles: {
      interflow: { provider: 'interflow' as const, apiKey: '${INTERFLOW_API_KEY}', channelId: '550e8400-e29b-41d4-a716-446655440000' },
    },
  };

  test('keeps the other profiles and the default; the first profile of a file becomes the default', () => {
    const next = withProfile(existing, 'turn', { provider: 'turn', apiKey: '${TURN_TOKEN}' }, { file: 'rc' });
    assert.deepEqual(next, {
      defaultProfile: 'interflow',
      profiles: { ...existing.profiles, turn: { provider: 'turn', apiKey: '${TURN_TOKEN}' } },
    });
    assert.equal(
      withProfile(existing, 'turn', { provider: 'turn', apiKey: 'k' }, { file: 'rc', makeDefault: true }).defaultProfile,
      'turn',
    );
    assert.equal(withProfile(undefined, 'sm', { provider: 'socialminer', apiKey: 'k' }, { file: 'rc' }).defaultProfile, 'sm');
  });

  test('an existing name needs replace; a profile the schema refuses is refused', () => {
    assert.throws(
      () => withProfile(existing, 'interflow', { provider: 'turn', apiKey: 'k' }, { file: 'rc' }),
      /already has a profile 'interflow'.*--force/,
    );
    assert.equal(
      withProfile(existing, 'interflow', { provider: 'turn', apiKey: 'k' }, { file: 'rc', replace: true }).profiles.interflow!.provider,
      'turn',
    );
    assert.throws(
      () => withProfile(existing, 'x', { provider: 'interacto', apiKey: 'k' }, { file: 'rc' }),
      /instanceId: is required for interacto/,
    );
  });

  test('written with mode 0600 even over a readable file; YAML is not rewritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interflow-rc-'));
    const file = join(dir, '.interflowrc');
    writeFileSync(file, JSON.stringify(existing), { mode: 0o644 });
    const next = withProfile(readRcFile(file), 'turn', { provider: 'turn', apiKey: 'k' }, { file });
    writeRcFile(file, next);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), next);
    const yaml = join(dir, 'rc.yaml');
    writeFileSync(yaml, 'profiles:\n  a:\n    provider: turn\n    apiKey: k\n');
    assert.throws(() => readRcFile(yaml), /is not JSON \(YAML, or broken\).*--config FILE/);
    assert.equal(readRcFile(join(dir, 'none')), undefined);
  });
});
