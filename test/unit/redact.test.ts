/**
 * The redactor (issue 12): every escaping form of a registered secret is masked; secrets shorter
 * than 8 characters are not registered, so numbers and ids are never mangled.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapingForms, MIN_SECRET_LENGTH, redact, registerSecret } from '../../src/output/redact.js';

test('every escaping form of a key with quotes, backslashes, slashes, spaces and non-ASCII is masked', () => {
  const key = 'tok_"a\\b/c d&<é>\'%';
  registerSecret(key);
  const forms = [
    key,
    JSON.stringify(key).slice(1, -1),
    JSON.stringify(JSON.stringify(key).slice(1, -1)).slice(1, -1),
    JSON.stringify(key).slice(1, -1).replace(/\//g, '\\/'),
    JSON.stringify(key).slice(1, -1).replace('é', '\\u00e9'),
    JSON.stringify(key).slice(1, -1).replace('é', '\\u00E9'),
    encodeURIComponent(key),
    encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ k: key }).toString().slice(2),
    encodeURI(key),
    key.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  ];
  for (const form of forms) assert.equal(redact(`before ${form} after`), 'before *** after', form);
  assert.ok(escapingForms(key).length >= 8);
});

test('a secret shorter than 8 characters is not registered: numbers and ids stay whole', () => {
  assert.equal(MIN_SECRET_LENGTH, 8);
  registerSecret('9999');
  registerSecret('msg_');
  assert.equal(redact('to 5511999999999, id msg_abc123'), 'to 5511999999999, id msg_abc123');
});
