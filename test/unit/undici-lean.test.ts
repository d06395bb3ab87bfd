/**
 * undici as the app bundles carry it (src/build/build.mjs, undiciLean): node:assert and node:http
 * replaced by the stand-ins in src/stubs/, and llhttp read from dist/wasm/ instead of bundled as
 * base64. What undici gets must behave as what it replaces; the e2e sends exercise the whole path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const stubAssert = require('../../src/stubs/undici-assert.cjs') as ((value: unknown, message?: string | Error) => void) & {
  AssertionError: typeof Error;
};
const stubHttp = require('../../src/stubs/undici-http.cjs') as { maxHeaderSize: number; IncomingMessage: unknown };

test('the assert stand-in passes truthy values and throws an AssertionError (ERR_ASSERTION) on falsy ones, as node:assert does', () => {
  for (const v of [true, 1, 'x', {}, []]) stubAssert(v);
  for (const v of [false, 0, '', null, undefined]) {
    assert.throws(() => stubAssert(v), {
      name: 'AssertionError',
      code: 'ERR_ASSERTION',
      message: 'The expression evaluated to a falsy value',
    });
  }
  assert.throws(() => stubAssert(false, 'undici: bad state'), {
    name: 'AssertionError',
    code: 'ERR_ASSERTION',
    message: 'undici: bad state',
  });
  const own = new RangeError('its own error');
  assert.throws(
    () => stubAssert(0, own),
    (err) => err === own,
  );
});

test("the http stand-in's maxHeaderSize is node:http's, with and without --max-http-header-size", () => {
  assert.equal(stubHttp.maxHeaderSize, http.maxHeaderSize);
  const read = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [...args, '-e', "process.stdout.write(String(require('./src/stubs/undici-http.cjs').maxHeaderSize))"], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      encoding: 'utf8',
    }).stdout;
  assert.equal(read(['--max-http-header-size=32768']), '32768');
  assert.equal(read([], { NODE_OPTIONS: '--max-http-header-size=65536' }), '65536');
  assert.equal(read([]), String(http.maxHeaderSize));
  // Never an incoming message: interflow's request bodies are strings.
  assert.notEqual(stubHttp.IncomingMessage, http.IncomingMessage);
});

test('the app bundles (after npm run build) take those stand-ins and no base64 llhttp; dist/wasm/ holds the parser, byte for byte', () => {
  const metafile = JSON.parse(readFileSync(join(root, 'dist', '.build', 'metafile.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  const send = Object.keys(metafile.outputs['dist/app/send.cjs']!.inputs);
  assert.ok(send.includes('src/stubs/undici-assert.cjs') && send.includes('src/stubs/undici-http.cjs'), send.join('\n'));
  assert.deepEqual(
    send.filter((i) => /llhttp.*-wasm\.js$/.test(i)),
    [],
  );
  const bundle = readFileSync(join(root, 'dist', 'app', 'send.cjs'), 'latin1');
  assert.doesNotMatch(bundle, /require\("node:assert"\)/);
  // The only node:http left is the stand-in's, under --max-http-header-size.
  assert.equal(bundle.match(/require\("node:http"\)/g)?.length ?? 0, 1);
  for (const [module, file] of [
    ['llhttp_simd-wasm.js', 'llhttp_simd.wasm'],
    ['llhttp-wasm.js', 'llhttp.wasm'],
  ] as const) {
    const wasm = readFileSync(join(root, 'dist', 'wasm', file));
    assert.ok(WebAssembly.validate(wasm), `${file} is no WebAssembly module`);
    assert.ok(wasm.equals(require(`undici/lib/llhttp/${module}`) as Buffer), `${file} is not undici's ${module}`);
  }
});
