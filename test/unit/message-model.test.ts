/**
 * The message schema's hand-checked text messages (src/message/model.ts, plainTextMessage): for
 * every input, valid or not, messageSchema gives what the text schema alone gives — the same
 * verdict, the same message (its keys in the same order), the same refusal in the same words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageSchema, textMessageSchema } from '../../src/message/model.js';
import { validateMessage } from '../../src/message/validate.js';

const to = '5511910000001';
const long = (n: number, c = 'a'): string => c.repeat(n);
const inputs: unknown[] = [
  { type: 'text', to, text: 'Olá João, pedido 100001 🎉' },
  { type: 'text', to, text: 'hi', previewUrl: true },
  { type: 'text', to, text: 'hi', previewUrl: false },
  { text: 'hi', to, type: 'text' },
  { previewUrl: true, text: 'hi', to, type: 'text' },
  { type: 'text', to, text: 'hi', previewUrl: undefined },
  { type: 'text', to, text: 'hi', previewUrl: 'yes' },
  { type: 'text', to, text: 'hi', options: { delay: 1 } },
  { type: 'text', to, text: 'hi', extra: 1 },
  { type: 'text', to, text: '' },
  { type: 'text', to, text: '   \u200b\ufeff ' },
  { type: 'text', to, text: 'a\0b' },
  { type: 'text', to, text: long(4096) },
  { type: 'text', to, text: long(4097) },
  { type: 'text', to, text: long(2048, '🎉') },
  { type: 'text', to, text: long(2049, '🎉') + long(2048, '🎉') },
  { type: 'text', to, text: long(4096, '🎉') },
  { type: 'text', to, text: long(4097, '🎉') },
  { type: 'text', to: '+5511910000001', text: 'hi' },
  { type: 'text', to: '0511910000001', text: 'hi' },
  { type: 'text', to: '123456', text: 'hi' },
  { type: 'text', to: '1234567', text: 'hi' },
  { type: 'text', to: '1234567890123456', text: 'hi' },
  { type: 'text', to: 5511910000001, text: 'hi' },
  { type: 'text', to, text: 12 },
  { type: 'text', to },
  { type: 'text', text: 'hi' },
  { type: 'media', to, text: 'hi' },
  { type: 'text', to, text: 'hi', __proto__: { x: 1 } },
  JSON.parse(`{"type":"text","to":"${to}","text":"hi","__proto__":{"x":1}}`),
  Object.assign(Object.create({ type: 'text' }), { to, text: 'hi', previewUrl: true }),
  Object.assign(Object.create(null), { type: 'text', to, text: 'hi' }),
  null,
  'text',
  [],
];

describe('text messages checked by hand', () => {
  test('the same answer as the text schema, for valid and invalid inputs alike', () => {
    for (const input of inputs) {
      const quick = messageSchema.safeParse(input);
      const input2 = input && typeof input === 'object' && (input as { type?: unknown }).type === 'text' ? input : undefined;
      if (input2 === undefined) continue;
      const full = textMessageSchema().safeParse(input2);
      assert.equal(quick.success, full.success, JSON.stringify(input));
      if (full.success) {
        assert.deepEqual(quick.data, full.data);
        assert.equal(JSON.stringify(quick.data), JSON.stringify(full.data), 'the same keys in the same order');
      } else {
        assert.deepEqual(quick.error?.issues, full.error.issues);
      }
    }
  });

  test('a refusal says what it said before', () => {
    assert.throws(() => validateMessage({ type: 'text', to, text: ' ' }, { text: 'text' }), /text: must not be empty/);
    assert.throws(() => validateMessage({ type: 'text', to, text: long(4097) }, { text: 'text' }), /longer than 4096 characters/);
    assert.throws(() => validateMessage({ type: 'text', to: '+55', text: 'hi' }), /must be digits with country code/);
  });
});
