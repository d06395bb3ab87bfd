'use strict';
// Bundled in place of node:assert for undici (src/build/build.mjs, undiciLean). undici calls it
// only as assert(value), to check its own invariants; Node's assert module costs a one-off
// command about 3 ms to load (it brings its diff and colour code with it), for checks that
// never fail. A failed one throws as Node's would: an AssertionError with code ERR_ASSERTION.
class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
  }
}

function assert(value, message) {
  if (value) return;
  if (message instanceof Error) throw message;
  throw new AssertionError(message === undefined ? 'The expression evaluated to a falsy value' : String(message));
}
assert.ok = assert;
assert.AssertionError = AssertionError;

module.exports = assert;
